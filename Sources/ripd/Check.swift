import ArgumentParser
import Foundation
import RipStorage
import RipWire

/// `ripd check`: reads a data directory without changing it and says what recovery would do.
struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify a data directory offline: segments, records, snapshot and state, changing nothing.",
        discussion: """
            Exit status 0 when ripd would start from it (a torn tail is reported; ripd cuts it at start), \
            1 when it is corrupt (then `ripd --repair` cuts the log at the first bad record) or in use.
            """)

    @Option(help: "The data directory (default: $XDG_STATE_HOME/ripd, else ~/.local/state/ripd).")
    var dataDir: String?

    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let directory = dataDir ?? RipDefaults.dataDirectory()
        do {
            _ = try DataDirectoryLock(directory: directory)  // released at once: only proves no daemon runs
            var notes: [String] = []
            let result = try Recovery.run(directory: directory, repair: false, readOnly: true) { notes.append($0) }
            let stats = try result.state.sessions.stats(.init(), now: Int64(Date().timeIntervalSince1970 * 1000))
            if json {
                let object: [String: Any] = [
                    "data_dir": directory, "ok": true, "segments": result.segments,
                    "snapshot_sequence": result.snapshotSequence, "records_after_snapshot": result.recordsReplayed,
                    "records_skipped": result.recordsSkipped,
                    "wal_format_version": WALFormat.segmentVersion, "snapshot_format_version": WALFormat.snapshotVersion,
                    "last_sequence": result.tail.nextSequence - 1, "sessions": stats.sessions,
                    "notes": notes, "segment_details": result.segmentSummaries,
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print("data dir:  \(directory)")
                print("format:    WAL version \(WALFormat.segmentVersion), snapshot version \(WALFormat.snapshotVersion) "
                    + "(this build reads every earlier version)")
                print("snapshot:  \(result.snapshotSequence == 0 ? "none" : "changes up to \(result.snapshotSequence)")")
                for line in result.segmentSummaries { print("segment:   \(line)") }
                print("records:   \(result.recordsReplayed) after the snapshot; last sequence \(result.tail.nextSequence - 1)"
                    + (result.recordsSkipped == 0 ? "" : "; \(result.recordsSkipped) skipped (see the notes)"))
                print("state:     \(stats.sessions) sessions (\(stats.active) active, \(stats.suspended) suspended, "
                    + "\(stats.completed) completed, \(stats.failed) failed, \(stats.expired) expired)")
                for note in notes { print("note:      \(note)") }
                print("ok:        ripd can start from this directory")
            }
        } catch {
            FileHandle.standardError.write(Data("ripd check: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
