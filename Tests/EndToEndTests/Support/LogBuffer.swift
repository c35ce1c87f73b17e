import Subprocess
import Synchronization
import Testing

/// What a child process writes to stdout or stderr, collected as it arrives.
final class LogBuffer: Sendable {
    private let bytes = Mutex<[UInt8]>([])
    /// Set once the child closed its end: everything it wrote is in `bytes`.
    private let ended = Atomic(false)

    /// Everything so far, as UTF-8 text.
    var text: String { bytes.withLock { String(decoding: $0, as: UTF8.self) } }

    /// Appends what `sequence` yields until the child closes its end.
    func collect(_ sequence: SubprocessOutputSequence) async throws {
        defer { ended.store(true, ordering: .releasing) }
        for try await buffer in sequence {
            buffer.withUnsafeBytes { chunk in bytes.withLock { $0.append(contentsOf: chunk) } }
        }
    }

    /// The text so far, once it contains `needle`; fails the test after `timeout` or once the
    /// child closed its end without writing it.
    func wait(for needle: String, timeout: Duration) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while true {
            let closed = ended.load(ordering: .acquiring)
            let current = text
            if current.contains(needle) { return current }
            guard ContinuousClock.now < deadline, !closed else {
                Issue.record("'\(needle)' did not appear within \(timeout); output so far:\n\(current)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
