import Foundation

/// Runs blocking work (a raw socket's reads or writes) on a thread of its own and awaits its
/// result, so it never holds one of the few threads of Swift's cooperative pool that the
/// test's other tasks need.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}
