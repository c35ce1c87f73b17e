import NIOCore
import RipEngine

extension Durability {
    /// Completes `promise`; the journal writes the change's batch on `promise`'s event loop.
    public init(_ promise: EventLoopPromise<Void>) {
        self.init(runner: EventLoopRunner(loop: promise.futureResult.eventLoop)) { promise.completeWith($0) }
    }

    /// Nobody waits: the journal writes the change with `loop`'s next batch all the same (a
    /// reply that goes out once applied).
    public static func unawaited(on loop: any EventLoop) -> Durability {
        Durability(runner: EventLoopRunner(loop: loop)) { _ in }
    }
}

/// An event loop as the journal's runner.
public struct EventLoopRunner: TaskRunner {
    public let loop: any EventLoop

    public init(loop: any EventLoop) { self.loop = loop }

    public func execute(_ task: @escaping @Sendable () -> Void) { loop.execute(task) }
}
