import Foundation
import NIOCore
import RipEngine
import RipProto
import RipStorage
import RipWire
import SwiftProtobuf

/// Maps method paths ("/rip.v1.SessionService/CreateSession") to handlers, typed at
/// registration by the generated `RipMethod` descriptors so a handler can only ever receive its
/// own request type and return its own response type.
public struct MethodTable: Sendable {
    /// Stops a server stream: called when the client cancels, disconnects or the daemon stops.
    public typealias StreamCancellation = @Sendable () -> Void

    enum Handler: Sendable {
        /// Decodes the payload, runs the call, returns the serialized reply (possibly to be sent
        /// only once its change is durable).
        case unary(@Sendable (Data, CallContext) throws -> Outcome)
        /// Decodes the payload and starts a stream that sends through the given sink.
        case serverStream(@Sendable (Data, ResponseStream) throws -> StreamCancellation)
    }

    private(set) var handlers: [String: Handler] = [:]
    /// The store, when it takes turns (`StateEngine.takesTurns`): every unary call then runs
    /// once its turn came, a read once it is up to date, any other call in the write turn.
    private let turns: (any StateEngine)?

    public init(turns: (any StateEngine)? = nil) {
        self.turns = turns.flatMap { $0.takesTurns ? $0 : nil }
    }

    /// A serialized reply, to send now or when a future completes.
    enum Outcome {
        case now(Data)
        case later(EventLoopFuture<Data>)
    }

    /// Registers a read: its reply goes out at once. `turn`: nil for a read of the daemon's
    /// own that needs no turn of a store that takes them (it answers even while the store is
    /// unreachable).
    public mutating func unary<Request, Response>(
        _ method: RipMethod<Request, Response>, turn: TurnKind? = .read,
        _ body: @escaping @Sendable (Request) throws -> Response
    ) {
        calling(method, kind: turn) { request, _ in .now(try body(request)) }
    }

    /// Registers a call that may change state: `body` gets the connection's event loop to
    /// make its durability promise on, and says when its reply may go out. `turn`: the turn it
    /// runs in on a store that takes turns; nil for a call that takes them itself where it
    /// needs one (artifact chunks and commits, whose content work must not hold the write turn).
    public mutating func changing<Request, Response>(
        _ method: RipMethod<Request, Response>, turn: TurnKind? = .write,
        _ body: @escaping @Sendable (Request, any EventLoop) throws -> Reply<Response>
    ) {
        calling(method, kind: turn) { request, call in try body(request, call.eventLoop) }
    }

    /// Registers a call that needs to know when its connection closes (a parked claim is
    /// released then).
    mutating func calling<Request, Response>(
        _ method: RipMethod<Request, Response>, kind: TurnKind? = .write,
        _ body: @escaping @Sendable (Request, CallContext) throws -> Reply<Response>
    ) {
        precondition(!method.isServerStreaming, "\(method.path) is a streaming method")
        let run: @Sendable (Request, CallContext) throws -> Outcome = { request, call in
            switch try body(request, call) {
            case .now(let reply): .now(try reply.serializedBytes())
            case .whenDurable(let reply, let durable):
                .later(durable.flatMapThrowing { try reply.serializedBytes() })
            case .later(let reply): .later(reply.flatMapThrowing { try $0.serializedBytes() })
            }
        }
        guard let turns, let kind else {
            handlers[method.path] = .unary { payload, call in
                try run(try Self.decode(Request.self, from: payload, for: method.path), call)
            }
            return
        }
        handlers[method.path] = .unary { payload, call in
            let request = try Self.decode(Request.self, from: payload, for: method.path)
            let reply = call.eventLoop.makePromise(of: Data.self)
            turns.turn(kind, on: EventLoopRunner(loop: call.eventLoop)) { ready in
                do {
                    try ready.get()
                    switch try run(request, call) {
                    case .now(let data): reply.succeed(data)
                    case .later(let data): reply.completeWith(data)
                    }
                } catch {
                    reply.fail(error)
                }
            }
            return .later(reply.futureResult)
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

    /// Unknown fields are dropped: nothing a client adds beside the schema is stored, logged or
    /// counted against nothing.
    private static let decodingOptions: BinaryDecodingOptions = {
        var options = BinaryDecodingOptions()
        options.discardUnknownFields = true
        return options
    }()

    private static func decode<M: SwiftProtobuf.Message>(_: M.Type, from payload: Data, for path: String) throws -> M {
        do {
            return try M(serializedBytes: payload, options: decodingOptions)
        } catch {
            throw RipError.invalidArgument("payload of \(path) does not decode as \(M.protoMessageName): \(error)")
        }
    }
}

/// Where a unary call runs: its connection's event loop (durability promises are made on it),
/// and the connection's close.
struct CallContext: Sendable {
    /// The call's id on its connection.
    let id: UInt64
    let eventLoop: any EventLoop
    let closing: ConnectionClosing
}

/// A handler's reply: now, once its change is durable in the write-ahead log, or when
/// asynchronous work (a snapshot) produces it.
public enum Reply<Response: SwiftProtobuf.Message> {
    case now(Response)
    case whenDurable(Response, EventLoopFuture<Void>)
    case later(EventLoopFuture<Response>)
}

extension Reply {
    /// The reply as a future on `loop`: when it is ready to go out.
    func future(on loop: any EventLoop) -> EventLoopFuture<Response> {
        switch self {
        case .now(let response): loop.makeSucceededFuture(response)
        case .whenDurable(let response, let durable): durable.map { response }
        case .later(let future): future
        }
    }
}

/// The sending end of one server stream, typed by its message.
public struct TypedResponseStream<Message: SwiftProtobuf.Message>: Sendable {
    let sink: ResponseStream

    /// Queues one message of the stream. Safe from any thread; messages keep their order.
    public func send(_ message: Message) {
        sink.send(message)
    }

    /// Ends the stream with status OK after the messages already queued.
    public func end() { sink.end() }
}
