import Foundation
import RipProto

/// The handlers of `rip.v1.AdminService`: health, daemon information and reflection.
struct AdminMethods {
    let configuration: ServerConfiguration
    let store: StateStore
    let statistics: ServerStatistics
    let startedAt: ContinuousClock.Instant

    func register(in table: inout MethodTable) {
        let configuration = self.configuration
        let store = self.store
        let statistics = self.statistics
        let startedAt = self.startedAt
        typealias Service = Rip_V1_AdminService

        table.unary(Service.health) { _ in .with { $0.status = "SERVING" } }
        table.unary(Service.info) { _ in
            let sessions = try store.read { state, _ in state.sessions.count }
            return .with {
                $0.version = configuration.version
                $0.uptimeSeconds = UInt64((ContinuousClock.now - startedAt).components.seconds)
                $0.socketPath = configuration.socketPath
                $0.dataDir = configuration.dataDirectory
                $0.pid = Int64(getpid())
                $0.connectionsOpen = statistics.connectionsOpen
                $0.connectionsTotal = statistics.connectionsTotal
                $0.requestsTotal = statistics.requestsTotal
                $0.sessions = UInt64(sessions)
                $0.maxFrameBytes = UInt32(clamping: configuration.maxFrameBytes)
            }
        }
        table.unary(Service.getDescriptorSet) { _ in
            .with { $0.fileDescriptorSet = RipDescriptorSet.bytes }
        }
    }
}
