import Foundation
import RipCore
import RipProto
import RipServer
import RipTesting
import SwiftProtobuf
import Testing

/// The connection handler and method table driven in process: no daemon, no socket.
@Suite("Request path in process")
struct InProcessTests {
    static func frame(_ id: UInt64, _ method: String, _ message: some SwiftProtobuf.Message) throws -> [UInt8] {
        try InProcessDaemon.frame(id: id, method: method, payload: message.serializedBytes())
    }

    @Test("pipelined calls are all answered by id; changes replay to the same state")
    func pipelining() throws {
        let daemon = try InProcessDaemon()
        var bytes: [UInt8] = []
        for n in 1...20 {
            bytes += try Self.frame(UInt64(n), RipSessionService.createSession.path, RipCreateSessionRequest.with { $0.name = "s\(n)" })
        }
        bytes += try Self.frame(21, RipSessionService.createSession.path, RipCreateSessionRequest.with { $0.name = "s1" })
        bytes += try Self.frame(22, "/rip.v1.Nope/Nope", RipHealthRequest())
        let responses = try daemon.send(bytes)
        #expect(responses.map(\.id) == Array(1...22))
        #expect(responses.prefix(20).allSatisfy { $0.code == .ok && $0.endOfStream })
        #expect(responses[20].code == .alreadyExists && responses[21].code == .unimplemented)
        #expect(try daemon.replayMismatch() == nil)
    }

    @Test("a stream sends its events after the call that made them, and a unary call on its id is refused")
    func streams() throws {
        let daemon = try InProcessDaemon()
        var responses = try daemon.send(try Self.frame(7, RipSessionService.watchSessions.path, RipWatchSessionsRequest()))
        #expect(responses.isEmpty)
        responses = try daemon.send(
            try Self.frame(7, RipAdminService.health.path, RipHealthRequest())
                + Self.frame(8, RipSessionService.createSession.path, RipCreateSessionRequest.with { $0.name = "w" }))
        #expect(responses.map(\.id) == [7, 8, 7])
        #expect(responses[0].code == .invalidArgument && responses[0].endOfStream)
        #expect(try RipSessionEvent(serializedBytes: responses[2].payload).session.name == "w" && !responses[2].endOfStream)
        responses = try daemon.send(try InProcessDaemon.frame(id: 7, method: "", payload: []).cancelled)
        #expect(responses.count == 1 && responses[0].code == .cancelled && responses[0].endOfStream)
    }
}

extension Array where Element == UInt8 {
    /// This request frame turned into a cancel of its id.
    var cancelled: [UInt8] {
        get throws {
            var request = try RipRequest(serializedBytes: Array(dropFirst(4)))
            request.cancel = true
            let body: [UInt8] = try request.serializedBytes()
            let n = UInt32(body.count)
            return [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + body
        }
    }
}

/// The connection handler, the method table and the claim dispatcher, one behaviour each, in
/// process: the embedded loop's clock is the test's, so waits run out when the test says.
@Suite("Connection handler and claims in process")
struct ConnectionInProcessTests {
    @Test("a frame that is no request, a payload of the wrong type and a duplicate stream id each get INVALID_ARGUMENT; the connection goes on")
    func badFrames() throws {
        let daemon = try InProcessDaemon()
        let notARequest: [UInt8] = [0, 0, 0, 3, 0xFF, 0xFF, 0xFF]
        let wrongPayload = try InProcessDaemon.frame(id: 2, method: RipSessionService.getSession.path, payload: [0xFF, 0x01])
        var responses = try daemon.send(notARequest + wrongPayload)
        #expect(responses.map(\.id) == [0, 2] && responses.allSatisfy { $0.code == .invalidArgument })
        #expect(responses[0].message.contains("rip.v1.Request") && responses[1].message.contains("GetSessionRequest"))
        responses = try daemon.send(
            try InProcessTests.frame(3, RipSessionService.watchSessions.path, RipWatchSessionsRequest())
                + InProcessTests.frame(3, RipSessionService.watchSessions.path, RipWatchSessionsRequest())
                + InProcessTests.frame(4, RipAdminService.health.path, RipHealthRequest()))
        #expect(responses.map(\.id) == [3, 4])
        #expect(responses[0].code == .invalidArgument && responses[0].message.contains("already in flight"))
        #expect(responses[1].code == .ok)
    }

    @Test("a parked claim is answered by the submit that readies a job, in the same read")
    func parkedClaimServed() throws {
        let daemon = try InProcessDaemon()
        let claim = RipClaimRequest.with { $0.workerID = "w"; $0.leaseMs = 30_000; $0.waitMs = 60_000 }
        #expect(try daemon.send(try InProcessTests.frame(1, RipJobService.claim.path, claim)).isEmpty, "the claim did not park")
        let responses = try daemon.send(
            try InProcessTests.frame(2, RipJobService.submitJob.path, RipSubmitJobRequest.with { $0.urls = ["https://example.com/"] }))
        #expect(Set(responses.map(\.id)) == [1, 2] && responses.allSatisfy { $0.code == .ok })
        let submitted = try RipJob(serializedBytes: try #require(responses.first { $0.id == 2 }).payload)
        let claimed = try RipClaimResponse(serializedBytes: try #require(responses.first { $0.id == 1 }).payload)
        #expect(claimed.jobs.map(\.job.id) == [submitted.id])
        #expect(try daemon.replayMismatch() == nil)
    }

    @Test("a parked claim whose wait runs out is answered with no jobs; one its client cancels gets CANCELLED")
    func parkedClaimEnds() throws {
        let daemon = try InProcessDaemon()
        let claim = RipClaimRequest.with { $0.workerID = "w"; $0.leaseMs = 30_000; $0.waitMs = 5_000 }
        #expect(try daemon.send(try InProcessTests.frame(1, RipJobService.claim.path, claim) + InProcessTests.frame(2, RipJobService.claim.path, claim)).isEmpty)
        daemon.channel.embeddedEventLoop.advanceTime(by: .milliseconds(4_999))
        #expect(try daemon.send([]).isEmpty, "answered before its wait ran out")
        var responses = try daemon.send(try InProcessDaemon.frame(id: 2, method: "", payload: []).cancelled)
        #expect(responses.map(\.id) == [2] && responses[0].code == .cancelled)
        daemon.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        responses = try daemon.send([])
        #expect(responses.map(\.id) == [1] && responses[0].code == .ok)
        #expect(try RipClaimResponse(serializedBytes: responses[0].payload).jobs.isEmpty)
        // Nothing was leased: a job submitted now is there for the next claim.
        _ = try daemon.send(try InProcessTests.frame(3, RipJobService.submitJob.path, RipSubmitJobRequest.with { $0.urls = ["https://example.com/"] }))
        responses = try daemon.send(try InProcessTests.frame(4, RipJobService.claim.path, claim))
        #expect(try RipClaimResponse(serializedBytes: responses[0].payload).jobs.count == 1)
    }

    @Test("at --max-calls-per-connection calls awaiting replies, later frames wait unserved; the first reply out lets them in, in order")
    func callsInFlightCap() throws {
        var configuration = ServerConfiguration(socketPath: "", dataDirectory: "")
        configuration.connectionLimits.maxCallsPerConnection = 2
        let daemon = try InProcessDaemon(configuration: configuration)
        let claim = RipClaimRequest.with { $0.workerID = "w"; $0.leaseMs = 30_000; $0.waitMs = 1_000 }
        var responses = try daemon.send(
            try InProcessTests.frame(1, RipJobService.claim.path, claim) + InProcessTests.frame(2, RipJobService.claim.path, claim)
                + InProcessTests.frame(3, RipAdminService.health.path, RipHealthRequest())
                + InProcessTests.frame(4, RipSessionService.createSession.path, RipCreateSessionRequest.with { $0.name = "held" }))
        #expect(responses.isEmpty, "frames past the cap were served: \(responses.map(\.id))")
        #expect(try daemon.store.read { state, now in try state.sessions.list(.init(), now: now) }.isEmpty)
        daemon.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1_000))
        responses = try daemon.send([])
        // Claim 1's answer frees a place: the held frames are served, in order, before claim 2's.
        #expect(responses.map(\.id) == [1, 3, 4, 2] && responses.allSatisfy { $0.code == .ok }, "\(responses.map { ($0.id, $0.code) })")
    }

    @Test("Claim and Heartbeat are answered once applied; what a worker reports waits until its record is durable")
    func answeredWhenApplied() throws {
        let journal = MemoryJournal(holding: true)
        let daemon = try InProcessDaemon(journal: journal)
        let submit = RipSubmitJobRequest.with { $0.urls = ["https://example.com/"] }
        #expect(try daemon.send(try InProcessTests.frame(1, RipJobService.submitJob.path, submit)).isEmpty, "answered before durable")
        journal.release()
        #expect(try daemon.send([]).map(\.id) == [1])
        journal.hold()  // from here on nothing is durable until released
        var responses = try daemon.send(
            try InProcessTests.frame(2, RipJobService.claim.path, RipClaimRequest.with { $0.workerID = "w"; $0.leaseMs = 30_000 }))
        #expect(responses.map(\.id) == [2], "the claim waited for durability")
        let lease = try #require(try RipClaimResponse(serializedBytes: responses[0].payload).jobs.first)
        responses = try daemon.send(
            try InProcessTests.frame(3, RipJobService.heartbeat.path, RipHeartbeatRequest.with { $0.jobID = lease.job.id; $0.token = lease.token })
                + InProcessTests.frame(4, RipJobService.completeJob.path, RipCompleteJobRequest.with { $0.jobID = lease.job.id; $0.token = lease.token }))
        #expect(responses.map(\.id) == [3] && responses[0].code == .ok, "the heartbeat waited, or the completion did not")
        journal.release()
        #expect(try daemon.send([]).map(\.id) == [4])
        #expect(try daemon.replayMismatch() == nil)
    }

    @Test("CompleteAndClaim completes and leases the next job in one reply; a refused completion claims nothing; it long-polls like Claim")
    func completeAndClaim() throws {
        let daemon = try InProcessDaemon()
        var answered: [RipResponse] = []  // what came back with the submits (a parked call's answer)
        func submit(_ id: UInt64) throws -> RipJob {
            answered = try daemon.send(try InProcessTests.frame(
                id, RipJobService.submitJob.path, RipSubmitJobRequest.with { $0.urls = ["https://example.com/\(id)"] }))
            return try RipJob(serializedBytes: try #require(answered.first { $0.id == id }).payload)
        }
        let first = try submit(1), second = try submit(2)
        let claim = RipClaimRequest.with { $0.workerID = "w"; $0.leaseMs = 30_000 }
        var responses = try daemon.send(try InProcessTests.frame(3, RipJobService.claim.path, claim))
        let lease = try #require(try RipClaimResponse(serializedBytes: responses[0].payload).jobs.first)
        #expect(lease.job.id == first.id)

        // A wrong token: FAILED_PRECONDITION, and the second job stays ready.
        responses = try daemon.send(try InProcessTests.frame(4, RipJobService.completeAndClaim.path, RipCompleteAndClaimRequest.with {
            $0.complete = .with { $0.jobID = first.id; $0.token = "not the token" }
            $0.claim = claim
        }))
        #expect(responses.map(\.id) == [4] && responses[0].code == .failedPrecondition)
        // An invalid claim (each extreme in turn) is refused before the completion happens.
        let invalidClaims: [RipClaimRequest] = [
            .with { $0.workerID = "" },
            .with { $0.workerID = String(repeating: "w", count: 100_000) },
            .with { $0.workerID = "w\u{0}" },
            .with { $0.workerID = "w"; $0.leaseMs = .max },
            .with { $0.workerID = "w"; $0.leaseMs = 999 },
            .with { $0.workerID = "w"; $0.waitMs = .max },
            .with { $0.workerID = "w"; $0.maxJobs = .max },
            .with { $0.workerID = "w"; $0.methods = Array(repeating: "m", count: 10_000) },
        ]
        for invalid in invalidClaims {
            responses = try daemon.send(try InProcessTests.frame(5, RipJobService.completeAndClaim.path, RipCompleteAndClaimRequest.with {
                $0.complete = .with { $0.jobID = first.id; $0.token = lease.token }
                $0.claim = invalid
            }))
            #expect(responses.map(\.code) == [.invalidArgument], "\(responses.map(\.message))")
        }
        #expect(try daemon.store.read { state, now in try state.jobs.view(first.id, at: now) }.status == .running)

        responses = try daemon.send(try InProcessTests.frame(6, RipJobService.completeAndClaim.path, RipCompleteAndClaimRequest.with {
            $0.complete = .with { $0.jobID = first.id; $0.token = lease.token; $0.summary = "done" }
            $0.claim = claim
        }))
        var reply = try RipCompleteAndClaimResponse(serializedBytes: try #require(responses.first).payload)
        #expect(reply.completed.id == first.id && reply.completed.status == .completed)
        let next = try #require(reply.jobs.first)
        #expect(next.job.id == second.id && next.job.status == .running && !next.token.isEmpty)

        // Nothing ready: it parks, and a submit answers it.
        var waiting = claim
        waiting.waitMs = 60_000
        responses = try daemon.send(try InProcessTests.frame(7, RipJobService.completeAndClaim.path, RipCompleteAndClaimRequest.with {
            $0.complete = .with { $0.jobID = second.id; $0.token = next.token }
            $0.claim = waiting
        }))
        #expect(responses.isEmpty, "answered before a job was ready")
        let third = try submit(8)
        reply = try RipCompleteAndClaimResponse(serializedBytes: try #require(answered.first { $0.id == 7 }).payload)
        #expect(reply.completed.id == second.id && reply.jobs.map(\.job.id) == [third.id])
        #expect(try daemon.replayMismatch() == nil)
    }

    @Test("WatchJob ends with OK right after the event that finishes the job, after every event before it")
    func watchJobEnds() throws {
        let daemon = try InProcessDaemon()
        var responses = try daemon.send(
            try InProcessTests.frame(1, RipJobService.submitJob.path, RipSubmitJobRequest.with { $0.urls = ["https://example.com/"] }))
        let job = try RipJob(serializedBytes: responses[0].payload)
        responses = try daemon.send(
            try InProcessTests.frame(2, RipJobService.watchJob.path, RipWatchJobRequest.with { $0.jobID = job.id })
                + InProcessTests.frame(3, RipJobService.cancelJobs.path, RipCancelJobsRequest.with { $0.jobID = job.id }))
        let stream = responses.filter { $0.id == 2 }
        #expect(stream.count == 3, "expected the current job, its cancellation and the end: \(stream)")
        let kinds = try stream.dropLast().map { try RipJobEvent(serializedBytes: $0.payload).kind }
        #expect(kinds.first == .current && stream.last?.endOfStream == true && stream.last?.code == .ok)
        #expect(try RipJobEvent(serializedBytes: stream[1].payload).job.status == .cancelled)
    }
}
