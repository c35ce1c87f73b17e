import RipCore
import RipEngine
import RipProto
import RipWire
import Synchronization

/// `WatchJob`: the job as it is, its held log lines from the asked position, then every change
/// to it in apply order, ending after the event that finishes it (or at once when it already
/// has).
enum JobWatch {
    static func start(
        _ request: RipWatchJobRequest, store: any StateEngine, stream: TypedResponseStream<RipJobEvent>
    ) throws -> MethodTable.StreamCancellation {
        let ended = Atomic(false)
        let id = request.jobID
        // The first messages are queued under the writer lock, so no change can come between
        // them and the events that follow.
        let (token, _) = try store.watch(starting: { state, now in
            let job = try state.jobs.view(id, at: now)
            stream.send(.with {
                $0.kind = .current
                $0.job = job
            })
            let backlog = request.logsFromSeq > 0 ? state.jobs.logs(of: id, from: request.logsFromSeq) : []
            if !backlog.isEmpty {
                stream.send(.with {
                    $0.kind = .log
                    $0.job = job
                    $0.logs = backlog
                })
            }
            if job.status.isFinished {
                ended.store(true, ordering: .relaxed)
                stream.end()
            }
        }) { applied in
            guard !ended.load(ordering: .relaxed) else { return }
            for event in applied.jobEvents where event.job.id == id {
                if event.kind == .log {
                    guard request.logsFromSeq > 0 else { continue }
                    var event = event
                    event.logs.removeAll { $0.seq < request.logsFromSeq }
                    if !event.logs.isEmpty { stream.send(event) }
                    continue
                }
                stream.send(event)
                if event.job.status.isFinished || event.kind == .removed {
                    ended.store(true, ordering: .relaxed)
                    stream.end()
                }
            }
        }
        return { store.unwatch(token) }
    }
}
