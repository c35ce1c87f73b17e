import NIOCore
import RipCore
import RipEngine
import RipProto
import RipStorage
import RipWire
import Synchronization

/// Serves `Claim` calls: at once when jobs are ready, otherwise by parking the call until a
/// job becomes ready (`serve()`, after any change that readies one, and on the sweeper's
/// ticks for scheduled jobs) or its wait runs out.
///
/// A claim parks under the store's writer lock, in the same critical section that found
/// nothing ready, so a job submitted right after is always seen by `serve()`. Lock order:
/// store, then `parked`.
public final class ClaimDispatcher: Sendable {
    private struct Parked {
        let terms: ClaimTerms
        let promise: EventLoopPromise<RipClaimResponse>
    }

    private struct Waiting {
        var calls: [UInt64: Parked] = [:]
        var nextID: UInt64 = 1
        var closed = false
    }

    private let store: any StateEngine
    private let waiting = Mutex(Waiting())
    private let maxParked: Int

    public init(store: any StateEngine, maxParked: Int = ConnectionLimits().maxParkedClaims) {
        self.store = store
        self.maxParked = maxParked
    }

    public var hasWaiters: Bool { waiting.withLock { !$0.calls.isEmpty } }

    /// The claims parked now.
    public var waitingCount: Int { waiting.withLock { $0.calls.count } }

    /// Claims at once, or parks the claim until a job is ready, its wait runs out, its client
    /// cancels it (CANCELLED, nothing leased) or its connection closes.
    func claim(_ terms: ClaimTerms, call: CallContext) throws -> Reply<RipClaimResponse> {
        let loop = call.eventLoop
        var parked: (id: UInt64, promise: EventLoopPromise<RipClaimResponse>)?
        let reply = try store.commit(changing: { state, now in
            let (mutation, applied, response) = try state.claim(terms, now: now, token: RandomHex.make)
            if mutation == nil && terms.waitMs > 0 {
                parked = try waiting.withLock { waiting in
                    guard !waiting.closed else { return nil }  // stopping: answered now, with no jobs
                    guard waiting.calls.count < maxParked else {
                        throw RipError.resourceExhausted(
                            "\(maxParked) claims are already waiting for jobs; claim with a shorter wait_ms or retry later")
                    }
                    defer { waiting.nextID += 1 }
                    let promise = loop.makePromise(of: RipClaimResponse.self)
                    waiting.calls[waiting.nextID] = Parked(terms: terms, promise: promise)
                    return (waiting.nextID, promise)
                }
            }
            return (mutation, applied, response)
        }, on: loop, answered: .whenApplied) { _, response in response }
        guard let parked else { return reply }
        // Unless served first: answered with no jobs when its wait runs out or its client goes
        // away, CANCELLED when its client cancels it. A served claim removes its hook as it
        // leaves (`serve`); a cancel after that is too late, the reply carries the jobs.
        let release: @Sendable (RipError?) -> Void = { [self] error in
            guard let call = waiting.withLock({ $0.calls.removeValue(forKey: parked.id) }) else { return }
            if let error { call.promise.fail(error) } else { call.promise.succeed(.init()) }
        }
        let timeout = loop.scheduleTask(in: .milliseconds(Int64(terms.waitMs))) { release(nil) }
        let id = call.id
        let hook = call.closing.add(call: id) { reason in
            timeout.cancel()
            release(reason == .cancelled ? RipError(.cancelled, "call \(id) was cancelled by the client") : nil)
        }
        if let hook {
            parked.promise.futureResult.whenComplete { _ in
                timeout.cancel()
                call.closing.remove(hook)
            }
        }
        return .later(parked.promise.futureResult)
    }

    /// Offers ready jobs to parked claims, oldest first.
    public func serve() {
        let ids = waiting.withLock { $0.calls.isEmpty ? [] : $0.calls.keys.sorted() }
        for id in ids {
            var taken: Parked?
            guard let loop = waiting.withLock({ $0.calls[id] })?.promise.futureResult.eventLoop else { continue }
            do {
                // Answered once applied, as every claim is (`Answered.whenApplied`); the record
                // goes out with the parked call's loop's next batch.
                let (_, response) = try store.commit(changing: { state, now in
                    // Still parked (not timed out or served meanwhile) and something is ready.
                    guard let call = waiting.withLock({ $0.calls[id] }) else { return (nil, Applied(), RipClaimResponse()) }
                    let result = try state.claim(call.terms, now: now, token: RandomHex.make)
                    if result.mutation != nil { taken = waiting.withLock { $0.calls.removeValue(forKey: id) } }
                    return result
                }, durability: .unawaited(on: loop))
                taken?.promise.succeed(response)
            } catch {
                waiting.withLock { $0.calls.removeValue(forKey: id) }?.promise.fail(error)
            }
        }
    }

    /// Answers every parked claim with no jobs and parks no more: the daemon is stopping.
    public func close() {
        let calls = waiting.withLock { waiting in
            waiting.closed = true
            defer { waiting.calls.removeAll() }
            return Array(waiting.calls.values)
        }
        for call in calls { call.promise.succeed(.init()) }
    }
}
