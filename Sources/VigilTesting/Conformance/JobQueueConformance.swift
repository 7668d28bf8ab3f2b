import Foundation
import VigilCore

/// A conformance suite for `JobQueue` implementations — run it from a host's own tests
/// against its PostgreSQL, SQS-backed or other queue to prove it keeps the at-least-once contract.
///
/// Plain async code (no test framework): returns when every property holds, throws a
/// ``ConformanceFailure`` naming the first that does not.
///
/// ```swift
/// @Test func postgresQueueConforms() async throws {
///     try await JobQueueConformance.run(makeQueue: { now, maxDeliveries in
///         try await PostgresJobQueue<Int>(pool: pool, table: "q_\(UUID())", maxDeliveries: maxDeliveries, now: now)
///     }, clock: TestClock())
/// }
/// ```
///
/// `makeQueue` is called once per property and must return an **empty** queue that takes all its time
/// from `now` (``TestClock/wall``) and dead-letters after `maxDeliveries` deliveries (the suite passes
/// 3). The suite moves time with ``TestClock/advance(by:)`` and never sleeps; durations are whole
/// seconds.
public enum JobQueueConformance {
    /// The properties the suite checks, in the order it checks them.
    public enum Property: String, CaseIterable, Sendable {
        /// A leased job is invisible to other leases until its lease ends; `lease(max:)` returns at
        /// most `max` jobs; the first delivery has count 1 and the enqueue date.
        case leaseHidesJob
        /// When a lease expires, its token is dead (`ack` and `retry` throw `leaseLost`) and the job is
        /// delivered again with delivery count + 1, a new token and the same first-enqueued date.
        case expiryRedelivers
        /// An acknowledged job never comes back, even after its lease would have ended; acknowledging
        /// twice is `leaseLost`.
        case ackRemoves
        /// `retry(after:)` hides the job until the delay has passed, then delivers it again; a stale
        /// token's retry is `leaseLost`.
        case retryDelays
        /// A retry on the last permitted delivery moves the job to the dead letters with its reason.
        case maxDeliveriesDeadLetter
        /// A job whose last permitted lease expires is dead-lettered instead of delivered again.
        case expiredLastLeaseDeadLetters
        /// A job enqueued with `notBefore` stays invisible until then; a past `notBefore` is "now".
        case notBeforeRespected
        /// Concurrent callers never receive the same job twice while no lease expires: a storm of
        /// `workers × jobsPerWorker` simultaneous `lease(max: 1)` calls gets that many different jobs,
        /// then `workers` workers leasing batches and acknowledging drain as many jobs again, each
        /// delivered exactly once, every ack succeeding.
        case concurrentLeasersExclusive
    }

    /// The `maxDeliveries` the suite asks `makeQueue` for.
    public static let maxDeliveries = 3

    /// Runs the suite on a queue of any job type.
    ///
    /// - Parameters:
    ///   - makeQueue: creates an empty queue using `now` and `maxDeliveries`.
    ///   - makeJob: makes the `n`-th distinct job (distinct `n` must give unequal jobs).
    ///   - clock: the clock the suite advances; its ``TestClock/wall`` is passed to `makeQueue`.
    ///   - properties: which properties to check (default all).
    ///   - workers: concurrent workers in ``Property/concurrentLeasersExclusive``. Default 4.
    ///   - jobsPerWorker: jobs per worker there. Default 250.
    /// - Throws: ``ConformanceFailure`` for the first property that does not hold.
    public static func run<Q: JobQueue>(
        makeQueue: (_ now: @escaping @Sendable () -> Date, _ maxDeliveries: Int) async throws -> Q,
        makeJob: @escaping @Sendable (Int) -> Q.Job,
        clock: TestClock,
        properties: [Property] = Property.allCases,
        workers: Int = 4,
        jobsPerWorker: Int = 250
    ) async throws where Q.Job: Hashable {
        for property in properties {
            let check = PropertyCheck(suite: "JobQueueConformance", property: property.rawValue)
            try await check.run {
                let queue = try await makeQueue(clock.wall, maxDeliveries)
                let suite = Run(queue: queue, makeJob: makeJob, clock: clock, check: check)
                switch property {
                case .leaseHidesJob: try await suite.leaseHidesJob()
                case .expiryRedelivers: try await suite.expiryRedelivers()
                case .ackRemoves: try await suite.ackRemoves()
                case .retryDelays: try await suite.retryDelays()
                case .maxDeliveriesDeadLetter: try await suite.maxDeliveriesDeadLetter()
                case .expiredLastLeaseDeadLetters: try await suite.expiredLastLeaseDeadLetters()
                case .notBeforeRespected: try await suite.notBeforeRespected()
                case .concurrentLeasersExclusive:
                    try await suite.concurrentLeasersExclusive(workers: workers, jobsPerWorker: jobsPerWorker)
                }
            }
        }
    }

    /// Runs the suite on a queue of `Int` jobs.
    public static func run<Q: JobQueue>(
        makeQueue: (_ now: @escaping @Sendable () -> Date, _ maxDeliveries: Int) async throws -> Q,
        clock: TestClock,
        properties: [Property] = Property.allCases,
        workers: Int = 4,
        jobsPerWorker: Int = 250
    ) async throws where Q.Job == Int {
        try await run(
            makeQueue: makeQueue, makeJob: { $0 }, clock: clock, properties: properties,
            workers: workers, jobsPerWorker: jobsPerWorker)
    }

    private struct Run<Q: JobQueue> where Q.Job: Hashable {
        let queue: Q
        let makeJob: @Sendable (Int) -> Q.Job
        let clock: TestClock
        let check: PropertyCheck

        func leaseOne(_ context: String, duration: Duration = .seconds(30)) async throws -> Leased<Q.Job> {
            let leased = try await queue.lease(max: 10, for: duration)
            guard leased.count == 1, let only = leased.first else {
                throw check.fail("\(context): expected exactly one job, got \(leased.count)")
            }
            return only
        }

        func requireEmpty(_ context: String) async throws {
            let leased = try await queue.lease(max: 10, for: .seconds(30))
            try check.require(leased.isEmpty, "\(context): expected no visible job, got \(leased.count)")
        }

        func requireLeaseLost(_ context: String, _ body: () async throws -> Void) async throws {
            try await check.requireThrows(context, body, matches: { ($0 as? JobQueueError)?.code == .leaseLost })
        }

        func leaseHidesJob() async throws {
            let start = clock.wallNow
            try await queue.enqueue(makeJob(1), notBefore: nil)
            let first = try await leaseOne("first lease")
            try check.require(first.job == makeJob(1), "leased the wrong job")
            try check.require(first.deliveryCount == 1, "first delivery must have count 1, got \(first.deliveryCount)")
            try check.require(
                first.firstEnqueuedAt.isClose(to: start),
                "firstEnqueuedAt must be the enqueue time \(start), got \(first.firstEnqueuedAt)")
            try check.require(
                first.leasedUntil.isClose(to: start.addingTimeInterval(30)),
                "leasedUntil must be now + 30 s, got \(first.leasedUntil)")
            try await requireEmpty("a second lease while the first runs")
            clock.advance(by: .seconds(29))
            try await requireEmpty("a lease 29 s into a 30 s lease")
            for n in 2...6 { try await queue.enqueue(makeJob(n), notBefore: nil) }
            let two = try await queue.lease(max: 2, for: .seconds(30))
            try check.require(two.count == 2, "lease(max: 2) with 5 visible jobs must return 2, got \(two.count)")
            let rest = try await queue.lease(max: 10, for: .seconds(30))
            try check.require(rest.count == 3, "the next lease must return the 3 remaining jobs, got \(rest.count)")
            let jobs = Set((two + rest).map(\.job))
            try check.require(jobs == Set((2...6).map(makeJob)), "the leases must cover jobs 2…6 exactly once")
            try await requireEmpty("a lease with every job leased")
        }

        func expiryRedelivers() async throws {
            try await queue.enqueue(makeJob(1), notBefore: nil)
            let first = try await leaseOne("first lease")
            clock.advance(by: .seconds(30))
            try await requireLeaseLost("ack after the lease expired") { try await queue.ack(first.token) }
            let second = try await leaseOne("lease after expiry")
            try check.require(second.job == makeJob(1), "redelivered the wrong job")
            try check.require(second.deliveryCount == 2, "redelivery must have count 2, got \(second.deliveryCount)")
            try check.require(second.token != first.token, "redelivery must carry a new token")
            try check.require(
                second.firstEnqueuedAt.isClose(to: first.firstEnqueuedAt),
                "firstEnqueuedAt must not change on redelivery")
            try await requireLeaseLost("ack with the first (expired) token") { try await queue.ack(first.token) }
            try await requireLeaseLost("retry with the first (expired) token") {
                try await queue.retry(first.token, after: .zero, reason: "stale")
            }
            try await requireEmpty("a lease while the redelivery runs")
            try await queue.ack(second.token)
        }

        func ackRemoves() async throws {
            try await queue.enqueue(makeJob(1), notBefore: nil)
            let leased = try await leaseOne("first lease")
            try await queue.ack(leased.token)
            try await requireEmpty("a lease right after ack")
            clock.advance(by: .seconds(60))
            try await requireEmpty("a lease after the acked lease would have ended")
            try await requireLeaseLost("a second ack with the same token") { try await queue.ack(leased.token) }
            try await requireLeaseLost("ack with a token the queue never issued") { try await queue.ack(LeaseToken()) }
            let dead = try await queue.deadLetters()
            try check.require(dead.isEmpty, "an acked job must not be dead-lettered, found \(dead.count)")
        }

        func retryDelays() async throws {
            try await queue.enqueue(makeJob(1), notBefore: nil)
            let first = try await leaseOne("first lease")
            try await queue.retry(first.token, after: .seconds(10), reason: "engine busy")
            try await requireEmpty("a lease right after retry(after: 10 s)")
            clock.advance(by: .seconds(9))
            try await requireEmpty("a lease 9 s into a 10 s retry delay")
            clock.advance(by: .seconds(1))
            let second = try await leaseOne("a lease once the retry delay passed")
            try check.require(second.deliveryCount == 2, "the retried delivery must have count 2, got \(second.deliveryCount)")
            try await requireLeaseLost("retry with the used token") {
                try await queue.retry(first.token, after: .zero, reason: "stale")
            }
            try await queue.retry(second.token, after: .zero, reason: "again")
            let third = try await leaseOne("a lease after retry(after: 0)")
            try check.require(third.deliveryCount == 3, "expected delivery count 3, got \(third.deliveryCount)")
            try await queue.ack(third.token)
            let dead = try await queue.deadLetters()
            try check.require(dead.isEmpty, "no job should be dead-lettered, found \(dead.count)")
        }

        func maxDeliveriesDeadLetter() async throws {
            let start = clock.wallNow
            try await queue.enqueue(makeJob(7), notBefore: nil)
            for delivery in 1...maxDeliveries {
                let leased = try await leaseOne("delivery \(delivery)")
                try check.require(
                    leased.deliveryCount == delivery,
                    "expected delivery count \(delivery), got \(leased.deliveryCount)")
                let before = try await queue.deadLetters()
                try check.require(before.isEmpty, "dead-lettered before delivery \(maxDeliveries)")
                try await queue.retry(leased.token, after: .zero, reason: "boom \(delivery)")
            }
            clock.advance(by: .seconds(60))
            try await requireEmpty("a lease after the last permitted delivery was retried")
            let dead = try await queue.deadLetters()
            guard dead.count == 1, let letter = dead.first else {
                throw check.fail("expected exactly one dead letter, found \(dead.count)")
            }
            try check.require(letter.job == makeJob(7), "dead-lettered the wrong job")
            try check.require(
                letter.reason == "boom \(maxDeliveries)",
                "the dead letter must keep the last retry's reason, got '\(letter.reason)'")
            try check.require(
                letter.deliveryCount == maxDeliveries,
                "the dead letter must record \(maxDeliveries) deliveries, got \(letter.deliveryCount)")
            try check.require(letter.firstEnqueuedAt.isClose(to: start), "the dead letter must keep firstEnqueuedAt")
        }

        func expiredLastLeaseDeadLetters() async throws {
            try await queue.enqueue(makeJob(9), notBefore: nil)
            for delivery in 1...maxDeliveries {
                let leased = try await leaseOne("delivery \(delivery)", duration: .seconds(10))
                try check.require(
                    leased.deliveryCount == delivery,
                    "expected delivery count \(delivery), got \(leased.deliveryCount)")
                clock.advance(by: .seconds(10))
            }
            try await requireEmpty("a lease after the last permitted lease expired")
            let dead = try await queue.deadLetters()
            guard dead.count == 1, let letter = dead.first else {
                throw check.fail("expected the job to be dead-lettered after its last lease expired, found \(dead.count) dead letters")
            }
            try check.require(letter.job == makeJob(9), "dead-lettered the wrong job")
            try check.require(
                letter.deliveryCount == maxDeliveries,
                "the dead letter must record \(maxDeliveries) deliveries, got \(letter.deliveryCount)")
            try check.require(!letter.reason.isEmpty, "the dead letter must say why")
        }

        func notBeforeRespected() async throws {
            let start = clock.wallNow
            try await queue.enqueue(makeJob(1), notBefore: start.addingTimeInterval(60))
            try await queue.enqueue(makeJob(2), notBefore: start.addingTimeInterval(-60))
            let now = try await leaseOne("a lease with one delayed and one past-dated job")
            try check.require(now.job == makeJob(2), "only the past-dated job may be visible")
            try await queue.ack(now.token)
            clock.advance(by: .seconds(59))
            try await requireEmpty("a lease 1 s before notBefore")
            clock.advance(by: .seconds(1))
            let later = try await leaseOne("a lease at notBefore")
            try check.require(later.job == makeJob(1), "the delayed job must be delivered at notBefore")
            try check.require(later.deliveryCount == 1, "a delayed job's first delivery has count 1")
            try await queue.ack(later.token)
        }

        func concurrentLeasersExclusive(workers: Int, jobsPerWorker: Int) async throws {
            let total = workers * jobsPerWorker
            let queue = self.queue
            let check = self.check

            // A storm: as many single-job leases at once as there are jobs. Each must get a different job.
            for n in 0..<total { try await queue.enqueue(makeJob(total + n), notBefore: nil) }
            let stormed = try await withThrowingTaskGroup(of: [Q.Job].self, returning: [Q.Job].self) { group in
                for _ in 0..<total {
                    group.addTask { try await queue.lease(max: 1, for: .seconds(3_600)).map(\.job) }
                }
                var all: [Q.Job] = []
                for try await jobs in group { all += jobs }
                return all
            }
            let stormedDistinct = Set(stormed)
            try check.require(
                stormed.count == stormedDistinct.count,
                "\(stormed.count - stormedDistinct.count) of \(total) concurrent lease(max: 1) calls got a job "
                    + "another call also got")
            try check.require(
                stormedDistinct == Set((total..<(2 * total)).map(makeJob)),
                "\(total) concurrent lease(max: 1) calls over \(total) jobs delivered \(stormedDistinct.count) distinct jobs")

            // Workers: each leases batches and acks them until the queue is empty.
            for n in 0..<total { try await queue.enqueue(makeJob(n), notBefore: nil) }
            let delivered = try await withThrowingTaskGroup(of: [Q.Job].self, returning: [Q.Job].self) { group in
                for _ in 0..<workers {
                    group.addTask {
                        var mine: [Q.Job] = []
                        while true {
                            let batch = try await queue.lease(max: 7, for: .seconds(3_600))
                            if batch.isEmpty { return mine }
                            for leased in batch {
                                mine.append(leased.job)
                                do {
                                    try await queue.ack(leased.token)
                                } catch {
                                    throw check.fail(
                                        "an ack failed (\(error)) although no lease could have expired: "
                                            + "the job was handed to another worker too")
                                }
                            }
                            await Task.yield()
                        }
                    }
                }
                var all: [Q.Job] = []
                for try await jobs in group { all += jobs }
                return all
            }
            let distinct = Set(delivered)
            try check.require(
                delivered.count == distinct.count,
                "\(delivered.count - distinct.count) deliveries were duplicates among \(workers) concurrent workers")
            try check.require(
                distinct == Set((0..<total).map(makeJob)),
                "expected all \(total) jobs delivered, got \(distinct.count) distinct")
        }
    }
}
