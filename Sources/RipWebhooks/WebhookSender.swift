import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import RipBase
import RipCore
import RipEngine
import RipProto
import ServiceLifecycle
import Synchronization

/// Delivers finished jobs' summaries to their webhooks: POSTs each due one (`JobBoard.dueWebhooks`),
/// at most `maxInFlight` at once and `maxPerHost` to one host (a receiver that is down does not
/// hold every slot), and records every attempt (`RipState.decideWebhookAttempt`)
/// so that retries, and deliveries pending at a restart, go on from the state.
///
/// Delivery is at least once: an attempt whose record a crash lost is made again after the
/// restart (receivers deduplicate by the `Ripd-Job-Id` and `Ripd-Finish` headers). A URL is
/// checked against `--webhook-allow` again before every attempt, redirects are not followed,
/// and a reply's body is not read.
public struct WebhookSender: Service {
    let store: any StateEngine
    let policy: WebhookPolicy
    /// How often due deliveries are looked for.
    let interval: Duration
    let logger: Logger
    let maxInFlight = 16
    let maxPerHost = 4

    public init(store: any StateEngine, policy: WebhookPolicy, interval: Duration, logger: Logger) {
        self.store = store
        self.policy = policy
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        let timeout = TimeAmount.milliseconds(Int64(clamping: policy.timeoutMs))
        let client = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: .init(redirectConfiguration: .disallow, timeout: .init(connect: timeout, read: timeout)),
            backgroundActivityLogger: logger)
        let inFlight = InFlight()
        await withDiscardingTaskGroup { group in
            while true {
                do {
                    try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
                } catch {
                    break
                }
                // On a shared store, the daemon that holds the duties delivers.
                guard store.holdsDuties else { continue }
                let due: [RipJob]
                do {
                    // Picked and marked under the engine's lock: an attempt recorded after the
                    // read is in flight until then, so no job is sent twice from a stale read.
                    let (limit, perHost) = (maxInFlight, maxPerHost)
                    due = try store.read { state, now in
                        inFlight.start(limit: limit, perHost: perHost) { busy in
                            state.jobs.dueWebhooks(at: now, limit: limit * perHost, busy: busy)
                        }
                    }
                } catch {
                    logger.error("webhook sweep failed", metadata: ["error": "\(error)"])
                    continue
                }
                for job in due {
                    group.addTask {
                        await deliver(job, with: client)
                        inFlight.end(job)
                    }
                }
            }
            // Deliveries under way stay pending and are made again after the restart.
            group.cancelAll()
        }
        try? await client.shutdown()
    }

    /// One attempt for `job`, recorded unless the sender is stopping.
    func deliver(_ job: RipJob, with client: HTTPClient) async {
        var report = WebhookReport(of: job)
        if !policy.permits(job.webhook) {
            report.error = "the URL matches no --webhook-allow pattern of this ripd"
            report.retryable = false
        } else {
            do {
                var request = HTTPClientRequest(url: job.webhook)
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.headers.add(name: "User-Agent", value: "ripd/\(RipDefaults.version)")
                request.headers.add(name: "Ripd-Job-Id", value: job.id)
                request.headers.add(name: "Ripd-Finish", value: "\(report.finish)")
                request.headers.add(name: "Ripd-Delivery-Attempt", value: "\(report.attempt)")
                request.body = .bytes(ByteBuffer(bytes: try WebhookPayload(job).json()))
                // The status is all ripd wants: the reply's body is left unread, which ends the
                // request (no receiver holds a slot by trickling a body).
                let response = try await client.execute(request, timeout: .milliseconds(Int64(clamping: policy.timeoutMs)))
                report.status = UInt32(response.status.code)
                report.delivered = (200..<300).contains(response.status.code)
                if !report.delivered { report.error = "HTTP \(response.status.code) \(response.status.reasonPhrase)" }
            } catch {
                if Task.isCancelled { return }
                report.error = "\(error)"
            }
        }
        await record(report, url: job.webhook)
    }

    private func record(_ report: WebhookReport, url: String) async {
        let store = self.store
        let policy = self.policy
        do {
            let attempt = try await store.inTurn {
                try store.commit(
                    changing: { state, now -> (RipMutation?, Applied, RipWebhookAttempt?) in
                        guard let mutation = state.decideWebhookAttempt(report, policy: policy, now: now) else {
                            return (nil, Applied(), nil)
                        }
                        let (recorded, applied, _) = try type(of: store).applying(mutation, to: &state, at: now)
                        return (recorded, applied, mutation.webhookAttempt)
                    }, durability: nil
                ).extra
            }
            guard let attempt else { return }
            let metadata: Logger.Metadata = ["job": "\(report.jobID)", "url": "\(url)", "status": "\(report.status)"]
            if attempt.delivered {
                logger.info("webhook delivered", metadata: metadata)
            } else {
                logger.warning(
                    attempt.retryAtUnixMs == 0 ? "webhook given up" : "webhook failed; retrying",
                    metadata: metadata.merging(["error": "\(report.error)"]) { $1 })
            }
        } catch {
            logger.error("recording a webhook attempt failed", metadata: ["job": "\(report.jobID)", "error": "\(error)"])
        }
    }
}

/// The jobs whose delivery is under way, and how many go to each host.
private final class InFlight: Sendable {
    private struct Under { var ids: Set<String> = []; var hosts: [String: Int] = [:] }
    private let under = Mutex(Under())

    /// Marks as under way, soonest first, what `due` returns (given which ids are under way
    /// already) while fewer than `limit` are under way, and fewer than `perHost` to its host.
    func start(limit: Int, perHost: Int, _ due: ((String) -> Bool) -> [RipJob]) -> [RipJob] {
        under.withLock { under in
            var started: [RipJob] = []
            for job in due(under.ids.contains) where under.ids.count < limit {
                let host = Self.host(job)
                guard under.hosts[host, default: 0] < perHost else { continue }
                under.ids.insert(job.id)
                under.hosts[host, default: 0] += 1
                started.append(job)
            }
            return started
        }
    }

    func end(_ job: RipJob) {
        under.withLock { under in
            under.ids.remove(job.id)
            let host = Self.host(job)
            under.hosts[host] = under.hosts[host].flatMap { $0 > 1 ? $0 - 1 : nil }
        }
    }

    private static func host(_ job: RipJob) -> String { WebhookPattern.host(of: job.webhook) ?? "" }
}
