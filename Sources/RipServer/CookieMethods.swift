import RipCore
import RipProto

/// The handlers of `rip.v1.CookieService`. Changes are planned against the live jar under the
/// writer lock (`StateStore.commit(planning:)`) and answered once durable; lookups update
/// last-access times in place without logging.
struct CookieMethods {
    let store: StateStore
    let policy: CookiePolicy

    func register(in table: inout MethodTable) {
        let (store, policy) = (self.store, self.policy)
        typealias Service = Rip_V1_CookieService

        table.changing(Service.storeResponseCookies) { request, loop in
            try store.commit(
                planning: { state, now in try state.planStoreResponseCookies(request, policy: policy, now: now) },
                on: loop, reply: Self.response)
        }
        table.unary(Service.cookieHeader) { request in
            let url = try CookieURL(request.url)
            let cookies = try store.access { state, now in
                try state.retrieveCookies(
                    session: request.session, url: url, context: request.context, withCookies: !request.headerOnly, now: now)
            }
            return RipState.cookieHeaderResponse(cookies)
        }
        table.changing(Service.setCookie) { request, loop in
            try store.commit(
                planning: { state, now in try state.planSetCookie(request, policy: policy, now: now) },
                on: loop, reply: Self.response)
        }
        table.unary(Service.listCookies) { request in
            try store.read { state, _ in try state.listCookies(request) }
        }
        table.changing(Service.deleteCookie) { request, loop in
            try store.commit(planning: { state, _ in try state.planDeleteCookie(request) }, on: loop, reply: Self.response)
        }
        table.changing(Service.clearCookies) { request, loop in
            try store.commit(planning: { state, _ in try state.planClearCookies(request) }, on: loop, reply: Self.response)
        }
        table.changing(Service.importCookies) { request, loop in
            try store.commit(
                planning: { state, now in try state.planImportCookies(request, policy: policy, now: now) },
                on: loop, reply: Self.response)
        }
    }

    /// A cookie call's reply is what its plan produced.
    private static func response<Response>(_: Applied, _ response: Response) -> Response { response }
}
