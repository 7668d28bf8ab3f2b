import Foundation
import VigilCore

/// A `JobQueue` in process memory, with the full lease / retry / dead-letter semantics —
/// for tests and demos, and as the reference behaviour `JobQueueConformance` checks.
///
/// Time is the injected wall clock `now` (use ``TestClock/wall``), so a test moves leases and delays
/// with ``TestClock/advance(by:)``. Jobs are delivered in enqueue order among those visible.
public actor InMemoryJobQueue<Job: Codable & Sendable>: JobQueue {
    private struct Entry {
        let sequence: UInt64
        let job: Job
        let firstEnqueuedAt: Date
        /// Hidden until this date: the `notBefore`, the retry delay, or the end of the current lease.
        var visibleAt: Date
        var deliveryCount: Int
        /// The current lease's token; stale once `visibleAt` has passed.
        var token: LeaseToken?
        var lastReason: String?
    }

    /// How many times a job is delivered before a retry (or an expired last lease) dead-letters it.
    public nonisolated let maxDeliveries: Int
    /// How many pending jobs (visible, delayed or leased) the queue holds before it rejects more.
    public nonisolated let capacity: Int
    private let now: @Sendable () -> Date
    private var entries: [Entry] = []
    private var dead: [DeadLetter<Job>] = []
    private var nextSequence: UInt64 = 0

    /// Creates an empty queue.
    ///
    /// - Parameters:
    ///   - maxDeliveries: deliveries per job before it is dead-lettered (at least 1). Default 5.
    ///   - capacity: pending jobs held before ``enqueue(_:notBefore:)`` throws
    ///     `JobQueueError.Code.rejected`. Default 10 000.
    ///   - now: the wall clock.
    public init(maxDeliveries: Int = 5, capacity: Int = 10_000, now: @escaping @Sendable () -> Date = { Date() }) {
        self.maxDeliveries = max(1, maxDeliveries)
        self.capacity = max(0, capacity)
        self.now = now
    }

    /// Pending jobs: visible, delayed or leased (not dead letters).
    public var pendingCount: Int { entries.count }

    /// See `JobQueue.enqueue(_:notBefore:)`.
    public func enqueue(_ job: Job, notBefore: Date?) throws {
        guard entries.count < capacity else {
            throw JobQueueError(code: .rejected, detail: "queue is full (\(capacity) pending jobs)")
        }
        let date = now()
        nextSequence += 1
        entries.append(
            Entry(
                sequence: nextSequence, job: job, firstEnqueuedAt: date,
                visibleAt: max(date, notBefore ?? date), deliveryCount: 0, token: nil, lastReason: nil))
    }

    /// See `JobQueue.lease(max:for:)`.
    public func lease(max: Int, for duration: Duration) throws -> [Leased<Job>] {
        guard max >= 1 else { throw JobQueueError(code: .invalidArgument, detail: "max must be at least 1, got \(max)") }
        guard duration > .zero else {
            throw JobQueueError(code: .invalidArgument, detail: "lease must be positive, got \(duration)")
        }
        let date = now()
        let until = date.addingTimeInterval(duration.seconds)
        var leased: [Leased<Job>] = []
        var index = 0
        while index < entries.count, leased.count < max {
            var entry = entries[index]
            guard entry.visibleAt <= date else { index += 1; continue }
            if entry.token != nil, entry.deliveryCount >= maxDeliveries {
                // Its last permitted lease expired without an ack or retry: do not deliver it again.
                let reason =
                    "lease expired on delivery \(entry.deliveryCount) of \(maxDeliveries)"
                    + (entry.lastReason.map { "; last retry: \($0)" } ?? "")
                dead.append(
                    DeadLetter(
                        job: entry.job, reason: reason,
                        deliveryCount: entry.deliveryCount, firstEnqueuedAt: entry.firstEnqueuedAt,
                        deadLetteredAt: date))
                entries.remove(at: index)
                continue
            }
            let token = LeaseToken()
            entry.deliveryCount += 1
            entry.token = token
            entry.visibleAt = until
            entries[index] = entry
            leased.append(
                Leased(
                    job: entry.job, token: token, deliveryCount: entry.deliveryCount,
                    firstEnqueuedAt: entry.firstEnqueuedAt, leasedUntil: until))
            index += 1
        }
        return leased
    }

    /// See `JobQueue.ack(_:)`.
    public func ack(_ token: LeaseToken) throws {
        let index = try liveLease(token)
        entries.remove(at: index)
    }

    /// See `JobQueue.retry(_:after:reason:)`.
    public func retry(_ token: LeaseToken, after delay: Duration, reason: String) throws {
        let index = try liveLease(token)
        let date = now()
        var entry = entries[index]
        if entry.deliveryCount >= maxDeliveries {
            dead.append(
                DeadLetter(
                    job: entry.job, reason: reason, deliveryCount: entry.deliveryCount,
                    firstEnqueuedAt: entry.firstEnqueuedAt, deadLetteredAt: date))
            entries.remove(at: index)
            return
        }
        entry.token = nil
        entry.lastReason = reason
        entry.visibleAt = date.addingTimeInterval(Swift.max(delay, .zero).seconds)
        entries[index] = entry
    }

    /// See `JobQueue.deadLetters()`.
    public func deadLetters() -> [DeadLetter<Job>] { dead }

    private func liveLease(_ token: LeaseToken) throws -> Int {
        let date = now()
        guard let index = entries.firstIndex(where: { $0.token == token }), entries[index].visibleAt > date else {
            throw JobQueueError(code: .leaseLost, detail: "the lease is unknown, already used or expired")
        }
        return index
    }
}
