import ArgumentParser
import Foundation
import Histogram
import NIOCore
import NIOPosix
import RipClient
import Synchronization

@main
enum RipbenchMain {
    /// Runs Swift concurrency's jobs on NIO's event loops, so a call's continuation resumes on
    /// the loop that read its reply instead of hopping to the global pool: the measured
    /// latency is then the daemon's and the socket's, not thread wake-ups in the load generator.
    static func main() async {
        let command = Ripbench.parseOrExit()
        NIOSingletons.groupLoopCountSuggestion = command.clientThreads
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        do {
            try await command.run()
        } catch {
            Ripbench.exit(withError: error)
        }
    }
}

struct Ripbench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ripbench",
        abstract: "Load ripd with N connections × D calls in flight each; print ops/s and latency percentiles.",
        discussion: """
            Each connection is one RipClient; on each, --depth tasks call back to back, so up to N×D calls are \
            in flight. Latency is measured per call (send to reply) into HdrHistogram. Start ripd first; \
            ripbench creates one session named ripbench-N to target.
            Examples:
              ripbench --connections 1 --depth 1 --call get-session
              ripbench --connections 50 --depth 1 --call health --duration 10
              ripbench --connections 4 --depth 32 --call add-headers --json
            """)

    enum Call: String, ExpressibleByArgument, CaseIterable {
        case health
        case getSession = "get-session"
        case addHeaders = "add-headers"
        case recordRequest = "record-request"
        /// The Cookie header for one of 300 URLs in turn, from a jar of 3,000 cookies.
        case cookieHeader = "cookie-header"
        /// One Set-Cookie line per call into such a jar (a durable write).
        case storeCookies = "store-cookies"
        /// A new 4 KiB artifact per call (begin, append, commit; every content distinct, so
        /// each is a new blob). Start ripd with a high --max-artifacts-per-owner.
        case putArtifact = "put-artifact"
        /// One job's life per call: SubmitJob with a rate key (one of 1,000 in turn), Claim
        /// without waiting, CompleteJob of what the claim got. With --limited-keys, that many of
        /// the keys have a concurrency limit of 1, so claims skip jobs whose key runs one.
        case jobCycle = "job-cycle"
    }

    @Option(help: "The daemon's socket.") var socket: String = RipDefaults.socketPath()
    @Option(help: "Connections, each its own RipClient.") var connections = 1
    @Option(help: "Calls in flight on each connection.") var depth = 1
    @Option(help: "The call: \(Call.allCases.map(\.rawValue).joined(separator: ", ")).") var call: Call = .getSession
    @Option(help: "Seconds to measure.") var duration: Double = 5
    @Option(help: "Seconds of unmeasured warm-up.") var warmup: Double = 1
    @Option(help: "Event-loop threads of the load generator itself (1 keeps each call on one thread).")
    var clientThreads = 1
    @Flag(help: "Print one JSON object.") var json = false
    @Flag(help: "Run cookie-header or store-cookies against an in-memory state in this process, one call at a time: the engine's cost without the socket.")
    var inProcess = false
    @Flag(help: "cookie-header asks for the header alone, without the cookies behind it.") var headerOnly = false
    @Option(help: "job-cycle: how many of its 1,000 rate keys get a concurrency limit of 1.") var limitedKeys = 0

    func validate() throws {
        guard (1...1000).contains(connections), (1...1024).contains(depth) else {
            throw ValidationError("--connections must be 1–1000 and --depth 1–1024")
        }
        guard duration > 0, warmup >= 0 else { throw ValidationError("--duration must be positive") }
        guard (1...64).contains(clientThreads) else { throw ValidationError("--client-threads must be 1–64") }
        if inProcess, call != .cookieHeader, call != .storeCookies {
            throw ValidationError("--in-process runs cookie-header or store-cookies")
        }
    }

    func run() async throws {
        if inProcess {
            return report(try InProcessCookies(call: call, headerOnly: headerOnly).measure(warmup: warmup, duration: duration))
        }
        let clients = try await (0..<connections).asyncMap { _ in try await RipClient.connect(to: socket) }
        let target = "ripbench-\(getpid())"
        _ = try await clients[0].createSession(.with { $0.name = target })
        if call == .cookieHeader || call == .storeCookies {
            for request in CookieWorkload.fill(session: target) { _ = try await clients[0].storeResponseCookies(request) }
        }
        for key in 0..<limitedKeys {
            _ = try await clients[0].setLimit(.with { $0.key = "bench-key-\(key)"; $0.concurrency = 1 })
        }
        let operation = Self.operation(call, session: target, headerOnly: headerOnly)

        let start = ContinuousClock.now
        let measureFrom = start + .seconds(warmup)
        let end = measureFrom + .seconds(duration)
        let histogram = try await withThrowingTaskGroup(of: Histogram<UInt64>.self) { group in
            for client in clients {
                for _ in 0..<depth {
                    group.addTask {
                        var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
                        while true {
                            let begin = ContinuousClock.now
                            guard begin < end else { break }
                            try await operation(client)
                            if begin >= measureFrom {
                                _ = histogram.record((ContinuousClock.now - begin).nanoseconds)
                            }
                        }
                        return histogram
                    }
                }
            }
            var total = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
            for try await part in group { total.add(part) }
            return total
        }
        _ = try await clients[0].deleteSessions(.with { $0.sessions = [target] })
        for client in clients { await client.close() }
        report(histogram)
    }

    func report(_ histogram: Histogram<UInt64>) {
        let ops = Double(histogram.totalCount) / duration
        let variant = headerOnly ? " --header-only" : limitedKeys > 0 ? " --limited-keys \(limitedKeys)" : ""
        let micros = { (p: Double) in Double(histogram.valueAtPercentile(p)) / 1000 }
        if json {
            print(String(format: #"{"call":"%@%@","connections":%d,"depth":%d,"seconds":%.1f,"calls":%llu,"ops_per_sec":%.0f,"p50_us":%.1f,"p99_us":%.1f,"p999_us":%.1f}"#,
                call.rawValue, variant, connections, depth, duration, histogram.totalCount, ops, micros(50), micros(99), micros(99.9)))
        } else {
            print(String(format: "%@%@  connections=%d depth=%d  %.0f ops/s  p50 %.1f µs  p99 %.1f µs  p999 %.1f µs  (%llu calls in %.1f s)",
                call.rawValue, variant, connections, depth, ops, micros(50), micros(99), micros(99.9), histogram.totalCount, duration))
        }
    }

    private static func operation(_ call: Call, session: String, headerOnly: Bool) -> @Sendable (RipClient) async throws -> Void {
        switch call {
        case .health:
            return { _ = try await $0.health() }
        case .getSession:
            return { _ = try await $0.getSession(.with { $0.session = session }) }
        case .addHeaders:
            return { _ = try await $0.addHeaders(.with { $0.session = session; $0.headers = ["X-Bench": "1"] }) }
        case .recordRequest:
            return { _ = try await $0.recordRequest(.with { $0.session = session; $0.url = "https://bench.example/"; $0.success = true }) }
        case .cookieHeader:
            let requests = CookieWorkload.lookups(session: session, headerOnly: headerOnly)
            let next = Atomic<Int>(0)
            return { _ = try await $0.cookieHeader(requests[next.add(1, ordering: .relaxed).oldValue % requests.count]) }
        case .storeCookies:
            let requests = CookieWorkload.stores(session: session)
            let next = Atomic<Int>(0)
            return { _ = try await $0.storeResponseCookies(requests[next.add(1, ordering: .relaxed).oldValue % requests.count]) }
        case .putArtifact:
            let next = Atomic<Int>(0)
            let filler = Data(repeating: UInt8(ascii: "x"), count: 4096)
            return { client in
                var content = Data("\(getpid())-\(next.add(1, ordering: .relaxed).oldValue)-".utf8)
                content.append(filler.prefix(4096 - content.count))
                let upload = try await client.beginUpload(.with { $0.owner.session = session }).uploadID
                _ = try await client.appendUpload(.with { $0.uploadID = upload; $0.data = content })
                _ = try await client.commitUpload(.with { $0.uploadID = upload; $0.name = "bench" })
            }
        case .jobCycle:
            let next = Atomic<Int>(0)
            let method = "bench-\(getpid())"
            return { client in
                let key = "bench-key-\(next.add(1, ordering: .relaxed).oldValue % 1000)"
                _ = try await client.submitJob(.with { $0.urls = ["https://bench.example/"]; $0.method = method; $0.rateKey = key })
                for claimed in try await client.claim(.with { $0.workerID = "bench"; $0.methods = [method] }).jobs {
                    _ = try await client.completeJob(.with { $0.jobID = claimed.job.id; $0.token = claimed.token })
                }
            }
        }
    }
}

extension Duration {
    fileprivate var nanoseconds: UInt64 {
        UInt64(components.seconds) * 1_000_000_000 + UInt64(components.attoseconds / 1_000_000_000)
    }
}

extension Sequence {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async throws -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
