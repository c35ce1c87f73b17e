import NIOCore
import RipCore
import RipProto
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
        let promise: EventLoopPromise<Rip_V1_ClaimResponse>
    }

    private struct Waiting {
        var calls: [UInt64: Parked] = [:]
        var nextID: UInt64 = 1
        var closed = false
    }

    private let store: StateStore
    private let waiting = Mutex(Waiting())

    public init(store: StateStore) { self.store = store }

    public var hasWaiters: Bool { waiting.withLock { !$0.calls.isEmpty } }

    /// The claims parked now.
    public var waitingCount: Int { waiting.withLock { $0.calls.count } }

    func claim(_ terms: ClaimTerms, on loop: any EventLoop) throws -> Reply<Rip_V1_ClaimResponse> {
        var parked: (id: UInt64, promise: EventLoopPromise<Rip_V1_ClaimResponse>)?
        let reply = try store.commit(changing: { state, now in
            let (mutation, applied, response) = try state.claim(terms, now: now, token: RandomHex.make)
            if mutation == nil && terms.waitMs > 0 {
                let promise = loop.makePromise(of: Rip_V1_ClaimResponse.self)
                let id = waiting.withLock { waiting -> UInt64? in
                    guard !waiting.closed else { return nil }
                    let id = waiting.nextID
                    waiting.nextID += 1
                    waiting.calls[id] = Parked(terms: terms, promise: promise)
                    return id
                }
                if let id { parked = (id, promise) } else { promise.succeed(.init()) }
            }
            return (mutation, applied, response)
        }, on: loop) { _, response in response }
        guard let parked else { return reply }
        loop.scheduleTask(in: .milliseconds(Int64(terms.waitMs))) { [self] in
            waiting.withLock { $0.calls.removeValue(forKey: parked.id) }?.promise.succeed(.init())
        }
        return .later(parked.promise.futureResult)
    }

    /// Offers ready jobs to parked claims, oldest first.
    public func serve() {
        let ids = waiting.withLock { $0.calls.isEmpty ? [] : $0.calls.keys.sorted() }
        for id in ids {
            var taken: Parked?
            let durable = waiting.withLock { $0.calls[id] }.map { $0.promise.futureResult.eventLoop.makePromise(of: Void.self) }
            guard let durable else { continue }
            do {
                let (_, response) = try store.commit(changing: { state, now in
                    // Still parked (not timed out or served meanwhile) and something is ready.
                    guard let call = waiting.withLock({ $0.calls[id] }) else { return (nil, Applied(), Rip_V1_ClaimResponse()) }
                    let result = try state.claim(call.terms, now: now, token: RandomHex.make)
                    if result.mutation != nil { taken = waiting.withLock { $0.calls.removeValue(forKey: id) } }
                    return result
                }, durable: durable)
                guard let taken else { continue }
                durable.futureResult.whenComplete { result in
                    switch result {
                    case .success: taken.promise.succeed(response)
                    case .failure(let error): taken.promise.fail(error)
                    }
                }
            } catch {
                durable.fail(error)
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
