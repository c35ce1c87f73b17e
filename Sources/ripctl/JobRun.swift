import Foundation
import RipClient
import RipProto
import RipWire
import Synchronization

/// One claimed job worked by `ripctl worker run`: runs the command for each URL not done yet,
/// keeps the lease alive, streams logs, checkpoints, and finishes the job. Returns whether the
/// job completed.
struct JobRun: Sendable {
    let client: RipClient
    let claimed: RipClaimedJob
    let worker: WorkerOptions
    let stop: StopSignal

    private var job: RipJob { claimed.job }

    /// Shared by the URL tasks, the heartbeat loop and the log flusher.
    private final class Progress: Sendable {
        struct State {
            var done: [String: RipJobResult] = [:]
            var current = ""
            var logs: [RipLogEntry] = []
            /// The commands running now; cancelling one stops its process group.
            var children: Set<Task<ChildProcess.Outcome, any Error>> = []
            var cancelled = false
            var lostLease = false
        }
        let state: Mutex<State>
        init(done: [RipJobResult]) {
            state = Mutex(State(done: Dictionary(done.map { ($0.url, $0) }, uniquingKeysWith: { $1 })))
        }
    }

    func run() async -> Bool {
        let previous = (try? RipWorkerCheckpoint(serializedBytes: job.checkpoint.data))?.done ?? []
        let progress = Progress(done: previous.filter(\.ok))
        let todo = job.urls.filter { url in progress.state.withLock { $0.done[url] == nil } }
        log(progress, .info, "attempt \(job.attempt) on \(worker.id): \(todo.count) of \(job.urls.count) URL(s) to run")

        let keepAlive = Task { await heartbeats(progress) }
        await withTaskGroup(of: Void.self) { group in
            var next = todo.makeIterator()
            let width = job.batch ? max(1, Int(job.maxConcurrent)) : 1
            for _ in 0..<width {
                guard let url = next.next() else { break }
                group.addTask { await runURL(url, progress) }
            }
            while await group.next() != nil {
                guard !shouldStop(progress), let url = next.next() else { continue }
                group.addTask { await runURL(url, progress) }
            }
        }
        keepAlive.cancel()
        await flushLogs(progress)
        return await finish(progress)
    }

    private func shouldStop(_ progress: Progress) -> Bool {
        stop.requested || progress.state.withLock { $0.cancelled || $0.lostLease }
    }

    private func runURL(_ url: String, _ progress: Progress) async {
        await acquirePermit(for: url, progress)
        let started = ContinuousClock.now
        let child = Task {
            try await ChildProcess.run(
                command: worker.command, url: url, environment: environment(url), maxOutput: worker.maxOutput
            ) { line in log(progress, .info, line, url: url) }
        }
        progress.state.withLock {
            $0.current = url
            $0.children.insert(child)
        }
        if shouldStop(progress) { child.cancel() }
        var result = RipJobResult.with { $0.url = url }
        do {
            let outcome = try await child.value
            result.ok = outcome.status == 0
            if !outcome.output.isEmpty { try await store(outcome.output, of: url, in: &result) }
            if !result.ok {
                result.error = "exit \(outcome.status)" + (outcome.lastErrorLine.isEmpty ? "" : ": \(outcome.lastErrorLine)")
                log(progress, .warn, "command failed: \(result.error)", url: url)
            }
            if outcome.truncated { log(progress, .warn, "output cut at \(worker.maxOutput) bytes", url: url) }
        } catch {
            result.error = "cannot run /bin/sh: \(error)"
            if !shouldStop(progress) { log(progress, .error, result.error, url: url) }
        }
        result.durationMs = UInt64((ContinuousClock.now - started) / .milliseconds(1))
        let interrupted = shouldStop(progress)
        let checkpoint = progress.state.withLock { state -> RipWorkerCheckpoint? in
            state.children.remove(child)
            // A command stopped by a cancel or shutdown did not fail on its own: leave it undone.
            guard !interrupted else { return nil }
            state.done[url] = result
            return Self.checkpoint(state.done)
        }
        guard let checkpoint, let data = try? checkpoint.serializedBytes() as Data else { return }
        _ = try? await client.saveCheckpoint(.with {
            $0.jobID = job.id
            $0.token = claimed.token
            $0.data = data
        })
        await heartbeat(progress)
    }

    /// Waits for a permit of the URL's domain from ripd's token bucket (`ripctl limit set`),
    /// which every process on the host shares; at once when the domain has no rate.
    private func acquirePermit(for url: String, _ progress: Progress) async {
        while !shouldStop(progress) {
            guard let answer = try? await client.acquire(.with { $0.url = url; $0.waitMs = 60_000 }) else { return }
            if answer.granted { return }
            // Longer than a call may wait: ask again when ripd said one is free.
            try? await Task.sleep(for: .milliseconds(answer.retryAfterMs))
        }
    }

    /// Keeps a URL's stdout as a `result` artifact of the job; the result names it.
    private func store(_ output: Data, of url: String, in result: inout RipJobResult) async throws {
        let number = (job.urls.firstIndex(of: url) ?? 0) + 1
        let artifact = try await ArtifactUpload.upload(
            client, owner: .with { $0.jobID = job.id },
            commit: .with {
                $0.name = String(format: "result-%03d", number)
                $0.type = .result
                $0.tags = ["result"]
                $0.metadata = ["url": String(url.prefix(RipLimits.Artifact.maxMetadataValueLength)), "attempt": "\(job.attempt)"]
            }, data: output)
        result.artifactID = artifact.id
        result.size = artifact.size
    }

    /// The finished URLs, contents dropped when they would not fit in a checkpoint.
    private static func checkpoint(_ done: [String: RipJobResult]) -> RipWorkerCheckpoint {
        var checkpoint = RipWorkerCheckpoint.with { $0.done = done.values.sorted { $0.url < $1.url } }
        if checkpoint.done.reduce(0, { $0 + $1.content.count }) > RipLimits.Job.maxCheckpointBytes - 64 * 1024 {
            for index in checkpoint.done.indices { checkpoint.done[index].content = Data() }
        }
        return checkpoint
    }

    private func environment(_ url: String) -> [String: String] {
        [
            "RIP_URL": url, "RIP_JOB_ID": job.id, "RIP_ATTEMPT": "\(job.attempt)", "RIP_METHOD": job.method,
            "RIP_CONFIG": job.configJson, "RIP_USER_AGENT": claimed.userAgent,
            "RIP_HEADERS": claimed.headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "\n"),
        ]
    }

    /// Renews the lease every third of it with the progress so far, and flushes logs between.
    private func heartbeats(_ progress: Progress) async {
        let every = Duration.milliseconds(Int(worker.leaseMs) / 3)
        var last = ContinuousClock.now
        while !Task.isCancelled && !progress.state.withLock({ $0.lostLease }) {
            try? await Task.sleep(for: .milliseconds(200))
            await flushLogs(progress)
            if stop.requested { stopChildren(progress) }
            guard ContinuousClock.now - last >= every else { continue }
            last = .now
            await heartbeat(progress)
        }
    }

    /// One heartbeat with the progress so far: stops the commands when the job's cancel was
    /// requested or its lease is gone.
    private func heartbeat(_ progress: Progress) async {
        do {
            let reply = try await client.heartbeat(.with {
                $0.jobID = job.id
                $0.token = claimed.token
                $0.progress = report(progress)
            })
            if reply.cancelRequested {
                progress.state.withLock { $0.cancelled = true }
                stopChildren(progress)
            }
        } catch let error as RipError where error.code == .failedPrecondition || error.code == .notFound {
            let first = progress.state.withLock { state in
                defer { state.lostLease = true }
                return !state.lostLease
            }
            stopChildren(progress)
            if first {
                FileHandle.standardError.write(Data("ripctl: \(job.id): lease lost (\(error.message)); stopping\n".utf8))
            }
        } catch {
            // The daemon is restarting or busy: the next heartbeat tries again.
        }
    }

    private func stopChildren(_ progress: Progress) {
        for child in progress.state.withLock({ $0.children }) { child.cancel() }
    }

    private func report(_ progress: Progress) -> RipJobProgress {
        progress.state.withLock { state in
            .with {
                $0.completed = UInt32(state.done.values.count { $0.ok })
                $0.failed = UInt32(state.done.values.count { !$0.ok })
                $0.currentURL = state.current
            }
        }
    }

    private func log(_ progress: Progress, _ level: RipLogLevel, _ message: String, url: String = "") {
        let entry = RipLogEntry.with {
            $0.time = .init(date: Date())
            $0.level = level
            $0.message = String(message.prefix(RipLimits.Job.maxLogMessageBytes / 4))
            $0.url = url
        }
        progress.state.withLock { $0.logs.append(entry) }
    }

    private func flushLogs(_ progress: Progress) async {
        let entries = progress.state.withLock { state in
            defer { state.logs.removeAll() }
            return state.logs
        }
        for start in stride(from: 0, to: entries.count, by: RipLimits.Job.maxLogEntriesPerCall) {
            _ = try? await client.appendLogs(.with {
                $0.jobID = job.id
                $0.token = claimed.token
                $0.entries = Array(entries[start..<min(entries.count, start + RipLimits.Job.maxLogEntriesPerCall)])
            })
        }
    }

    /// Completes, fails, or hands the job back; true when it completed.
    private func finish(_ progress: Progress) async -> Bool {
        let (done, cancelled, lost) = progress.state.withLock { ($0.done, $0.cancelled, $0.lostLease) }
        guard !lost else { return false }
        let results = job.urls.compactMap { done[$0] }
        let failed = results.filter { !$0.ok }
        let finished = results.count == job.urls.count
        var final = report(progress)
        final.currentURL = ""
        do {
            if cancelled || (stop.requested && !finished) {
                _ = try await client.releaseJob(.with {
                    $0.jobID = job.id
                    $0.token = claimed.token
                })
                return false
            }
            if failed.isEmpty {
                _ = try await client.completeJob(.with {
                    $0.jobID = job.id
                    $0.token = claimed.token
                    $0.summary = "\(results.count) URL(s) succeeded"
                    $0.results = results
                    $0.progress = final
                })
                return true
            }
            _ = try await client.failJob(.with {
                $0.jobID = job.id
                $0.token = claimed.token
                $0.error = "\(failed.count) of \(job.urls.count) URL(s) failed; first: \(failed[0].url): \(failed[0].error)"
                $0.retryable = true
                $0.results = results
                $0.progress = final
            })
        } catch {
            FileHandle.standardError.write(Data("ripctl: \(job.id): cannot report the outcome: \(error)\n".utf8))
        }
        return false
    }
}
