import RipProto

/// The one error type of the protocol: a canonical status code and a message that tells the
/// user what to fix. Handlers throw it; the server maps it to a Response once; the client
/// rethrows it from the Response it receives.
public struct RipError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: RipStatusCode
    public var message: String

    /// The longest message sent: messages quote what the client sent, which may be megabytes.
    public static let maxMessageBytes = 1024

    public init(_ code: RipStatusCode, _ message: String) {
        self.code = code
        self.message = Self.truncated(message)
    }

    /// `message` cut to `maxMessageBytes` on a character boundary, marked with "…" when cut.
    static func truncated(_ message: String) -> String {
        message.utf8.count > maxMessageBytes ? message.prefix(utf8Bytes: maxMessageBytes - 3) + "…" : message
    }

    public var description: String { "\(code.name): \(message)" }

    public static func invalidArgument(_ message: String) -> RipError { RipError(.invalidArgument, message) }
    public static func notFound(_ message: String) -> RipError { RipError(.notFound, message) }
    public static func alreadyExists(_ message: String) -> RipError { RipError(.alreadyExists, message) }
    public static func failedPrecondition(_ message: String) -> RipError { RipError(.failedPrecondition, message) }
    public static func resourceExhausted(_ message: String) -> RipError { RipError(.resourceExhausted, message) }
    public static func unavailable(_ message: String) -> RipError { RipError(.unavailable, message) }
    public static func internalError(_ message: String) -> RipError { RipError(.internal, message) }
}

extension RipStatusCode {
    /// The canonical upper-case name, as gRPC prints it ("NOT_FOUND").
    public var name: String {
        switch self {
        case .ok: "OK"
        case .cancelled: "CANCELLED"
        case .unknown: "UNKNOWN"
        case .invalidArgument: "INVALID_ARGUMENT"
        case .deadlineExceeded: "DEADLINE_EXCEEDED"
        case .notFound: "NOT_FOUND"
        case .alreadyExists: "ALREADY_EXISTS"
        case .permissionDenied: "PERMISSION_DENIED"
        case .resourceExhausted: "RESOURCE_EXHAUSTED"
        case .failedPrecondition: "FAILED_PRECONDITION"
        case .aborted: "ABORTED"
        case .outOfRange: "OUT_OF_RANGE"
        case .unimplemented: "UNIMPLEMENTED"
        case .internal: "INTERNAL"
        case .unavailable: "UNAVAILABLE"
        case .dataLoss: "DATA_LOSS"
        case .unauthenticated: "UNAUTHENTICATED"
        case .UNRECOGNIZED(let value): "CODE_\(value)"
        }
    }
}
