import Foundation
import VigilCore

/// A durable `JobQueue` in an SQLite database file: the embedded default for a host on one machine,
/// with any number of worker processes sharing the file.
///
/// Jobs are stored as JSON in the `vigil_jobs` table, one row per pending job (visible, delayed or
/// leased); jobs that ran out of deliveries move to `vigil_dead_letters`. A row's `available_at`
/// (milliseconds since 1970) is when it is next visible: the `notBefore`, the retry delay, or the end
/// of its current lease. Time comes only from the injected `now`.
///
/// ## Atomicity
///
/// ``lease(max:for:)`` is one `BEGIN IMMEDIATE` transaction: it takes SQLite's write lock before it
/// reads, selects visible rows (`available_at <= now`), gives each a new random token, sets
/// `available_at = now + lease` and increments `delivery_count`, then commits. No other connection —
/// in this process or another — can write between the select and the update, so two callers never
/// lease the same job while its lease runs. ``ack(_:)`` and ``retry(_:after:reason:)`` act only on the
/// row whose `token` is theirs and whose lease is still running; a job whose lease expired and was
/// leased again carries a new token, so the old holder gets `JobQueueError.Code.leaseLost`.
///
/// ## Crash safety
///
/// Nothing is held in memory and leases need no heartbeat: a worker that crashes just stops — its lease ends at
/// the stored `available_at` and the job is delivered again (or dead-lettered, on its last permitted
/// delivery). A process crash never loses a committed write; see ``SQLiteConfiguration/Synchronous``
/// for power failures.
///
/// ## Sharing a file
///
/// Several queues can share one database file under different `name`s (and share it with an
/// ``SQLiteIdempotencyStore``). Every instance of one named queue must use the same `Job` type and
/// `maxDeliveries`. A stored job that no longer decodes as `Job` (the type changed incompatibly) is
/// moved to the dead letters when it would be leased, and ``deadLetters()`` leaves such entries out.
public final class SQLiteJobQueue<Job: Codable & Sendable>: JobQueue {
    /// The queue's name within the database file.
    public let name: String
    /// How many times a job is delivered before a retry (or an expired last lease) dead-letters it.
    public let maxDeliveries: Int
    /// How many pending jobs (visible, delayed or leased) the queue holds before
    /// ``enqueue(_:notBefore:)`` rejects more; `nil` for no limit.
    public let capacity: Int?
    private let database: SQLiteDatabase
    private let now: @Sendable () -> Date

    /// Opens (creating when absent) the queue `name` in the database at `path`.
    ///
    /// - Parameters:
    ///   - path: the database file. Its directory must exist. A new file is created with
    ///     ``SQLiteConfiguration/fileMode`` (default `0600`).
    ///   - name: the queue's name, so several queues can share one file. Default `"default"`.
    ///   - maxDeliveries: deliveries per job before it is dead-lettered (at least 1). Default 5.
    ///   - capacity: pending jobs held before enqueue throws `JobQueueError.Code.rejected`; `nil`
    ///     (the default) for no limit.
    ///   - configuration: durability and locking settings. Default ``SQLiteConfiguration/default``.
    ///   - now: the wall clock.
    /// - Throws: ``SQLiteError`` when the file cannot be opened, configured or migrated.
    public init(
        path: String, name: String = "default", maxDeliveries: Int = 5, capacity: Int? = nil,
        configuration: SQLiteConfiguration = .default, now: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        self.database = try SQLiteDatabase(path: path, configuration: configuration)
        self.name = name
        self.maxDeliveries = max(1, maxDeliveries)
        self.capacity = capacity.map { max(0, $0) }
        self.now = now
    }

    /// See `JobQueue.enqueue(_:notBefore:)`.
    public func enqueue(_ job: Job, notBefore: Date?) async throws {
        let payload: String
        do {
            payload = String(decoding: try JSONEncoder().encode(job), as: UTF8.self)
        } catch {
            throw JobQueueError(code: .invalidArgument, detail: "the job does not encode as JSON")
        }
        let nowMs = Timestamp.milliseconds(now())
        let availableAt = max(nowMs, notBefore.map(Timestamp.milliseconds) ?? nowMs)
        let name = self.name, capacity = self.capacity
        let insert: [SQLiteValue] = [.text(name), .text(payload), .integer(nowMs), .integer(availableAt)]
        let accepted = try await perform("enqueue") { connection in
            guard let capacity else {
                try connection.run(SQL.enqueue, insert, operation: "enqueue")
                return true
            }
            return try connection.immediateTransaction("enqueue") {
                let pending =
                    try connection.queryOne(SQL.pendingCount, [.text(name)], operation: "enqueue: count") {
                        $0.int(0)
                    } ?? 0
                guard pending < capacity else { return false }
                try connection.run(SQL.enqueue, insert, operation: "enqueue")
                return true
            }
        }
        guard accepted else {
            throw JobQueueError(code: .rejected, detail: "queue is full (\(capacity ?? 0) pending jobs)")
        }
    }

    /// See `JobQueue.lease(max:for:)`.
    public func lease(max: Int, for duration: Duration) async throws -> [Leased<Job>] {
        guard max >= 1 else { throw JobQueueError(code: .invalidArgument, detail: "max must be at least 1, got \(max)") }
        guard duration > .zero else {
            throw JobQueueError(code: .invalidArgument, detail: "lease must be positive, got \(duration)")
        }
        let nowMs = Timestamp.milliseconds(now())
        let until = Timestamp.adding(duration, to: nowMs)
        let name = self.name, maxDeliveries = self.maxDeliveries
        return try await perform("lease") { connection in
            try connection.immediateTransaction("lease") {
                // Jobs whose last permitted lease ran out are not delivered again.
                try connection.run(
                    SQL.deadLetterExpiredLastLeases,
                    [.text(name), .integer(nowMs), .int(maxDeliveries)],
                    operation: "lease: dead-letter expired last leases")
                try connection.run(
                    SQL.deleteExpiredLastLeases,
                    [.text(name), .integer(nowMs), .int(maxDeliveries)],
                    operation: "lease: dead-letter expired last leases")
                let candidates = try connection.query(
                    SQL.visible, [.text(name), .integer(nowMs), .int(max)],
                    operation: "lease: select"
                ) { row in
                    (id: row.int64(0), payload: row.data(1), deliveries: row.int(2), firstEnqueuedAt: row.int64(3))
                }
                let decoder = JSONDecoder()
                var leased: [Leased<Job>] = []
                for candidate in candidates {
                    guard let job = try? decoder.decode(Job.self, from: candidate.payload) else {
                        try connection.run(
                            SQL.deadLetter,
                            [.integer(candidate.id), .integer(nowMs), .text("the stored job does not decode as \(Job.self)")],
                            operation: "lease: dead-letter undecodable job")
                        try connection.run(SQL.delete, [.integer(candidate.id)], operation: "lease: dead-letter undecodable job")
                        continue
                    }
                    let token = LeaseToken()
                    try connection.run(
                        SQL.markLeased, [.integer(candidate.id), .text(token.rawValue), .integer(until)],
                        operation: "lease: update")
                    leased.append(
                        Leased(
                            job: job, token: token, deliveryCount: candidate.deliveries + 1,
                            firstEnqueuedAt: Timestamp.date(candidate.firstEnqueuedAt),
                            leasedUntil: Timestamp.date(until)))
                }
                return leased
            }
        }
    }

    /// See `JobQueue.ack(_:)`.
    public func ack(_ token: LeaseToken) async throws {
        let nowMs = Timestamp.milliseconds(now())
        let name = self.name
        let removed = try await perform("ack") { connection in
            try connection.run(SQL.ack, [.text(name), .text(token.rawValue), .integer(nowMs)], operation: "ack")
        }
        guard removed == 1 else { throw Self.leaseLost }
    }

    /// See `JobQueue.retry(_:after:reason:)`.
    public func retry(_ token: LeaseToken, after delay: Duration, reason: String) async throws {
        let nowMs = Timestamp.milliseconds(now())
        let availableAt = Timestamp.adding(delay, to: nowMs)
        let name = self.name, maxDeliveries = self.maxDeliveries
        let owned = try await perform("retry") { connection in
            try connection.immediateTransaction("retry") {
                guard
                    let (id, deliveries) = try connection.queryOne(
                        SQL.liveLease, [.text(name), .text(token.rawValue), .integer(nowMs)], operation: "retry: find lease",
                        { row in (row.int64(0), row.int(1)) })
                else { return false }
                if deliveries >= maxDeliveries {
                    try connection.run(
                        SQL.deadLetter, [.integer(id), .integer(nowMs), .text(reason)],
                        operation: "retry: dead-letter")
                    try connection.run(SQL.delete, [.integer(id)], operation: "retry: dead-letter")
                } else {
                    try connection.run(
                        SQL.giveBack, [.integer(id), .integer(availableAt), .text(reason)],
                        operation: "retry: give back")
                }
                return true
            }
        }
        guard owned else { throw Self.leaseLost }
    }

    /// See `JobQueue.deadLetters()`.
    public func deadLetters() async throws -> [DeadLetter<Job>] {
        let name = self.name
        let rows = try await perform("deadLetters") { connection in
            try connection.query(SQL.deadLetters, [.text(name)], operation: "dead letters") { row in
                (
                    payload: row.data(0), reason: row.text(1) ?? "", deliveries: row.int(2),
                    firstEnqueuedAt: row.int64(3), deadLetteredAt: row.int64(4)
                )
            }
        }
        let decoder = JSONDecoder()
        return rows.compactMap { row in
            guard let job = try? decoder.decode(Job.self, from: row.payload) else { return nil }
            return DeadLetter(
                job: job, reason: row.reason, deliveryCount: row.deliveries,
                firstEnqueuedAt: Timestamp.date(row.firstEnqueuedAt),
                deadLetteredAt: Timestamp.date(row.deadLetteredAt))
        }
    }

    /// Pending jobs in this queue: visible, delayed or leased (not dead letters).
    public func pendingCount() async throws -> Int {
        let name = self.name
        return try await perform("pendingCount") { connection in
            try connection.queryOne(SQL.pendingCount, [.text(name)], operation: "pending count") { $0.int(0) } ?? 0
        }
    }

    /// Closes the database connection once the operations already started have finished. Later calls
    /// throw `JobQueueError` with code `storageFailure`. Closing is optional: the connection is also
    /// closed when the queue is deinitialised. Leases outstanding at close simply run out.
    public func close() async {
        await database.close()
    }

    // MARK: - Private

    private static var leaseLost: JobQueueError {
        JobQueueError(code: .leaseLost, detail: "the lease is unknown, already used or expired")
    }

    private func perform<T: Sendable>(
        _ operation: String,
        _ body: @escaping @Sendable (SQLiteConnection) throws -> T
    ) async throws -> T {
        do {
            return try await database.perform(body)
        } catch let error as SQLiteError {
            throw JobQueueError(code: .storageFailure, detail: "\(operation): \(error)")
        }
    }
}

/// The queue's statements: constant SQL, every value bound as a parameter.
private enum SQL {
    static let enqueue = """
        INSERT INTO vigil_jobs (queue, payload, first_enqueued_at, available_at) VALUES (?1, ?2, ?3, ?4)
        """
    static let pendingCount = "SELECT count(*) FROM vigil_jobs WHERE queue = ?1"
    static let expiredLastLease = """
        queue = ?1 AND token IS NOT NULL AND available_at <= ?2 AND delivery_count >= ?3
        """
    static let deadLetterExpiredLastLeases = """
        INSERT INTO vigil_dead_letters (queue, payload, reason, delivery_count, first_enqueued_at, dead_lettered_at)
        SELECT queue, payload,
               'lease expired on delivery ' || delivery_count || ' of ' || ?3
                   || coalesce('; last retry: ' || last_reason, ''),
               delivery_count, first_enqueued_at, ?2
          FROM vigil_jobs WHERE \(expiredLastLease) ORDER BY id
        """
    static let deleteExpiredLastLeases = "DELETE FROM vigil_jobs WHERE \(expiredLastLease)"
    static let visible = """
        SELECT id, payload, delivery_count, first_enqueued_at FROM vigil_jobs
         WHERE queue = ?1 AND available_at <= ?2 ORDER BY id LIMIT ?3
        """
    static let markLeased = """
        UPDATE vigil_jobs SET token = ?2, available_at = ?3, delivery_count = delivery_count + 1 WHERE id = ?1
        """
    static let ack = "DELETE FROM vigil_jobs WHERE queue = ?1 AND token = ?2 AND available_at > ?3"
    static let liveLease = """
        SELECT id, delivery_count FROM vigil_jobs WHERE queue = ?1 AND token = ?2 AND available_at > ?3
        """
    static let deadLetter = """
        INSERT INTO vigil_dead_letters (queue, payload, reason, delivery_count, first_enqueued_at, dead_lettered_at)
        SELECT queue, payload, ?3, delivery_count, first_enqueued_at, ?2 FROM vigil_jobs WHERE id = ?1
        """
    static let delete = "DELETE FROM vigil_jobs WHERE id = ?1"
    static let giveBack = """
        UPDATE vigil_jobs SET token = NULL, available_at = ?2, last_reason = ?3 WHERE id = ?1
        """
    static let deadLetters = """
        SELECT payload, reason, delivery_count, first_enqueued_at, dead_lettered_at FROM vigil_dead_letters
         WHERE queue = ?1 ORDER BY dead_lettered_at, id
        """
}
