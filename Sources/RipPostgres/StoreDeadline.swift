import NIOCore
import NIOPosix
import Synchronization

/// Bounds a round trip to the store: past `limit` the caller gets an error and goes on, and
/// the operation is left to end on its own (the caller drops its connection, which ends it). A
/// query on a connection the server dropped can wait forever in PostgresNIO; a call must not.
/// The timer is a task scheduled on an event loop (no task of its own to start and wake).
enum StoreDeadline {
    static func run<T: Sendable>(
        _ limit: Duration, _ what: String, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let answered = Mutex(false)
        let claim: @Sendable () -> Bool = { answered.withLock { done in defer { done = true }; return !done } }
        return try await withCheckedThrowingContinuation { continuation in
            let timer = NIOSingletons.posixEventLoopGroup.any().scheduleTask(in: TimeAmount(limit)) {
                guard claim() else { return }
                continuation.resume(throwing: PostgresStoreError("\(what) took longer than \(limit)"))
            }
            Task {
                let result: Result<T, any Error>
                do { result = .success(try await operation()) } catch { result = .failure(error) }
                timer.cancel()
                if claim() { continuation.resume(with: result) }
            }
        }
    }
}
