import Logging
import RipEngine
import RipProto
import RipWire
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
            if store.holdsDuties { await sweep() }
        }
    }

    private func sweep() async {
        let store = self.store
        do {
            let removed = try await store.inTurn { () -> Int? in
                let due = try store.read { state, now in !state.sessions.expired(at: now).isEmpty }
                guard due else { return nil }
                return try store.commit(.with { $0.cleanupSessions = .init() }).sessions.count
            }
            guard let removed else { return }
            logger.info("removed expired sessions", metadata: ["count": "\(removed)"])
        } catch {
            // A store that cannot be reached says so itself, once per outage.
            logger.log(level: (error as? RipError)?.code == .unavailable ? .debug : .error, "session sweep failed", metadata: ["error": "\(error)"])
        }
    }
}
