import RipCore
import RipEngine
import RipProto

/// The handlers of `rip.v1.CookieService`. Changes run on the live jar under the writer lock
/// (`StateEngine.commit(changing:durability:)`), are logged as the steps they took and answered once
/// durable; lookups update last-access times in place without logging.
struct CookieMethods {
    let store: any StateEngine
    let policy: CookiePolicy

    func register(in table: inout MethodTable) {
        let (store, policy) = (self.store, self.policy)
        typealias Service = RipCookieService

        table.changing(Service.storeResponseCookies) { request, loop in
            try store.commit(changing: store.storeResponseCookies(request, policy: policy), on: loop, reply: Self.response)
        }
        table.unary(Service.cookieHeader) { request in try store.cookieHeader(request) }
        table.changing(Service.setCookie) { request, loop in
            try store.commit(
                changing: RipState.cookieChange { try $0.setCookie(request, policy: policy, now: $1) }, on: loop,
                reply: Self.response)
        }
        table.unary(Service.listCookies) { request in
            try store.read { state, _ in try state.listCookies(request) }
        }
        table.changing(Service.deleteCookie) { request, loop in
            try store.commit(
                changing: RipState.cookieChange { state, _ in try state.deleteCookie(request) }, on: loop,
                reply: Self.response)
        }
        table.changing(Service.clearCookies) { request, loop in
            try store.commit(
                changing: RipState.cookieChange { state, _ in try state.clearCookies(request) }, on: loop,
                reply: Self.response)
        }
        table.changing(Service.importCookies) { request, loop in
            try store.commit(
                changing: RipState.cookieChange { try $0.importCookies(request, policy: policy, now: $1) }, on: loop,
                reply: Self.response)
        }
    }

    /// A cookie call's reply is what its change produced.
    private static func response<Response>(_: Applied, _ response: Response) -> Response { response }
}
