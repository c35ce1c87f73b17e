import ArgumentParser
import Foundation
import RipClient
import RipProto

/// Changes ripd without pause until killed, journaling each outcome: sessions created and
/// deleted, cookies set, jobs submitted, artifacts uploaded, all in names of its own.
struct SoakClient: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "client", abstract: "Change ripd without pause; journal every outcome.")

    @Option(help: "The daemon's socket.") var socket: String
    @Option(help: "The journal file to append to.") var journal: String
    @Option(help: "This client's number; its names start with w<N>-.") var id: Int

    func run() async throws {
        // Appended to, never truncated: a restarted client keeps its earlier entries.
        guard FileManager.default.fileExists(atPath: journal) || FileManager.default.createFile(atPath: journal, contents: nil) else {
            throw ValidationError("cannot create the journal \(journal)")
        }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: journal))
        try output.seekToEnd()
        func record(_ entry: SoakEntry) { output.write(Data((entry.line + "\n").utf8)) }
        var generator = SystemRandomNumberGenerator()
        var live: [String] = []
        var counter = 0
        var client = try await connect(socket, patience: nil)
        while true {
            counter += 1
            let name = "w\(id)-\(counter)"
            do {
                switch (live.isEmpty ? 0 : Int.random(in: 0..<10, using: &generator)) {
                case 0, 1, 2:
                    do {
                        _ = try await client.createSession(.with { $0.name = name; $0.tags = ["soak"] })
                        live.append(name)
                        record(.session(name))
                    } catch let error as RipError where error.code != .unavailable {
                        record(.refusedSession(name))
                    } catch {
                        record(.unknownSession(name))
                        throw error
                    }
                case 3:
                    let victim = live.remove(at: Int.random(in: 0..<live.count, using: &generator))
                    record(.deleting(victim))
                    do {
                        _ = try await client.deleteSessions(.with { $0.sessions = [victim] })
                        record(.sessionDeleted(victim))
                    } catch {
                        record(.unknownSession(victim))
                        throw error
                    }
                case 4, 5, 6:
                    let session = live.randomElement(using: &generator)!
                    _ = try await client.setCookie(.with {
                        $0.session = session
                        $0.cookie = .with { $0.name = "c\(counter)"; $0.value = "v\(counter)"; $0.domain = "example.com"; $0.path = "/" }
                    })
                    record(.cookie(session: session, name: "c\(counter)", value: "v\(counter)"))
                case 7, 8:
                    let job = try await client.submitJob(.with { $0.urls = ["https://example.com/\(name)"]; $0.tags = ["w\(id)"] })
                    record(.job(job.id))
                default:
                    let session = live.randomElement(using: &generator)!
                    let content = Data((0..<Int.random(in: 1...8192, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
                    let upload = try await client.beginUpload(.with { $0.owner.session = session }).uploadID
                    _ = try await client.appendUpload(.with { $0.uploadID = upload; $0.data = content })
                    let artifact = try await client.commitUpload(.with { $0.uploadID = upload; $0.name = "\(name).bin" })
                    record(.artifact(session: session, id: artifact.id, sha256: artifact.sha256))
                }
            } catch {
                // ripd was killed or is restarting: reconnect and go on.
                await client.close()
                client = try await connect(socket, patience: nil)
            }
        }
    }
}
