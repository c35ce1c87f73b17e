import ArgumentParser
import Foundation
import RipClient
import RipProto
import SwiftProtobuf

struct ArtifactCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "artifact",
        abstract: "Store, fetch and query artifacts: content-addressed blobs owned by a session or a job.",
        discussion: """
            Contents move in 4 MiB chunks; identical contents are stored once. Files are read and written by \
            ripctl, never by ripd.
              ripctl artifact put --session crawl --file page.html --type tool_result --tag html --meta url=https://a.example
              ripctl artifact get ART --session crawl --output page.html
              ripctl artifact query --session crawl --type tool_result --name '*.html' --min-size 1024
            """,
        subcommands: [Put.self, Get.self, Info.self, List.self, Remove.self, Query.self, Stats.self]
    )

    /// --session or --job: whose artifacts.
    struct OwnerOptions: ParsableArguments {
        @Option(help: "The owning session (name or id).") var session: String?
        @Option(help: "The owning job's id.") var job: String?

        func validate() throws {
            guard (session == nil) != (job == nil) else { throw ValidationError("give either --session or --job") }
        }

        var owner: RipArtifactOwner {
            .with {
                $0.session = session ?? ""
                $0.jobID = job ?? ""
            }
        }
    }

    enum TypeArgument: String, ExpressibleByArgument, CaseIterable {
        case userInput = "user_input", toolResult = "tool_result", agentOutput = "agent_output"
        case systemGenerated = "system_generated", result, log

        var message: RipArtifactType {
            switch self {
            case .userInput: .userInput
            case .toolResult: .toolResult
            case .agentOutput: .agentOutput
            case .systemGenerated: .systemGenerated
            case .result: .result
            case .log: .log
            }
        }

        static func word(_ type: RipArtifactType) -> String {
            allCases.first { $0.message == type }?.rawValue ?? "unspecified"
        }
    }

    static func table(_ artifacts: [RipArtifact]) -> String {
        guard !artifacts.isEmpty else { return "no artifacts" }
        return Output.table(
            ["ID", "NAME", "TYPE", "SIZE", "SHA-256", "CREATED", "TAGS"],
            artifacts.map { artifact in
                [artifact.id, artifact.name, TypeArgument.word(artifact.type), "\(artifact.size)",
                 String(artifact.sha256.prefix(12)), artifact.createdAt.rfc3339, artifact.tags.joined(separator: ",")]
            })
    }

    static func details(_ artifact: RipArtifact) -> String {
        Output.fields([
            ("id", artifact.id), ("owner", artifact.ownerID), ("name", artifact.name),
            ("type", TypeArgument.word(artifact.type)),
            ("content type", artifact.contentType.isEmpty ? "-" : artifact.contentType),
            ("size", "\(artifact.size) bytes (stored: \(artifact.storedSize), \(artifact.encoding))"),
            ("sha256", artifact.sha256), ("created", artifact.createdAt.rfc3339),
            ("tags", artifact.tags.isEmpty ? "-" : artifact.tags.joined(separator: ",")),
            ("metadata", artifact.metadata.isEmpty ? "-" : artifact.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")),
        ])
    }

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Upload a file (or stdin with --file -) as an artifact; prints it.",
            discussion: """
                A regular file (stdin too, when redirected from one) is handed to ripd as a file descriptor \
                on its descriptor socket, and ripd reads it itself; where that socket cannot be used, the \
                bytes go in chunks. Otherwise, or with --chunked, the bytes \
                go in chunks with their SHA-256, and ripd refuses (DATA_LOSS) a mismatch.
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var owner: OwnerOptions
        @Option(help: "The file to upload; - reads stdin.") var file: String
        @Option(help: "The artifact's name (default: the file's name).") var name: String?
        @Option(help: "user_input, tool_result, agent_output, system_generated, result or log.") var type: TypeArgument = .userInput
        @Option(help: "Content type, such as text/html.") var contentType: String?
        @Option(help: "A tag (repeatable).") var tag: [String] = []
        @Option(help: "A metadata entry key=value (repeatable).") var meta: [String] = []
        @Flag(help: "Send the bytes in chunks even when ripd could read the file itself.") var chunked = false

        func run() async throws {
            let metadata = try Dictionary(meta.map { entry -> (String, String) in
                guard let equals = entry.firstIndex(of: "=") else { throw ValidationError("--meta takes key=value, got '\(entry)'") }
                return (String(entry[..<equals]), String(entry[entry.index(after: equals)...]))
            }, uniquingKeysWith: { $1 })
            guard let input = file == "-" ? FileHandle.standardInput : FileHandle(forReadingAtPath: file) else {
                throw ValidationError("cannot read --file \(file)")
            }
            let commit = RipCommitUploadRequest.with {
                $0.name = name ?? (file == "-" ? "stdin" : URL(fileURLWithPath: file).lastPathComponent)
                $0.type = type.message
                $0.contentType = contentType ?? ""
                $0.tags = tag
                $0.metadata = metadata
            }
            try await global.withClient { client, output in
                let artifact: RipArtifact
                if !chunked, ArtifactUpload.isWholeRegularFile(input.fileDescriptor),
                    let put = try await ArtifactUpload.putFile(client, owner: owner.owner, commit: commit, descriptor: input.fileDescriptor)
                {
                    artifact = put
                } else {
                    artifact = try await ArtifactUpload.upload(client, owner: owner.owner, commit: commit) {
                        try input.read(upToCount: RipLimits.Artifact.maxChunkBytes)
                    }
                }
                try output.emit(artifact) { "\(artifact.id)  \(artifact.name)  \(artifact.size) bytes  sha256 \(artifact.sha256)" }
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download an artifact's content to a file (written by ripctl) or stdout.",
            discussion: """
                Where ripd keeps the content as a plain file it hands ripctl a read-only descriptor of it \
                and the kernel copies it; otherwise, or with --chunked, the bytes come in ranged reads.
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var owner: OwnerOptions
        @Argument(help: "The artifact's id.") var id: String
        @Option(help: "The file to write; - writes stdout.") var output: String = "-"
        @Flag(help: "Read the bytes in ranged calls even when ripd could hand over the file.") var chunked = false

        func run() async throws {
            try await global.withClient { client, _ in
                let temporary = output == "-" ? nil : output + ".part-\(getpid())"
                if let temporary {
                    guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
                        throw CommandFailure("cannot create \(temporary)")
                    }
                }
                let sink = temporary.flatMap { FileHandle(forWritingAtPath: $0) } ?? FileHandle.standardOutput
                let written: UInt64
                do {
                    if !chunked, let copied = try await ArtifactUpload.copyFile(client, id: id, owner: owner.owner, to: sink.fileDescriptor) {
                        written = copied
                    } else {
                        written = try await ArtifactUpload.download(client, id: id, owner: owner.owner) { try sink.write(contentsOf: $0) }
                    }
                } catch {
                    if let temporary { try? FileManager.default.removeItem(atPath: temporary) }
                    throw error
                }
                if let temporary {
                    try sink.close()
                    guard rename(temporary, output) == 0 else { throw CommandFailure("cannot write \(output)") }
                    FileHandle.standardError.write(Data("wrote \(written) bytes to \(output)\n".utf8))
                }
            }
        }
    }

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an artifact's record.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var owner: OwnerOptions
        @Argument(help: "The artifact's id.") var id: String

        func run() async throws {
            try await global.withClient { client, output in
                let artifact = try await client.getArtifact(.with { $0.artifactID = id; $0.owner = owner.owner })
                try output.emit(artifact) { ArtifactCommand.details(artifact) }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a session's or a job's artifacts, newest first.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var owner: OwnerOptions

        func run() async throws {
            try await global.withClient { client, output in
                let response = try await client.queryArtifacts(.with { $0.owner = owner.owner; $0.limit = 1000 })
                try output.emit(response) { ArtifactCommand.table(response.artifacts) }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm", abstract: "Remove an artifact; its content goes with the last artifact that holds it.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var owner: OwnerOptions
        @Argument(help: "The artifact's id.") var id: String

        func run() async throws {
            try await global.withClient { client, output in
                let response = try await client.deleteArtifact(.with { $0.artifactID = id; $0.owner = owner.owner })
                try output.emit(response) {
                    "removed \(response.deleted.id)" + (response.blobRemoved ? " and its content" : " (its content is still held)")
                }
            }
        }
    }

    struct Query: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find artifacts by type, tags, name, time and size.",
            discussion: "Every filter given must match; --tag repeated means all the tags. Pages: --cursor.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var owner: OwnerOptions
        @Option(help: "Only this type (repeatable).") var type: [TypeArgument] = []
        @Option(help: "Only artifacts with this tag (repeatable: all must match).") var tag: [String] = []
        @Option(help: "A name glob: * any characters, ? one.") var name: String?
        @Option(help: "Created after this RFC 3339 time.") var createdAfter: String?
        @Option(help: "Created before this RFC 3339 time.") var createdBefore: String?
        @Option(help: "At least this many bytes.") var minSize: UInt64?
        @Option(help: "At most this many bytes.") var maxSize: UInt64?
        @Option(help: "Most artifacts to list (at most 1000).") var limit: UInt32 = 100
        @Option(help: "Continue after the page that printed this cursor.") var cursor: String?

        func run() async throws {
            func time(_ text: String?, _ option: String) throws -> Google_Protobuf_Timestamp? {
                guard let text else { return nil }
                guard let time = Google_Protobuf_Timestamp(rfc3339: text) else {
                    throw ValidationError("\(option) takes an RFC 3339 time, got '\(text)'")
                }
                return time
            }
            let after = try time(createdAfter, "--created-after"), before = try time(createdBefore, "--created-before")
            try await global.withClient { client, output in
                let response = try await client.queryArtifacts(.with {
                    $0.owner = owner.owner
                    $0.types = type.map(\.message)
                    $0.tags = tag
                    $0.nameGlob = name ?? ""
                    if let after { $0.createdAfter = after }
                    if let before { $0.createdBefore = before }
                    $0.minSize = minSize ?? 0
                    $0.maxSize = maxSize ?? 0
                    $0.limit = limit
                    $0.cursor = cursor ?? ""
                })
                try output.emit(response) { ArtifactCommand.table(response.artifacts) }
                output.nextPage(response.nextCursor)
            }
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Artifact counts by type, and logical against physical bytes (what deduplication saves).")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await global.withClient { client, output in
                let stats = try await client.artifactStats()
                try output.emit(stats) {
                    Output.fields(
                        [
                            ("artifacts", "\(stats.artifacts)"), ("blobs", "\(stats.blobs)"),
                            ("logical bytes", "\(stats.logicalBytes)"), ("unique bytes", "\(stats.uniqueBytes)"),
                            ("physical bytes", "\(stats.physicalBytes)"),
                        ] + stats.byType.map { (TypeArgument.word($0.type), "\($0.artifacts)") })
                }
            }
        }
    }
}
