/// How a committed change's caller learns that it is durable: `complete` is called once, with
/// success once the change's record is durable under the fsync policy, or with the error that
/// kept it from being written.
public struct Durability: Sendable {
    /// Where the journal may write the change's batch: the caller's thread of work (its event
    /// loop), so that the write, the fdatasync and the reply happen there without a hand-off.
    /// Nil: the journal writes on a thread of its own.
    public let runner: (any TaskRunner)?
    public let complete: @Sendable (Result<Void, any Error>) -> Void

    public init(runner: (any TaskRunner)?, complete: @escaping @Sendable (Result<Void, any Error>) -> Void) {
        self.runner = runner
        self.complete = complete
    }

    public func succeed() { complete(.success(())) }
    public func fail(_ error: any Error) { complete(.failure(error)) }
}

/// Runs tasks in the order given, on some thread: an event loop, through a small adapter.
public protocol TaskRunner: Sendable {
    func execute(_ task: @escaping @Sendable () -> Void)
}
