import ArgumentParser
import Foundation
import RipClient

/// The flags that describe a job, as `job submit` and `schedule add` take them.
struct JobTemplate: ParsableArguments {
    @Option(help: "A URL to extract (repeatable).") var url: [String]
    @Option(help: "Extraction method workers claim by (wasm, css, llm, regex, auto, ...).") var method = "auto"
    @Option(help: "Job name for identification.") var name: String?
    @Option(help: "low, medium, high or critical.") var priority: PriorityArgument = .medium
    @Option(help: "Directory `ripctl job results` saves to by default.") var outputDir: String?
    @Flag(help: "Batch mode: workers process the URLs in parallel.") var batch = false
    @Option(help: "Most URLs a worker processes at once in batch mode.") var maxConcurrent: UInt32 = 5
    @Option(help: "Comma-separated tags.") var tags: String?
    @Option(help: "A JSON file with additional configuration (an object) for the workers.") var config: String?
    @Option(help: "Session (name or id) whose user agent and headers workers get.") var session: String?
    @Option(help: "Start no earlier than this RFC 3339 time.") var runAt: String?
    @Option(help: "Start after this delay (90s, 15m, 2h, 1d).") var delay: String?
    @Option(help: "Retries after a failed attempt (default 3).") var maxRetries: UInt32?
    @Option(help: "Seconds one attempt may run before it fails (0 = no limit).") var timeout: UInt32 = 0
    @Option(help: "Create no second job with this key while one is unfinished (up to 256 characters).")
    var uniqueKey: String?
    @Option(help: "Keep the key held this long after the job finished (90s, 15m, 2h, 1d; needs --unique-key).")
    var uniqueFor: String?
    @Option(help: "A job this one waits for (repeatable): it runs once each completed, and is cancelled if one does not.")
    var after: [String] = []
    @Flag(help: "With --after: run once each of them finished, however it finished.") var afterAny = false
    @Option(help: "The limit key (`ripctl limit set`) instead of the first URL's registrable domain.")
    var rateKey: String?
    @Option(help: ArgumentHelp(
        "A URL ripd POSTs the job's summary (JSON) to when it finishes, retrying on failure.",
        discussion: "ripd must allow it: `ripd --webhook-allow 'https://hooks.example.com/*'`."))
    var webhook: String?

    /// The SubmitJob request these flags describe (the --config file read here).
    func request() throws -> RipSubmitJobRequest {
        var request = RipSubmitJobRequest.with {
            $0.urls = url
            $0.method = method
            $0.name = name ?? ""
            $0.priority = priority.message
            $0.batch = batch
            $0.maxConcurrent = maxConcurrent
            $0.tags = tags.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
            $0.session = session ?? ""
            $0.timeoutSeconds = timeout
            $0.after = after
            $0.afterAny = afterAny
            if let maxRetries { $0.maxRetries = .init(maxRetries) }
            if let outputDir { $0.resultsPath = URL(fileURLWithPath: outputDir).standardizedFileURL.path }
            if let uniqueKey { $0.uniqueKey = uniqueKey }
            if let rateKey { $0.rateKey = rateKey }
            if let webhook { $0.webhook = webhook }
        }
        if let config {
            guard let data = FileManager.default.contents(atPath: config) else {
                throw ValidationError("cannot read --config \(config)")
            }
            request.configJson = String(decoding: data, as: UTF8.self)
        }
        if let runAt {
            guard let time = Google_Protobuf_Timestamp(rfc3339: runAt) else {
                throw ValidationError("--run-at takes an RFC 3339 time such as 2026-12-01T08:00:00Z, got '\(runAt)'")
            }
            request.runAt = time
        }
        if let delay { request.delayMs = try JobFormat.milliseconds(delay, option: "--delay") }
        if let uniqueFor { request.uniqueForMs = try JobFormat.milliseconds(uniqueFor, option: "--unique-for") }
        return request
    }
}
