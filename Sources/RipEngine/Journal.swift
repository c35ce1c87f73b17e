import RipProto

/// Where an engine appends each change's mutation, in apply order: the write-ahead log, or
/// (in tests and the fuzzer) memory.
public protocol Journal: Sendable {
    /// Queues `mutation` as the next record and returns its sequence number; numbering is all
    /// it does under the engine's writer lock (the record is encoded and framed when written).
    /// `durability` is completed once the record is durable, or failed if it cannot be written.
    @discardableResult
    func append(_ mutation: RipMutation, durability: Durability?) -> UInt64
    /// The sequence number the next record will get.
    var nextSequence: UInt64 { get }
}
