import RipProto
import RipBase

/// The session lifecycle of reference 004: active ⇄ suspended, and either may end as completed
/// or failed, which are final.
enum SessionLifecycle {
    static let allStates: [RipSessionState] = [.active, .suspended, .completed, .failed]

    static func check(from current: RipSessionState, to target: RipSessionState, session: String) throws {
        let allowed: Bool
        switch (current, target) {
        case (.active, .suspended), (.suspended, .active),
            (.active, .completed), (.suspended, .completed),
            (.active, .failed), (.suspended, .failed):
            allowed = true
        default:
            allowed = false
        }
        guard allStates.contains(target) else {
            throw RipError.invalidArgument("target state must be ACTIVE, SUSPENDED, COMPLETED or FAILED")
        }
        guard allowed else {
            let hint =
                current == .completed || current == .failed
                ? "; completed and failed sessions are final" : ""
            throw RipError.failedPrecondition(
                "session '\(session)' is \(name(of: current)) and cannot become \(name(of: target))\(hint)")
        }
    }

    static func name(of state: RipSessionState) -> String {
        switch state {
        case .active: "active"
        case .suspended: "suspended"
        case .completed: "completed"
        case .failed: "failed"
        case .unspecified, .UNRECOGNIZED: "in an unknown state"
        }
    }
}
