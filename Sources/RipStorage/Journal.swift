import NIOCore

/// Where the state store appends each change's mutation, in apply order: the write-ahead log,
/// or (in tests and the fuzzer) memory.
public protocol Journal: Sendable {
    /// Queues `mutation` as the next record and returns its sequence number; `promise` is
    /// completed once the record is durable, or failed if it cannot be written.
    @discardableResult
    func append(_ mutation: [UInt8], promise: EventLoopPromise<Void>?) -> UInt64
    /// The sequence number the next record will get.
    var nextSequence: UInt64 { get }
}

extension WriteAheadLog: Journal {}
