import Logging
import RipStorage
import ServiceLifecycle

/// Runs the log's once-a-second fdatasync under `everysec`, and on graceful shutdown (after
/// the server has sent its last reply) syncs and closes the log.
public struct StorageService: Service {
    let storage: Storage
    let logger: Logger

    public init(storage: Storage, logger: Logger) {
        self.storage = storage
        self.logger = logger
    }

    public func run() async throws {
        if storage.configuration.log.policy == .everysec {
            while true {
                do {
                    try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
                } catch {
                    break
                }
                do {
                    try await storage.log.syncNow()
                } catch {
                    logger.error("periodic fdatasync failed", metadata: ["error": "\(error)"])
                }
            }
        } else {
            try? await gracefulShutdown()
        }
        try await storage.close()
        logger.info("write-ahead log synced and closed")
    }
}
