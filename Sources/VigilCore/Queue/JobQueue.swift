import Foundation

/// A durable, at-least-once work queue: the seam between receiving an event and processing it.
///
/// The webhook receiver enqueues a job and answers at once; workers — any number, on any number of
/// machines — lease jobs, process them and acknowledge them. Vigil ships `InMemoryJobQueue` (in
/// `VigilTesting`) and an SQLite queue; a host can plug in its own (PostgreSQL `SKIP LOCKED`, SQS…) and
/// prove it with `JobQueueConformance`.
///
/// ## Semantics
///
/// - **At-least-once.** A job is delivered until a worker acknowledges it. Processing must therefore be
///   idempotent: Vigil guards every side effect with an idempotency store, so a second delivery finds
///   the work done and only acknowledges.
/// - **Leases (visibility timeout).** ``lease(max:for:)`` hands out up to `max` visible jobs and hides
///   each for the lease duration. No other caller sees a leased job until its lease expires. Two
///   concurrent callers never receive the same job while its lease runs.
/// - **Expiry.** When a lease expires before the worker acknowledges (the worker crashed, hung or was
///   too slow), the job becomes visible again and the next lease delivers it with
///   ``Leased/deliveryCount`` one higher and a **new** token. The old token is dead: if the first worker
///   is in fact still running, its later ``ack(_:)`` or ``retry(_:after:reason:)`` throws
///   ``JobQueueError/Code/leaseLost`` — the job is (or will be) processed again by someone else, and the
///   idempotent processing downstream absorbs the duplicate. A worker whose work may outlast the lease
///   should lease for longer, not hope.
/// - **Retry.** ``retry(_:after:reason:)`` gives a leased job back (a negative acknowledgement) to be
///   delivered again no sooner than `after` from now. Once a job has been delivered `maxDeliveries`
///   times (a queue setting), a retry moves it to the dead letters with the given reason instead. A job
///   whose lease expires on its last permitted delivery is dead-lettered too (on the next lease) rather
///   than delivered again — so a job that crashes its worker every time cannot loop forever.
/// - **Delays.** `notBefore` in ``enqueue(_:notBefore:)`` keeps a job invisible until that date.
/// - **Time** is wall-clock `Date` from an injected `() -> Date`, because leases and delays are shared
///   between processes; expiry is computed from stored timestamps, never from a storage TTL.
/// - **Order** is not guaranteed. (The in-memory queue delivers in enqueue order.)
///
/// ## Errors
///
/// Implementations throw ``JobQueueError``: ``JobQueueError/Code/leaseLost`` for an unknown, expired or
/// already-used token; ``JobQueueError/Code/rejected`` when the queue will not take more work (full) —
/// a webhook receiver maps that to HTTP 503 so the platform delivers again later;
/// ``JobQueueError/Code/invalidArgument`` for a non-positive `max` or lease duration.
public protocol JobQueue<Job>: Sendable {
    /// What the queue carries. Vigil's pipeline uses `JobQueue<RecordingJob>`: identifiers and
    /// minimised, tokenized metadata only, never media or raw personal data.
    associatedtype Job: Codable & Sendable

    /// Adds a job, invisible until `notBefore` when given (a date in the past means "now").
    ///
    /// - Throws: ``JobQueueError/Code/rejected`` when the queue is full.
    func enqueue(_ job: Job, notBefore: Date?) async throws

    /// Leases up to `max` visible jobs, hiding each from other callers for `duration`.
    ///
    /// Returns an empty array when nothing is visible; it never waits for work to arrive.
    ///
    /// - Throws: ``JobQueueError/Code/invalidArgument`` when `max < 1` or `duration <= 0`.
    func lease(max: Int, for duration: Duration) async throws -> [Leased<Job>]

    /// Acknowledges a leased job: it is done and is removed for good.
    ///
    /// - Throws: ``JobQueueError/Code/leaseLost`` when the token is unknown, already used, or its lease
    ///   has expired (the job may already be with another worker).
    func ack(_ token: LeaseToken) async throws

    /// Gives a leased job back to be delivered again no sooner than `delay` from now — or, when it has
    /// already been delivered `maxDeliveries` times, moves it to the dead letters with `reason`.
    ///
    /// - Parameters:
    ///   - token: the lease being given back.
    ///   - delay: how long the job stays invisible (`.zero` for at once).
    ///   - reason: why it failed; short, no personal data. Kept with a dead letter.
    /// - Throws: ``JobQueueError/Code/leaseLost`` as for ``ack(_:)``.
    func retry(_ token: LeaseToken, after delay: Duration, reason: String) async throws

    /// The jobs that ran out of deliveries, oldest first, for an operator to inspect or re-drive.
    func deadLetters() async throws -> [DeadLetter<Job>]
}

/// A queue that can wake an idle worker as soon as work may be visible, instead of letting it poll.
///
/// PostgreSQL's `LISTEN/NOTIFY` is the model: an enqueue notifies, and a worker that found nothing
/// waits here rather than sleeping a fixed interval. `CompliancePipeline`'s workers use it when their
/// queue conforms, and fall back to polling every `idlePollInterval` otherwise.
///
/// A wake-up is a hint, never a delivery: the worker leases as usual afterwards and may find nothing
/// (another worker was faster). Returning early is always allowed, so is a missed notification — the
/// `timeout` bounds how long a worker can be idle with work waiting.
public protocol JobArrivalNotifying: Sendable {
    /// Returns when a job may have become visible, after `timeout` at the latest, or at once when the
    /// calling task is cancelled.
    func waitForJobs(timeout: Duration) async
}

extension JobQueue {
    /// Adds a job that is visible at once.
    public func enqueue(_ job: Job) async throws {
        try await enqueue(job, notBefore: nil)
    }
}

/// A job handed to a worker by ``JobQueue/lease(max:for:)``.
public struct Leased<Job: Codable & Sendable>: Sendable, Codable {
    /// The job.
    public var job: Job
    /// Proof of this lease, for ``JobQueue/ack(_:)`` or ``JobQueue/retry(_:after:reason:)``.
    public var token: LeaseToken
    /// How many times the job has been delivered, this delivery included (1 the first time).
    public var deliveryCount: Int
    /// When the job was first enqueued (unchanged by retries), to measure end-to-end latency.
    public var firstEnqueuedAt: Date
    /// When this lease expires and the job becomes visible to others again.
    public var leasedUntil: Date

    /// Creates a leased job (for queue implementations).
    public init(job: Job, token: LeaseToken, deliveryCount: Int, firstEnqueuedAt: Date, leasedUntil: Date) {
        self.job = job
        self.token = token
        self.deliveryCount = deliveryCount
        self.firstEnqueuedAt = firstEnqueuedAt
        self.leasedUntil = leasedUntil
    }
}

/// A job that ran out of deliveries.
public struct DeadLetter<Job: Codable & Sendable>: Sendable, Codable {
    /// The job.
    public var job: Job
    /// Why its last delivery failed (the last ``JobQueue/retry(_:after:reason:)`` reason, or a note
    /// that its lease expired).
    public var reason: String
    /// How many times it was delivered.
    public var deliveryCount: Int
    /// When it was first enqueued.
    public var firstEnqueuedAt: Date
    /// When it was moved to the dead letters.
    public var deadLetteredAt: Date

    /// Creates a dead letter (for queue implementations).
    public init(job: Job, reason: String, deliveryCount: Int, firstEnqueuedAt: Date, deadLetteredAt: Date) {
        self.job = job
        self.reason = reason
        self.deliveryCount = deliveryCount
        self.firstEnqueuedAt = firstEnqueuedAt
        self.deadLetteredAt = deadLetteredAt
    }
}

extension Leased: Equatable where Job: Equatable {}
extension DeadLetter: Equatable where Job: Equatable {}

/// A failure of a ``JobQueue`` operation.
public struct JobQueueError: VigilDetailedError, Hashable {
    /// The kind of failure; new kinds are added as new static members.
    public struct Code: VigilErrorCode {
        private enum Base: String {
            case leaseLost, rejected, invalidArgument, storageFailure
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The token is unknown, already used, or its lease expired: the job is no longer this
        /// caller's. Not retryable — the job is redelivered to someone.
        public static let leaseLost = Code(.leaseLost)
        /// The queue refused the job (it is full). Retryable: a webhook receiver answers 503 so the
        /// sender delivers again later.
        public static let rejected = Code(.rejected)
        /// An argument is out of range (`max < 1`, a non-positive lease).
        public static let invalidArgument = Code(.invalidArgument)
        /// The host's storage failed (connection lost, timeout). Retryable.
        public static let storageFailure = Code(.storageFailure)

        /// `queue`: codes read `queue.<name>`, e.g. `queue.leaseLost`.
        public static let domain = "queue"
        /// The name within ``domain``, e.g. `leaseLost`.
        public var name: String { base.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// A short, non-sensitive explanation (never a job's content).
    public let detail: String

    /// Creates an error.
    public init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    /// `rejected` and `storageFailure` may succeed later; the rest will not.
    public var isRetryable: Bool { code == .rejected || code == .storageFailure }
}
