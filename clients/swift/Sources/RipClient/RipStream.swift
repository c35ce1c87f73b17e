import Foundation
import SwiftProtobuf

/// The serialized messages of one server-stream call, in order. Iteration ends when the daemon
/// ends the stream, and throws its status if it ended with an error. `cancel()` (or dropping
/// the iteration) cancels the call on the daemon.
public struct RipRawStream: AsyncSequence, Sendable {
    public typealias Element = Data

    let messages: AsyncThrowingStream<Data, any Error>
    let cancellation: @Sendable () -> Void

    init(messages: AsyncThrowingStream<Data, any Error>, cancel: @escaping @Sendable () -> Void) {
        self.messages = messages
        self.cancellation = cancel
    }

    /// Ends the stream here and on the daemon. Messages already received are still yielded,
    /// then iteration ends.
    public func cancel() { cancellation() }

    public func makeAsyncIterator() -> AsyncThrowingStream<Data, any Error>.AsyncIterator {
        messages.makeAsyncIterator()
    }
}

/// The messages of one server-stream call, decoded; see `RipRawStream`.
public struct RipStream<Element: SwiftProtobuf.Message>: AsyncSequence, Sendable {
    let raw: RipRawStream

    /// Ends the stream here and on the daemon.
    public func cancel() { raw.cancel() }

    public func makeAsyncIterator() -> Iterator { Iterator(base: raw.makeAsyncIterator()) }

    public struct Iterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<Data, any Error>.AsyncIterator

        public mutating func next() async throws -> Element? {
            guard let payload = try await base.next() else { return nil }
            return try Element(serializedBytes: payload)
        }
    }
}
