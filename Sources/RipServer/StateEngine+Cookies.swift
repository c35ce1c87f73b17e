import RipCore
import RipEngine
import RipProto

/// The cookie calls against the store, shared by the daemon's handlers (`CookieMethods`) and
/// in-process measurements (`ripbench --in-process`). What needs no state (parsing lines and
/// URLs, building the reply) runs outside the writer lock.
extension StateEngine {
    /// The CookieHeader reply for `request`; only the lookup itself holds the lock.
    public func cookieHeader(_ request: RipCookieHeaderRequest) throws -> RipCookieHeaderResponse {
        let url = try CookieURL(request.url)
        let selection = try access { state, now in
            try state.retrieveCookies(
                session: request.session, url: url, context: request.context, withCookies: !request.headerOnly, now: now)
        }
        return RipState.cookieHeaderResponse(selection)
    }

    /// StoreResponseCookies as a change for `commit(changing:)`; its lines are parsed here,
    /// before the lock is taken.
    public func storeResponseCookies(
        _ request: RipStoreResponseCookiesRequest, policy: CookiePolicy
    ) throws -> EngineChange<RipStoreResponseCookiesResponse> {
        let parsed = try RipState.ParsedResponseCookies(request, parser: policy.parser, now: clock())
        return RipState.cookieChange { try $0.storeResponseCookies(parsed, limits: policy.limits, now: $1) }
    }
}

extension RipState {
    /// A cookie call as a change: it changes no session, so it publishes no session event.
    public static func cookieChange<Response>(
        _ body: @escaping (inout RipState, UnixMillis) throws -> RipState.CookieChangeResult<Response>
    ) -> EngineChange<Response> {
        { state, now in
            let (mutation, response) = try body(&state, now)
            return (mutation, Applied(), response)
        }
    }
}
