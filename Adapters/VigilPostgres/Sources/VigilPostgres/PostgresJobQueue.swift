import Foundation
import Logging
import PostgresNIO
import VigilCore

/// A `JobQueue` in PostgreSQL: at-least-once delivery to any number of workers on any number of
/// machines, with leases, retries, dead letters and optional `LISTEN/NOTIFY` wake-ups.
///
/// Jobs are JSON (`jsonb`) rows in `vigil_jobs`, one per pending job — visible, delayed or leased —
/// and are **deleted** when acknowledged, so the hot table holds only work still to do. A row's
/// `available_at` (milliseconds since 1970) is when it is next visible: its `notBefore`, its retry
/// delay, or the end of its current lease. So a lease needs no heartbeat and a crashed worker needs no
/// rescuer: its lease ends at the stored time and the row is simply visible again (River, Oban and
/// graphile-worker work the same way). Time comes only from the injected `now`, bound as a parameter.
///
/// ## Atomicity
///
/// ``lease(max:for:)`` is **one statement**: a CTE selects up to `max` visible rows of this queue
/// (`available_at <= $now`, oldest first) `FOR UPDATE SKIP LOCKED`, gives each a fresh random
/// `LeaseToken`, pushes `available_at` to the end of the lease and counts the delivery, and — in the
/// same statement — moves selected rows that have used their last delivery to `vigil_dead_letters`.
/// Concurrent leasers skip each other's locked rows instead of waiting, so they never receive the same
/// job while its lease runs. ``ack(_:)`` deletes, and ``retry(_:after:reason:)`` updates or
/// dead-letters, only the row whose token is theirs and whose lease is still running, each in one
/// statement; a job whose lease expired and was leased again carries a new token, so the old holder
/// gets `JobQueueError.Code.leaseLost`.
///
/// ## Notifications
///
/// With a `notificationChannel` (the default), ``enqueue(_:notBefore:)`` of a job that is visible at
/// once, and a ``retry(_:after:reason:)`` with zero delay, call `pg_notify(channel, queueName)` in the
/// same statement, so the notification is sent when (and only if) the job commits.
/// ``waitForJobs(timeout:)`` returns on such a notification, on the timeout, or on cancellation; each
/// queue instance keeps **one** listening connection for all of its waiters (taken from the pool,
/// started on the first wait or ``startListening()``, reconnected after failures). A notification is
/// a hint: the worker then leases as usual.
///
/// ## Sharing tables
///
/// Queues with different `name`s share the tables. Every instance of one named queue must use the
/// same `Job` type and `maxDeliveries`. A stored job that no longer decodes as `Job` is moved to the
/// dead letters when it is leased, instead of blocking the queue; ``deadLetters()`` leaves such
/// entries out (``deadLetterCount()`` counts them).
///
/// Storage failures throw `JobQueueError` with code `storageFailure` (retryable): the detail names the
/// operation and the SQLSTATE, never a job's content.
public final class PostgresJobQueue<Job: Codable & Sendable>: JobQueue, JobArrivalNotifying {
    /// The queue's name within the shared tables.
    public let name: String
    /// How many times a job is delivered before a retry (or an expired last lease) dead-letters it.
    public let maxDeliveries: Int
    /// How many pending jobs (visible, delayed or leased) the queue holds before
    /// ``enqueue(_:notBefore:)`` rejects more; `nil` for no limit.
    public let capacity: Int?
    /// The `LISTEN/NOTIFY` channel, or `nil` when notifications are off.
    public let notificationChannel: String?

    private let database: Database
    private let now: @Sendable () -> Date
    private let sleep: @Sendable (Duration) async throws -> Void
    private let listener: ArrivalListener?

    /// Creates the queue `name` on `client`. No I/O happens until the first call (or ``prepare()``).
    ///
    /// - Parameters:
    ///   - client: the host's pool; its `run()` must be running while the queue is used. With
    ///     notifications on, the queue holds one of its connections for `LISTEN` once a worker waits.
    ///   - name: the queue's name, so several queues can share the tables. Default `"default"`.
    ///   - maxDeliveries: deliveries per job before it is dead-lettered (at least 1). Default 5.
    ///   - capacity: pending jobs held before enqueue throws `JobQueueError.Code.rejected`; `nil`
    ///     (the default) for no limit. A limit serialises this queue's enqueues on an advisory lock.
    ///   - notificationChannel: the `LISTEN/NOTIFY` channel (letters, digits and `_`, at most 63
    ///     bytes), or `nil` to turn notifications off (``waitForJobs(timeout:)`` then just waits out its
    ///     timeout). Default `"vigil_jobs"`.
    ///   - clock: the clock ``waitForJobs(timeout:)`` measures its timeout on. Default `ContinuousClock()`.
    ///   - logger: where PostgresNIO logs this queue's statements (they carry no values). Default: none.
    ///   - now: the wall clock for leases, delays and dead-letter dates.
    public init(
        client: PostgresClient, name: String = "default", maxDeliveries: Int = 5, capacity: Int? = nil,
        notificationChannel: String? = "vigil_jobs", clock: some Clock<Duration> = ContinuousClock(),
        logger: Logger? = nil, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        if let channel = notificationChannel {
            precondition(
                Self.isValidChannel(channel),
                "notificationChannel must be 1…63 bytes of ASCII letters, digits and '_'")
        }
        self.name = name
        self.maxDeliveries = Swift.max(1, maxDeliveries)
        self.capacity = capacity.map { Swift.max(0, $0) }
        self.notificationChannel = notificationChannel
        self.database = Database(client: client, logger: logger)
        self.now = now
        self.sleep = { duration in try await clock.sleep(for: duration) }
        self.listener = notificationChannel.map {
            ArrivalListener(client: client, channel: $0, queueName: name, logger: logger ?? Database.silent)
        }
    }

    deinit {
        listener?.stop()
    }

    /// Migrates the schema now rather than on the first call.
    ///
    /// - Throws: ``VigilPostgresError`` (for example `schemaTooNew`).
    public func prepare() async throws {
        try await database.ensureSchema()
    }

    // MARK: - JobQueue

    /// See `JobQueue.enqueue(_:notBefore:)`.
    public func enqueue(_ job: Job, notBefore: Date?) async throws {
        let payload: String
        do {
            payload = String(decoding: try JSONEncoder().encode(job), as: UTF8.self)
        } catch {
            throw JobQueueError(code: .invalidArgument, detail: "the job does not encode as JSON")
        }
        let nowMs = Millis.of(now())
        let availableAt = Swift.max(nowMs, notBefore.map(Millis.of) ?? nowMs)
        let notify = notificationChannel != nil && availableAt <= nowMs
        let channel = notificationChannel ?? ""
        let name = self.name
        let insert: PostgresQuery = """
            WITH inserted AS (
                INSERT INTO vigil_jobs (queue, payload, first_enqueued_at, available_at)
                VALUES (\(name), \(payload)::jsonb, \(nowMs), \(availableAt))
                RETURNING id
            )
            SELECT count(*)::bigint, (SELECT count(pg_notify(\(channel), \(name))) FROM inserted WHERE \(notify))::bigint
              FROM inserted
            """
        guard let capacity else {
            try await perform("enqueue") { _ = try await database.rows(insert) }
            return
        }
        let accepted = try await perform("enqueue") {
            try await database.transaction { connection, logger in
                // One enqueuer at a time per queue, so the count cannot be overtaken.
                try await connection.run(
                    "SELECT pg_advisory_xact_lock(hashtextextended('vigil_jobs:' || \(name), 0))", logger: logger)
                let rows = try await connection.run(
                    "SELECT count(*)::bigint FROM vigil_jobs WHERE queue = \(name)", logger: logger)
                let pending = try rows.first?.decode(Int64.self) ?? 0
                guard pending < Int64(capacity) else { return false }
                try await connection.run(insert, logger: logger)
                return true
            }
        }
        guard accepted else {
            throw JobQueueError(code: .rejected, detail: "queue is full (\(capacity) pending jobs)")
        }
    }

    /// See `JobQueue.lease(max:for:)`. Hands out at most ``maxLeaseBatch`` jobs per call.
    public func lease(max: Int, for duration: Duration) async throws -> [Leased<Job>] {
        guard max >= 1 else { throw JobQueueError(code: .invalidArgument, detail: "max must be at least 1, got \(max)") }
        guard duration > .zero else {
            throw JobQueueError(code: .invalidArgument, detail: "lease must be positive, got \(duration)")
        }
        let nowMs = Millis.of(now())
        let until = Millis.adding(duration, to: nowMs)
        let decoder = JSONDecoder()
        var leased: [Leased<Job>] = []
        // A round that dead-letters rows (last delivery used, or no longer decodable) may return fewer
        // than asked although more are visible: go again, a bounded number of times.
        for _ in 0..<8 {
            let wanted = Swift.min(max - leased.count, Self.maxLeaseBatch)
            let tokens = (0..<wanted).map { _ in LeaseToken().rawValue }
            let rows: [PostgresRow]
            do {
                rows = try await perform("lease") { try await database.rows(leaseQuery(nowMs, until, wanted, tokens)) }
            } catch  where !leased.isEmpty {
                break  // keep what an earlier round leased; the caller holds those leases
            }
            var buried = 0
            var undecodable: [(id: Int64, token: String)] = []
            for row in rows {
                let (kind, id, token, payload, deliveries, firstEnqueuedAt) = try decoding("lease") {
                    try row.decode((String, Int64, String?, String?, Int64, Int64).self)
                }
                guard kind == "leased", let token, let payload else {
                    buried += 1
                    continue
                }
                guard let job = try? decoder.decode(Job.self, from: Data(payload.utf8)) else {
                    undecodable.append((id, token))
                    continue
                }
                leased.append(
                    Leased(
                        job: job, token: LeaseToken(rawValue: token), deliveryCount: Int(deliveries),
                        firstEnqueuedAt: Millis.date(firstEnqueuedAt), leasedUntil: Millis.date(until)))
            }
            if !undecodable.isEmpty {
                // We hold these leases. Should this fail, the leases run out and the rows are leased and
                // dead-lettered again later (at the latest on their last delivery) — never blocking the
                // queue, and never failing the jobs this call did lease.
                let ids = undecodable.map(\.id), heldTokens = undecodable.map(\.token)
                let reason = "the stored job does not decode as \(Job.self)"
                _ = try? await perform("lease: dead-letter undecodable jobs") {
                    _ = try await database.rows(
                        """
                        WITH dead AS (
                            DELETE FROM vigil_jobs WHERE id = ANY(\(ids)) AND token = ANY(\(heldTokens))
                            RETURNING queue, payload, delivery_count, first_enqueued_at
                        )
                        INSERT INTO vigil_dead_letters (queue, payload, reason, delivery_count, first_enqueued_at, dead_lettered_at)
                        SELECT queue, payload, \(reason), delivery_count, first_enqueued_at, \(nowMs) FROM dead
                        """)
                }
            }
            if leased.count >= Swift.min(max, Self.maxLeaseBatch) || (buried == 0 && undecodable.isEmpty) { break }
        }
        return leased
    }

    /// See `JobQueue.ack(_:)`.
    public func ack(_ token: LeaseToken) async throws {
        let nowMs = Millis.of(now())
        let name = self.name
        let rows = try await perform("ack") {
            try await database.rows(
                """
                DELETE FROM vigil_jobs WHERE token = \(token.rawValue) AND queue = \(name) AND available_at > \(nowMs)
                RETURNING 1
                """)
        }
        guard rows.count == 1 else { throw Self.leaseLost }
    }

    /// See `JobQueue.retry(_:after:reason:)`.
    public func retry(_ token: LeaseToken, after delay: Duration, reason: String) async throws {
        let nowMs = Millis.of(now())
        let availableAt = Swift.max(nowMs, Millis.adding(delay, to: nowMs))
        let notify = notificationChannel != nil && availableAt <= nowMs
        let channel = notificationChannel ?? ""
        let name = self.name, maxDeliveries = self.maxDeliveries
        let rows = try await perform("retry") {
            try await database.rows(
                """
                WITH dead AS (
                    DELETE FROM vigil_jobs
                     WHERE token = \(token.rawValue) AND queue = \(name) AND available_at > \(nowMs)
                       AND delivery_count >= \(maxDeliveries)
                    RETURNING queue, payload, delivery_count, first_enqueued_at
                ), buried AS (
                    INSERT INTO vigil_dead_letters (queue, payload, reason, delivery_count, first_enqueued_at, dead_lettered_at)
                    SELECT queue, payload, \(reason), delivery_count, first_enqueued_at, \(nowMs) FROM dead
                    RETURNING 1
                ), given_back AS (
                    UPDATE vigil_jobs SET token = NULL, available_at = \(availableAt), last_reason = \(reason)
                     WHERE token = \(token.rawValue) AND queue = \(name) AND available_at > \(nowMs)
                       AND delivery_count < \(maxDeliveries)
                    RETURNING id
                )
                SELECT (SELECT count(*) FROM buried)::bigint + (SELECT count(*) FROM given_back)::bigint,
                       (SELECT count(pg_notify(\(channel), \(name))) FROM given_back WHERE \(notify))::bigint
                """)
        }
        let owned: Int64 = try decoding("retry") {
            guard let row = rows.first else { return 0 }
            let (changed, _) = try row.decode((Int64, Int64).self)
            return changed
        }
        guard owned == 1 else { throw Self.leaseLost }
    }

    /// See `JobQueue.deadLetters()`. Entries whose job no longer decodes as `Job` are left out.
    public func deadLetters() async throws -> [DeadLetter<Job>] {
        let name = self.name
        let rows = try await perform("deadLetters") {
            try await database.rows(
                """
                SELECT payload::text, reason, delivery_count::bigint, first_enqueued_at, dead_lettered_at
                  FROM vigil_dead_letters WHERE queue = \(name) ORDER BY dead_lettered_at, id
                """, idempotent: true)
        }
        let decoder = JSONDecoder()
        return try rows.compactMap { row in
            let (payload, reason, deliveries, firstEnqueuedAt, deadLetteredAt) = try decoding("deadLetters") {
                try row.decode((String, String, Int64, Int64, Int64).self)
            }
            guard let job = try? decoder.decode(Job.self, from: Data(payload.utf8)) else { return nil }
            return DeadLetter(
                job: job, reason: reason, deliveryCount: Int(deliveries),
                firstEnqueuedAt: Millis.date(firstEnqueuedAt), deadLetteredAt: Millis.date(deadLetteredAt))
        }
    }

    // MARK: - JobArrivalNotifying

    /// Returns when a job may have become visible (a notification for this queue), after `timeout` at
    /// the latest, or at once when the calling task is cancelled. Without a notification channel it
    /// just waits out the timeout.
    public func waitForJobs(timeout: Duration) async {
        guard let listener else {
            try? await sleep(timeout)
            return
        }
        await listener.wait(timeout: timeout, sleep: sleep)
    }

    /// Starts the listening connection now instead of on the first ``waitForJobs(timeout:)``.
    public func startListening() {
        listener?.start()
    }

    /// Stops the listening connection (it returns its connection to the pool) and wakes every waiter.
    /// Later waits just wait out their timeout. It also stops when the queue is deinitialised or the
    /// client shuts down.
    public func stopListening() {
        listener?.stop()
    }

    /// Whether the listening connection is established right now (for health checks).
    public var isListening: Bool { listener?.isListening ?? false }

    /// Whether the listener's background task has ended (for tests).
    var listenerHasFinished: Bool { listener?.hasFinished ?? true }

    /// How many callers are in ``waitForJobs(timeout:)`` right now (for tests).
    var waiterCount: Int { listener?.waiterCount ?? 0 }

    // MARK: - Operations

    /// Deletes this queue's dead letters that were dead-lettered at least `age` ago.
    ///
    /// - Returns: how many were deleted.
    @discardableResult
    public func pruneDeadLetters(olderThan age: Duration) async throws -> Int {
        let cutoff = Millis.of(now()) - Millis.of(age)
        let name = self.name
        return try await perform("pruneDeadLetters") {
            let rows = try await database.rows(
                """
                WITH pruned AS (
                    DELETE FROM vigil_dead_letters WHERE queue = \(name) AND dead_lettered_at <= \(cutoff) RETURNING 1
                )
                SELECT count(*)::bigint FROM pruned
                """)
            return Int(try rows.first?.decode(Int64.self) ?? 0)
        }
    }

    /// Pending jobs in this queue: visible, delayed or leased (not dead letters).
    public func pendingCount() async throws -> Int {
        let name = self.name
        return try await perform("pendingCount") {
            let rows = try await database.rows("SELECT count(*)::bigint FROM vigil_jobs WHERE queue = \(name)", idempotent: true)
            return Int(try rows.first?.decode(Int64.self) ?? 0)
        }
    }

    /// All of this queue's dead letters, including those whose job no longer decodes.
    public func deadLetterCount() async throws -> Int {
        let name = self.name
        return try await perform("deadLetterCount") {
            let rows = try await database.rows(
                "SELECT count(*)::bigint FROM vigil_dead_letters WHERE queue = \(name)",
                idempotent: true)
            return Int(try rows.first?.decode(Int64.self) ?? 0)
        }
    }

    // MARK: - Private

    /// The most jobs one ``lease(max:for:)`` call hands out, whatever `max` asks for.
    public static var maxLeaseBatch: Int { 1_000 }

    private static var leaseLost: JobQueueError {
        JobQueueError(code: .leaseLost, detail: "the lease is unknown, already used or expired")
    }

    static func isValidChannel(_ channel: String) -> Bool {
        let bytes = Array(channel.utf8)
        guard !bytes.isEmpty, bytes.count <= 63 else { return false }
        return bytes.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5F
        }
    }

    /// The lease statement; see the type's documentation.
    private func leaseQuery(_ nowMs: Int64, _ until: Int64, _ limit: Int, _ tokens: [String]) -> PostgresQuery {
        let name = self.name, maxDeliveries = self.maxDeliveries
        return """
            WITH picked AS (
                SELECT id, delivery_count FROM vigil_jobs
                 WHERE queue = \(name) AND available_at <= \(nowMs)
                 ORDER BY available_at, id
                 LIMIT \(limit)
                 FOR UPDATE SKIP LOCKED
            ), dead AS (
                DELETE FROM vigil_jobs AS j USING picked AS p
                 WHERE j.id = p.id AND p.delivery_count >= \(maxDeliveries)
                RETURNING j.id, j.queue, j.payload, j.token, j.delivery_count, j.first_enqueued_at, j.last_reason
            ), buried AS (
                INSERT INTO vigil_dead_letters (queue, payload, reason, delivery_count, first_enqueued_at, dead_lettered_at)
                SELECT queue, payload,
                       CASE WHEN token IS NOT NULL
                            THEN 'lease expired on delivery ' || delivery_count || ' of ' || \(maxDeliveries)
                            ELSE 'delivered ' || delivery_count || ' times, maxDeliveries is ' || \(maxDeliveries)
                       END || coalesce('; last retry: ' || last_reason, ''),
                       delivery_count, first_enqueued_at, \(nowMs)
                  FROM dead
                RETURNING 1
            ), numbered AS (
                SELECT id, row_number() OVER (ORDER BY id) AS n FROM picked WHERE delivery_count < \(maxDeliveries)
            ), leased AS (
                UPDATE vigil_jobs AS j
                   SET token = (\(tokens)::text[])[numbered.n], available_at = \(until),
                       delivery_count = j.delivery_count + 1
                  FROM numbered
                 WHERE j.id = numbered.id
                RETURNING j.id, j.token, j.payload::text AS payload, j.delivery_count, j.first_enqueued_at
            )
            SELECT 'leased', id, token, payload, delivery_count::bigint, first_enqueued_at FROM leased
            UNION ALL
            SELECT 'dead', id, NULL, NULL, delivery_count::bigint, first_enqueued_at FROM dead
            """
    }

    private func perform<T>(_ operation: String, _ body: () async throws -> T) async throws -> T {
        do {
            try await database.ensureSchema()
            return try await body()
        } catch let error as JobQueueError {
            throw error
        } catch {
            throw JobQueueError(code: .storageFailure, detail: Database.describe(operation, error))
        }
    }

    private func decoding<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw JobQueueError(code: .storageFailure, detail: Database.describe(operation, error))
        }
    }
}
