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
/// at most `maxInFlight` at once, and records every attempt (`RipState.decideWebhookAttempt`)
/// so that retries, and deliveries pending at a restart, go on from the state.
///
/// Delivery is at least once: an attempt whose record a crash lost is made again after the
/// restart (receivers deduplicate by the `Ripd-Job-Id` and `Ripd-Finished-At` headers). A URL
/// is checked against `--webhook-allow` again before every attempt, redirects are not followed,
/// and at most 64 KiB of a reply is read.
public struct WebhookSender: Service {
    let store: any StateEngine
    let policy: WebhookPolicy
    /// How often due deliveries are looked for.
    let interval: Duration
    let logger: Logger
    let maxInFlight = 16
    static let maxReplyBytes = 64 * 1024

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
                let due: [RipJob]
                do {
                    let limit = maxInFlight
                    due = try store.read { state, now in state.jobs.dueWebhooks(at: now, limit: limit) }
                } catch {
                    logger.error("webhook sweep failed", metadata: ["error": "\(error)"])
                    continue
                }
                for job in due where inFlight.start(job.id, limit: maxInFlight) {
                    group.addTask {
                        await deliver(job, with: client)
                        inFlight.end(job.id)
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
        let finished = job.completedAt.unixMillis
        var report = WebhookReport(jobID: job.id, finishedUnixMs: finished, delivered: false, status: 0, error: "")
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
                request.headers.add(name: "Ripd-Finished-At", value: WebhookPayload.time(job.completedAt.unixMillis))
                request.headers.add(name: "Ripd-Delivery-Attempt", value: "\(job.webhookDelivery.attempts + 1)")
                request.body = .bytes(ByteBuffer(bytes: try WebhookPayload(job).json()))
                let response = try await client.execute(request, timeout: .milliseconds(Int64(clamping: policy.timeoutMs)))
                _ = try? await response.body.collect(upTo: Self.maxReplyBytes)
                report.status = UInt32(response.status.code)
                report.delivered = (200..<300).contains(response.status.code)
                if !report.delivered { report.error = "HTTP \(response.status.code) \(response.status.reasonPhrase)" }
            } catch {
                if Task.isCancelled { return }
                report.error = "\(error)"
            }
        }
        record(report, url: job.webhook)
    }

    private func record(_ report: WebhookReport, url: String) {
        let store = self.store
        let policy = self.policy
        do {
            let (_, attempt) = try store.commit(
                changing: { state, now -> (RipMutation?, Applied, RipWebhookAttempt?) in
                    guard let mutation = state.decideWebhookAttempt(report, policy: policy, now: now) else {
                        return (nil, Applied(), nil)
                    }
                    let (recorded, applied, _) = try type(of: store).applying(mutation, to: &state, at: now)
                    return (recorded, applied, mutation.webhookAttempt)
                }, durability: nil)
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

/// The jobs whose delivery is under way.
private final class InFlight: Sendable {
    private let ids = Mutex<Set<String>>([])

    /// Whether `id` may start now: it is not under way, and fewer than `limit` are.
    func start(_ id: String, limit: Int) -> Bool {
        ids.withLock { $0.count < limit && $0.insert(id).inserted }
    }

    func end(_ id: String) {
        ids.withLock { _ = $0.remove(id) }
    }
}
