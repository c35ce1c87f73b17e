import ArgumentParser
import Foundation
import RipClient
import RipProto

extension JobCommand {
    struct Results: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or save a job's results.",
            discussion: """
                Prints a report (json, text or markdown) of each URL's outcome. --output saves instead: a path \
                ending in .json, .txt or .md is the report file; any other path is a directory that gets \
                results.json|txt|md and, with --include-html, one file per URL with its content (001.html, \
                002.html, ...). Files are written by ripctl, never by ripd, and only where --output says: the \
                --output-dir a job was submitted with is shown as a hint, never written to unasked (whoever \
                submitted the job chose it).
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var id: JobID
        @Option(help: "json, text or markdown.") var format: ReportFormat = .text
        @Option(help: "A report file or a directory to save into; - (the default) prints.") var output: String?
        @Flag(help: "Include each URL's content (raw HTML) in the report or the directory.") var includeHtml = false

        enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
            case json, text, markdown

            var fileExtension: String {
                switch self {
                case .json: "json"
                case .text: "txt"
                case .markdown: "md"
                }
            }
        }

        func run() async throws {
            try await global.withClient { client, _ in
                var job = try await client.getJob(.with {
                    $0.jobID = id.jobID
                    $0.includeContent = includeHtml
                })
                if includeHtml {
                    // Outputs kept as artifacts of the job (what `ripctl worker run` does).
                    for index in job.results.indices where !job.results[index].artifactID.isEmpty {
                        var content = Data()
                        _ = try await ArtifactUpload.download(
                            client, id: job.results[index].artifactID, owner: .with { $0.jobID = job.id }
                        ) { content.append($0) }
                        job.results[index].content = content
                    }
                }
                guard let destination = output, destination != "-" else {
                    print(try report(job, contents: includeHtml))
                    if output == nil && !job.resultsPath.isEmpty {
                        FileHandle.standardError.write(Data(
                            "ripctl: the job was submitted with --output-dir \(job.resultsPath); add --output \(job.resultsPath) to save there\n".utf8))
                    }
                    return
                }
                let url = URL(fileURLWithPath: destination)
                if ["json", "txt", "md"].contains(url.pathExtension) {
                    try write(Data(try report(job, contents: includeHtml).utf8), to: url)
                    print("wrote \(url.path)")
                    return
                }
                try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
                let reportFile = url.appendingPathComponent("results.\(format.fileExtension)")
                try write(Data(try report(job, contents: false).utf8), to: reportFile)
                var written = 1
                if includeHtml {
                    for (index, result) in job.results.enumerated() where !result.content.isEmpty {
                        try write(result.content, to: url.appendingPathComponent(Self.contentFile(index)))
                        written += 1
                    }
                }
                print("wrote \(written) file(s) to \(url.path)")
            }
        }

        private func write(_ data: Data, to url: URL) throws {
            do {
                try data.write(to: url, options: .atomic)
            } catch {
                throw CommandFailure("cannot write \(url.path): \(error.localizedDescription)")
            }
        }

        static func contentFile(_ index: Int) -> String {
            String(format: "%03d.html", index + 1)
        }

        private func report(_ job: RipJob, contents: Bool) throws -> String {
            switch format {
            case .json:
                var job = job
                if !contents { for index in job.results.indices { job.results[index].content = Data() } }
                return try job.jsonString(options: Output.jsonOptions)
            case .text:
                var lines = [
                    "\(job.id)  \(job.name.isEmpty ? "-" : job.name)  \(job.status.word)  \(JobFormat.progress(job.progress))"
                ]
                if !job.summary.isEmpty { lines.append("summary: \(job.summary)") }
                if !job.error.isEmpty { lines.append("error: \(job.error)") }
                for result in job.results {
                    lines.append("\(result.ok ? "ok  " : "FAIL")  \(result.url)  \(Self.detail(result))")
                    if contents && !result.content.isEmpty { lines.append(String(decoding: result.content, as: UTF8.self)) }
                }
                return lines.joined(separator: "\n")
            case .markdown:
                var lines = [
                    "# \(job.name.isEmpty ? job.id : job.name)", "",
                    "- **Job:** `\(job.id)`", "- **Status:** \(job.status.word)", "- **Progress:** \(JobFormat.progress(job.progress))",
                ]
                if !job.summary.isEmpty { lines.append("- **Summary:** \(job.summary)") }
                if !job.error.isEmpty { lines.append("- **Error:** \(job.error)") }
                lines += ["", "| URL | Outcome | Details |", "|---|---|---|"]
                for result in job.results {
                    lines.append("| \(result.url) | \(result.ok ? "ok" : "failed") | \(Self.detail(result).replacingOccurrences(of: "|", with: "\\|")) |")
                }
                if contents {
                    for result in job.results where !result.content.isEmpty {
                        lines += ["", "## \(result.url)", "", "```html", String(decoding: result.content, as: UTF8.self), "```"]
                    }
                }
                return lines.joined(separator: "\n")
            }
        }

        private static func detail(_ result: RipJobResult) -> String {
            var parts = ["\(result.durationMs) ms", "\(result.size) bytes"]
            if !result.artifactID.isEmpty { parts.append("artifact \(result.artifactID)") }
            if !result.contentType.isEmpty { parts.append(result.contentType) }
            if !result.error.isEmpty { parts.append(result.error) }
            return parts.joined(separator: ", ")
        }
    }
}
