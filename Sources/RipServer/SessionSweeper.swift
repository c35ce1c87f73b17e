import Logging
import RipEngine
import RipProto
import ServiceLifecycle

/// Removes expired sessions every `interval`, as `CleanupSessions` does on demand.
public struct SessionSweeper: Service {
    let store: any StateEngine
    let interval: Duration
    let logger: Logger

    public init(store: any StateEngine, interval: Duration, logger: Logger) {
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while true {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            sweep()
        }
    }

    private func sweep() {
        do {
            let due = try store.read { state, now in !state.sessions.expired(at: now).isEmpty }
            guard due else { return }
            let removed = try store.commit(.with { $0.cleanupSessions = .init() }).sessions
            logger.info("removed expired sessions", metadata: ["count": "\(removed.count)"])
        } catch {
            logger.error("session sweep failed", metadata: ["error": "\(error)"])
        }
    }
}
