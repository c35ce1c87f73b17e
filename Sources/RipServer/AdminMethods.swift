import Foundation
import NIOCore
import RipEngine
import RipProto
import RipStorage
import RipWire
import SwiftProtobuf

/// The handlers of `rip.v1.AdminService`: health, daemon information, reflection, and the
/// write-ahead log (snapshot on demand, log facts).
struct AdminMethods {
    let configuration: ServerConfiguration
    let store: any StateEngine
    let storage: Storage?
    let statistics: ServerStatistics
    let claims: ClaimDispatcher
    let startedAt: ContinuousClock.Instant
    /// The descriptor socket's path, empty while none is served.
    let descriptorSocket: @Sendable () -> String

    func register(in table: inout MethodTable) {
        let configuration = self.configuration
        let store = self.store
        let storage = self.storage
        let statistics = self.statistics
        let claims = self.claims
        let startedAt = self.startedAt
        let descriptorSocket = self.descriptorSocket
        typealias Service = RipAdminService

        table.unary(Service.health) { _ in .with { $0.status = "SERVING" } }
        // No turn on a shared store: Info tells how this daemon stands with it (reachable, or
        // the last error) at once, outage or not; its counts are of the records applied here.
        table.unary(Service.info, turn: nil) { _ in
            let (sessions, jobs) = try store.read { state, _ in (state.sessions.count, state.jobs.counts) }
            return .with {
                $0.version = configuration.version
                $0.uptimeSeconds = UInt64((ContinuousClock.now - startedAt).components.seconds)
                $0.socketPath = configuration.socketPath
                $0.descriptorSocket = descriptorSocket()
                $0.dataDir = configuration.dataDirectory
                $0.store = configuration.store
                if let health = configuration.sharedStoreHealth { $0.sharedStore = health() }
                $0.pid = Int64(getpid())
                $0.connectionsOpen = statistics.connectionsOpen
                $0.connectionsTotal = statistics.connectionsTotal
                $0.requestsTotal = statistics.requestsTotal
                $0.sessions = UInt64(sessions)
                $0.jobs = UInt64(jobs.all)
                $0.jobsQueued = UInt64(jobs.queued)
                $0.jobsRunning = UInt64(jobs.running)
                $0.claimsWaiting = UInt64(claims.waitingCount)
                $0.streamsOpen = statistics.streamsOpen
                $0.connectionsPaused = statistics.connectionsPaused
                $0.maxFrameBytes = UInt32(clamping: configuration.maxFrameBytes)
            }
        }
        table.unary(Service.getDescriptorSet) { _ in
            .with { $0.fileDescriptorSet = RipDescriptorSet.bytes }
        }
        table.changing(Service.snapshot) { _, loop in
            let storage = try Self.require(storage)
            return .later(loop.makeFutureWithTask {
                let started = ContinuousClock.now
                let (lastSequence, path) = try await storage.snapshot()
                let elapsed = (ContinuousClock.now - started).components
                let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                return .with {
                    $0.lastSequence = lastSequence
                    $0.path = path
                    $0.bytes = UInt64(bytes)
                    $0.seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
                }
            })
        }
        table.unary(Service.walInfo) { _ in
            let storage = try Self.require(storage)
            let info = storage.info()
            return .with {
                $0.fsyncPolicy = storage.configuration.log.policy.rawValue
                $0.segments = UInt32(info.segments)
                $0.bytes = UInt64(info.bytes)
                $0.nextSequence = info.nextSequence
                $0.snapshotSequence = info.snapshotSequence
                $0.recordsSinceSnapshot = info.nextSequence - 1 - info.snapshotSequence
                $0.bytesSinceSnapshot = UInt64(info.bytesSinceSnapshot)
                if let last = info.lastSyncUnixMs {
                    $0.lastFsync = Google_Protobuf_Timestamp(date: Date(timeIntervalSince1970: Double(last) / 1000))
                }
                $0.segmentBytesLimit = UInt64(storage.configuration.log.segmentBytes)
                $0.snapshotAfterBytes = UInt64(storage.configuration.snapshotAfterBytes)
            }
        }
    }

    private static func require(_ storage: Storage?) throws -> Storage {
        guard let storage else {
            throw RipError(.failedPrecondition, "this daemon keeps no write-ahead log: its state is in a shared store (ripctl status shows it)")
        }
        return storage
    }
}
