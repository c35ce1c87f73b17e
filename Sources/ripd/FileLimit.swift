import Foundation
import Logging
import RipServer

/// The open-file limit and the connections it leaves room for. ripd raises its soft limit to the
/// hard one and keeps `reserve` descriptors for its own files, so running out of descriptors
/// can only refuse a connection (NIO backs off `accept` on EMFILE), never fail a write-ahead log
/// segment, a snapshot or an upload.
enum FileLimit {
    /// Write-ahead log segments, snapshots, the lock, blob reads and the like, every upload that
    /// may be open (`UploadTable.maxOpen`), and refused connections while they linger.
    static let reserve = 64 + 256 + Refusals.maxLingering

    /// `wanted`, or as many connections as the open-file limit leaves room for, with a warning.
    static func connections(wanted: Int, logger: Logger) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return wanted }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        let available = Int(clamping: limit.rlim_cur) - reserve
        guard wanted > available else { return wanted }
        let allowed = max(1, available)
        logger.warning(
            "--max-connections lowered to what the open-file limit allows",
            metadata: ["wanted": "\(wanted)", "allowed": "\(allowed)", "nofile": "\(limit.rlim_cur)", "reserved": "\(reserve)"])
        return allowed
    }
}
