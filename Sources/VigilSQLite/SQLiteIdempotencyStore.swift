import Foundation
import VigilCore
import VigilIdempotency

/// A durable `IdempotencyStore` in an SQLite database file: the embedded default for a host on one
/// machine, with any number of processes sharing the file.
///
/// Records survive restarts and crashes. Every operation is one SQLite transaction, so it is atomic
/// against every other connection to the file — other stores in this process and stores in other
/// processes:
///
/// - ``claim(_:fingerprint:lease:)`` runs, inside `BEGIN IMMEDIATE`, one
///   `INSERT … ON CONFLICT (key) DO UPDATE … WHERE expires_at <= :now RETURNING token`: the row is
///   written only when the key is absent or its record is dead. A returned token is the caller's win;
///   otherwise the live record is read in the same transaction and answered as conflict, in progress or
///   completed.
/// - ``complete(_:token:outcome:retain:)`` is an `UPDATE … WHERE token = :token AND status =
///   'in_progress' AND expires_at > :now`; no row changed means `leaseLost`.
/// - ``release(_:token:)`` is a `DELETE … WHERE token = :token AND status = 'in_progress'`.
///
/// Expiry is computed from the stored `expires_at` (milliseconds since 1970) against the injected
/// `now`, never SQLite's clock. Dead rows change nothing; they are deleted on access at most every
/// `purgeInterval`, or by ``purgeExpired()``.
///
/// Storage failures are thrown as `IdempotencyError` with code `storageFailure` (retryable), the
/// SQLite result code in its detail.
public final class SQLiteIdempotencyStore: IdempotencyStore {
    private let database: SQLiteDatabase
    private let now: @Sendable () -> Date
    private let purgeIntervalMilliseconds: Int64
    private let lastPurge: PurgeMark

    /// Opens (creating when absent) the database at `path`.
    ///
    /// - Parameters:
    ///   - path: the database file. Its directory must exist. A new file is created with
    ///     ``SQLiteConfiguration/fileMode`` (default `0600`). The file may be shared with a
    ///     ``SQLiteJobQueue`` and with other processes.
    ///   - configuration: durability and locking settings. Default ``SQLiteConfiguration/default``.
    ///   - purgeInterval: how often, at most, a claim also deletes expired records. Default 60 s.
    ///   - now: the wall clock every expiry is measured against.
    /// - Throws: ``SQLiteError`` when the file cannot be opened, configured or migrated.
    public init(
        path: String, configuration: SQLiteConfiguration = .default, purgeInterval: Duration = .seconds(60),
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        self.database = try SQLiteDatabase(path: path, configuration: configuration)
        self.now = now
        self.purgeIntervalMilliseconds = Timestamp.milliseconds(purgeInterval)
        self.lastPurge = PurgeMark(Timestamp.milliseconds(now()))
    }

    /// See `IdempotencyStore.claim(_:fingerprint:lease:)`.
    public func claim(_ key: String, fingerprint: String, lease: Duration) async throws -> ClaimResult {
        try IdempotencyValidation.validate(key: key)
        try IdempotencyValidation.validate(fingerprint: fingerprint)
        try IdempotencyValidation.validate(duration: lease, name: "lease")
        let nowMs = Timestamp.milliseconds(now())
        let expiresAt = Timestamp.adding(lease, to: nowMs)
        let token = LeaseToken()
        let purge = lastPurge.due(at: nowMs, interval: purgeIntervalMilliseconds)
        let answer = try await perform("claim") { connection in
            try connection.immediateTransaction("claim") { () throws -> ClaimAnswer in
                if purge {
                    try connection.run(SQL.purge, [.integer(nowMs)], operation: "claim: purge")
                }
                let won = try connection.queryOne(
                    SQL.claim,
                    [
                        .text(key), .text(fingerprint), .text(token.rawValue), .integer(expiresAt), .integer(nowMs)
                    ], operation: "claim"
                ) { $0.text(0) }
                if won == token.rawValue { return .acquired }
                // A live record exists (the write lock is still ours, so it is still there and live).
                let record = try connection.queryOne(SQL.inspect, [.text(key)], operation: "claim: inspect") { row in
                    StoredRecord(
                        fingerprint: row.text(0) ?? "", completed: row.text(1) == "completed",
                        outcome: row.text(2), expiresAt: row.int64(3))
                }
                guard let record else {
                    throw SQLiteError(code: .other, resultCode: 0, detail: "claim: the conflicting record vanished")
                }
                return .existing(record)
            }
        }
        guard case .existing(let row) = answer else { return .acquired(token) }
        guard row.fingerprint == fingerprint else { return .conflict }
        guard row.completed else { return .inProgress(until: Timestamp.date(row.expiresAt)) }
        guard let json = row.outcome, let outcome = try? JSONDecoder().decode(StoredOutcome.self, from: Data(json.utf8)) else {
            throw IdempotencyError(code: .storageFailure, detail: "a stored outcome does not decode")
        }
        return .completed(outcome)
    }

    /// See `IdempotencyStore.complete(_:token:outcome:retain:)`.
    public func complete(_ key: String, token: LeaseToken, outcome: StoredOutcome, retain: Duration) async throws {
        try IdempotencyValidation.validate(key: key)
        try IdempotencyValidation.validate(duration: retain, name: "retain")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(outcome), as: UTF8.self)
        let nowMs = Timestamp.milliseconds(now())
        let expiresAt = Timestamp.adding(retain, to: nowMs)
        let changed = try await perform("complete") { connection in
            try connection.run(
                SQL.complete,
                [
                    .text(key), .text(token.rawValue), .text(json), .integer(expiresAt), .integer(nowMs)
                ], operation: "complete")
        }
        guard changed == 1 else {
            throw IdempotencyError(code: .leaseLost, detail: "the token does not own a live claim on the key")
        }
    }

    /// See `IdempotencyStore.release(_:token:)`.
    public func release(_ key: String, token: LeaseToken) async throws {
        try IdempotencyValidation.validate(key: key)
        _ = try await perform("release") { connection in
            try connection.run(SQL.release, [.text(key), .text(token.rawValue)], operation: "release")
        }
    }

    /// Deletes every expired record now (expired leases and retention that has run out).
    ///
    /// Expired records already behave as absent; purging only reclaims space.
    ///
    /// - Returns: how many records were deleted.
    @discardableResult
    public func purgeExpired() async throws -> Int {
        let nowMs = Timestamp.milliseconds(now())
        lastPurge.set(nowMs)
        return try await perform("purge") { connection in
            try connection.run(SQL.purge, [.integer(nowMs)], operation: "purge")
        }
    }

    /// How many records the file holds, live or expired but not yet purged.
    public func count() async throws -> Int {
        try await perform("count") { connection in
            try connection.queryOne(SQL.count, [], operation: "count") { $0.int(0) } ?? 0
        }
    }

    /// Closes the database connection once the operations already started have finished. Later calls
    /// throw `IdempotencyError` with code `storageFailure`. Closing is optional: the connection is also
    /// closed when the store is deinitialised.
    public func close() async {
        await database.close()
    }

    // MARK: - Private

    private enum ClaimAnswer: Sendable {
        case acquired
        case existing(StoredRecord)
    }

    private struct StoredRecord: Sendable {
        var fingerprint: String
        var completed: Bool
        var outcome: String?
        var expiresAt: Int64
    }

    private enum SQL {
        static let claim = """
            INSERT INTO vigil_idempotency (key, fingerprint, status, token, outcome, expires_at)
            VALUES (?1, ?2, 'in_progress', ?3, NULL, ?4)
            ON CONFLICT (key) DO UPDATE
               SET fingerprint = excluded.fingerprint, status = 'in_progress', token = excluded.token,
                   outcome = NULL, expires_at = excluded.expires_at
             WHERE vigil_idempotency.expires_at <= ?5
            RETURNING token
            """
        static let inspect = "SELECT fingerprint, status, outcome, expires_at FROM vigil_idempotency WHERE key = ?1"
        static let complete = """
            UPDATE vigil_idempotency
               SET status = 'completed', token = NULL, outcome = ?3, expires_at = ?4
             WHERE key = ?1 AND status = 'in_progress' AND token = ?2 AND expires_at > ?5
            """
        static let release = "DELETE FROM vigil_idempotency WHERE key = ?1 AND status = 'in_progress' AND token = ?2"
        static let purge = "DELETE FROM vigil_idempotency WHERE expires_at <= ?1"
        static let count = "SELECT count(*) FROM vigil_idempotency"
    }

    private func perform<T: Sendable>(
        _ operation: String,
        _ body: @escaping @Sendable (SQLiteConnection) throws -> T
    ) async throws -> T {
        do {
            return try await database.perform(body)
        } catch let error as SQLiteError {
            throw IdempotencyError(code: .storageFailure, detail: "\(operation): \(error)")
        }
    }
}

/// When expired rows were last purged, shared by concurrent callers of one store.
struct PurgeMark: Sendable {
    private let last: Locked<Int64>

    init(_ start: Int64) { last = Locked(start) }

    /// Whether a purge is due at `now`; if so, records `now` so only one caller purges.
    func due(at now: Int64, interval: Int64) -> Bool {
        last.withLock { last in
            guard now - last >= interval else { return false }
            last = now
            return true
        }
    }

    func set(_ now: Int64) { last.withLock { $0 = now } }
}
