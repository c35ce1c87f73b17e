import Foundation
import RipProto
import RipWire
import SwiftProtobuf

/// Maps method paths ("/rip.v1.SessionService/CreateSession") to handlers, typed at
/// registration by the generated `RipMethod` descriptors so a handler can only ever receive its
/// own request type and return its own response type.
public struct MethodTable: Sendable {
    /// Stops a server stream: called when the client cancels, disconnects or the daemon stops.
    public typealias StreamCancellation = @Sendable () -> Void

    enum Handler: Sendable {
        /// Decodes the payload, runs the call, returns the serialized reply.
        case unary(@Sendable (Data) throws -> Data)
        /// Decodes the payload and starts a stream that sends through the given sink.
        case serverStream(@Sendable (Data, ResponseStream) throws -> StreamCancellation)
    }

    private(set) var handlers: [String: Handler] = [:]

    public init() {}

    public mutating func unary<Request, Response>(
        _ method: RipMethod<Request, Response>,
        _ body: @escaping @Sendable (Request) throws -> Response
    ) {
        precondition(!method.isServerStreaming, "\(method.path) is a streaming method")
        handlers[method.path] = .unary { payload in
            try body(try Self.decode(Request.self, from: payload, for: method.path)).serializedBytes()
        }
    }

    public mutating func serverStream<Request, Response>(
        _ method: RipMethod<Request, Response>,
        _ body: @escaping @Sendable (Request, TypedResponseStream<Response>) throws -> StreamCancellation
    ) {
        precondition(method.isServerStreaming, "\(method.path) is a unary method")
        handlers[method.path] = .serverStream { payload, sink in
            try body(try Self.decode(Request.self, from: payload, for: method.path), TypedResponseStream(sink: sink))
        }
    }

    func handler(for path: String) -> Handler? { handlers[path] }

    private static func decode<M: SwiftProtobuf.Message>(_: M.Type, from payload: Data, for path: String) throws -> M {
        do {
            return try M(serializedBytes: payload)
        } catch {
            throw RipError.invalidArgument("payload of \(path) does not decode as \(M.protoMessageName): \(error)")
        }
    }
}

/// The sending end of one server stream, typed by its message.
public struct TypedResponseStream<Message: SwiftProtobuf.Message>: Sendable {
    let sink: ResponseStream

    /// Queues one message of the stream. Safe from any thread; messages keep their order.
    public func send(_ message: Message) {
        sink.send(payload: (try? message.serializedBytes()) ?? Data())
    }
}
