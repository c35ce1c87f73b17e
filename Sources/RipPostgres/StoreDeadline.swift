import Synchronization

/// Bounds a round trip to the store: past `limit` the caller gets an error and goes on,
/// while the operation (cancelled) is left to end on its own. A query on a connection the
/// server dropped can wait forever in PostgresNIO; a call must not.
enum StoreDeadline {
    static func run<T: Sendable>(
        _ limit: Duration, _ what: String, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let answered = Mutex(false)
        let claim: @Sendable () -> Bool = { answered.withLock { done in defer { done = true }; return !done } }
        return try await withCheckedThrowingContinuation { continuation in
            let work = Task {
                let result: Result<T, any Error>
                do { result = .success(try await operation()) } catch { result = .failure(error) }
                if claim() { continuation.resume(with: result) }
            }
            Task {
                try? await Task.sleep(for: limit)
                guard claim() else { return }
                work.cancel()
                continuation.resume(throwing: PostgresStoreError("\(what) took longer than \(limit)"))
            }
        }
    }
}
