import NIOCore
import RipEngine

extension Durability {
    /// Completes `promise`; the journal writes the change's batch on `promise`'s event loop.
    public init(_ promise: EventLoopPromise<Void>) {
        self.init(runner: EventLoopRunner(loop: promise.futureResult.eventLoop)) { promise.completeWith($0) }
    }
}

/// An event loop as the journal's runner.
public struct EventLoopRunner: TaskRunner {
    public let loop: any EventLoop

    public init(loop: any EventLoop) { self.loop = loop }

    public func execute(_ task: @escaping @Sendable () -> Void) { loop.execute(task) }
}
