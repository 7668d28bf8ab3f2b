import Foundation
import Logging
import PostgresNIO
import VigilCore
import VigilIdempotency

/// An `IdempotencyStore` in PostgreSQL, shared by every process and machine that points at the same
/// database: the seed's "unique index on the recording identifier", as a real primary key.
///
/// Records live in `vigil_idempotency` (`key` is the primary key). Every operation is one statement,
/// hence atomic against every other connection:
///
/// - ``claim(_:fingerprint:lease:)`` is `INSERT … ON CONFLICT (key) DO UPDATE … WHERE expires_at <=
///   $now RETURNING token`: the row is written only when the key is absent or its record is dead, and
///   the primary key serialises racing inserts. A returned token is the caller's win; otherwise the
///   same statement reads the live record and answers conflict, in progress or completed. (When a
///   racing claim committed after the statement's snapshot, the statement sees neither and simply runs
///   again.)
/// - ``complete(_:token:outcome:retain:)`` is an `UPDATE … WHERE key = $1 AND token = $2 AND status =
///   'in_progress' AND expires_at > $now`; no row means `leaseLost`.
/// - ``release(_:token:)`` is a `DELETE … WHERE key = $1 AND token = $2 AND status = 'in_progress'`.
///
/// Expiry is computed from the stored `expires_at` (milliseconds since 1970) against the injected
/// `now`, passed as a bound parameter — never the server's `now()` — so every machine agrees with the
/// clock Vigil was given and tests can move time. Dead rows behave as absent; a claim deletes a batch of
/// them at most every `purgeInterval`, and ``purgeExpired()`` deletes them all.
///
/// Failures are thrown as `IdempotencyError` with code `storageFailure` (retryable); the detail names
/// the operation and the SQLSTATE, never the key, fingerprint or outcome.
public final class PostgresIdempotencyStore: IdempotencyStore {
    private let database: Database
    private let now: @Sendable () -> Date
    private let purgeIntervalMilliseconds: Int64
    private let lastPurge: PurgeMark

    /// How many expired rows a claim deletes when a purge is due.
    static let purgeBatch = 500

    /// Creates a store on `client`. No I/O happens until the first call (or ``prepare()``).
    ///
    /// - Parameters:
    ///   - client: the host's pool; its `run()` must be running while the store is used.
    ///   - purgeInterval: how often, at most, a claim also deletes a batch of expired records.
    ///     Default 60 s.
    ///   - logger: where PostgresNIO logs this store's statements (they carry no values: everything is
    ///     bound). Default: nothing is logged.
    ///   - now: the wall clock every expiry is measured against.
    public init(
        client: PostgresClient, purgeInterval: Duration = .seconds(60), logger: Logger? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.database = Database(client: client, logger: logger)
        self.now = now
        self.purgeIntervalMilliseconds = Millis.of(purgeInterval)
        self.lastPurge = PurgeMark(Millis.of(now()))
    }

    /// Migrates the schema now rather than on the first call.
    ///
    /// - Throws: ``VigilPostgresError`` (for example `schemaTooNew`).
    public func prepare() async throws {
        try await database.ensureSchema()
    }

    /// See `IdempotencyStore.claim(_:fingerprint:lease:)`.
    public func claim(_ key: String, fingerprint: String, lease: Duration) async throws -> ClaimResult {
        try IdempotencyValidation.validate(key: key)
        try IdempotencyValidation.validate(fingerprint: fingerprint)
        try IdempotencyValidation.validate(duration: lease, name: "lease")
        let nowMs = Millis.of(now())
        let expiresAt = Millis.adding(lease, to: nowMs)
        let token = LeaseToken()
        try await perform("claim") {
            if lastPurge.due(at: nowMs, interval: purgeIntervalMilliseconds) {
                try await database.rows(Self.purgeQuery(nowMs: nowMs, limit: Self.purgeBatch))
            }
        }
        for _ in 0..<16 {
            let rows = try await perform("claim") {
                try await database.rows(
                    """
                    WITH claimed AS (
                        INSERT INTO vigil_idempotency AS r (key, fingerprint, status, token, outcome, expires_at)
                        VALUES (\(key), \(fingerprint), 'in_progress', \(token.rawValue), NULL, \(expiresAt))
                        ON CONFLICT (key) DO UPDATE
                           SET fingerprint = excluded.fingerprint, status = 'in_progress', token = excluded.token,
                               outcome = NULL, expires_at = excluded.expires_at
                         WHERE r.expires_at <= \(nowMs)
                        RETURNING r.token
                    )
                    SELECT true, NULL::text, NULL::text, NULL::text, NULL::bigint, NULL::text FROM claimed
                    UNION ALL
                    SELECT false, fingerprint, status, outcome::text, expires_at, token FROM vigil_idempotency
                     WHERE key = \(key) AND expires_at > \(nowMs) AND NOT EXISTS (SELECT 1 FROM claimed)
                    """, idempotent: true)
            }
            guard let row = rows.first else { continue }  // changed under us: look again
            let (won, storedFingerprint, status, outcome, storedExpiry, storedToken) = try decoding("claim") {
                try row.decode((Bool, String?, String?, String?, Int64?, String?).self)
            }
            // Our own token: this attempt, or a repeat after a lost connection whose first run committed.
            if won || storedToken == token.rawValue { return .acquired(token) }
            guard storedFingerprint == fingerprint else { return .conflict }
            guard status == "completed" else { return .inProgress(until: Millis.date(storedExpiry ?? expiresAt)) }
            guard let outcome, let decoded = try? JSONDecoder().decode(StoredOutcome.self, from: Data(outcome.utf8)) else {
                throw IdempotencyError(code: .storageFailure, detail: "claim: a stored outcome does not decode")
            }
            return .completed(decoded)
        }
        throw IdempotencyError(code: .storageFailure, detail: "claim: the record kept changing under concurrent claims")
    }

    /// See `IdempotencyStore.complete(_:token:outcome:retain:)`.
    public func complete(_ key: String, token: LeaseToken, outcome: StoredOutcome, retain: Duration) async throws {
        try IdempotencyValidation.validate(key: key)
        try IdempotencyValidation.validate(duration: retain, name: "retain")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(outcome), as: UTF8.self)
        let nowMs = Millis.of(now())
        let expiresAt = Millis.adding(retain, to: nowMs)
        let rows = try await perform("complete") {
            try await database.rows(
                """
                UPDATE vigil_idempotency
                   SET status = 'completed', token = NULL, outcome = \(json)::jsonb, expires_at = \(expiresAt)
                 WHERE key = \(key) AND token = \(token.rawValue) AND status = 'in_progress' AND expires_at > \(nowMs)
                RETURNING 1
                """)
        }
        guard rows.count == 1 else {
            throw IdempotencyError(code: .leaseLost, detail: "the token does not own a live claim on the key")
        }
    }

    /// See `IdempotencyStore.release(_:token:)`.
    public func release(_ key: String, token: LeaseToken) async throws {
        try IdempotencyValidation.validate(key: key)
        _ = try await perform("release") {
            try await database.rows(
                """
                DELETE FROM vigil_idempotency WHERE key = \(key) AND token = \(token.rawValue) AND status = 'in_progress'
                """, idempotent: true)
        }
    }

    /// Deletes every expired record now (expired leases and retention that has run out), in batches.
    ///
    /// Expired records already behave as absent; purging only reclaims space.
    ///
    /// - Returns: how many records were deleted.
    @discardableResult
    public func purgeExpired() async throws -> Int {
        let nowMs = Millis.of(now())
        lastPurge.set(nowMs)
        var total = 0
        while true {
            let deleted = try await perform("purge") {
                Int(try await database.rows(Self.purgeQuery(nowMs: nowMs, limit: 5_000)).first?.decode(Int64.self) ?? 0)
            }
            total += deleted
            if deleted < 5_000 { return total }
        }
    }

    /// How many records the table holds, live or expired but not yet purged.
    public func count() async throws -> Int {
        try await perform("count") {
            let rows = try await database.rows("SELECT count(*)::bigint FROM vigil_idempotency", idempotent: true)
            return Int(try rows.first?.decode(Int64.self) ?? 0)
        }
    }

    // MARK: - Private

    private static func purgeQuery(nowMs: Int64, limit: Int) -> PostgresQuery {
        """
        WITH purged AS (
            DELETE FROM vigil_idempotency
             WHERE key IN (SELECT key FROM vigil_idempotency WHERE expires_at <= \(nowMs)
                            LIMIT \(limit) FOR UPDATE SKIP LOCKED)
               AND expires_at <= \(nowMs)
            RETURNING 1
        )
        SELECT count(*)::bigint FROM purged
        """
    }

    private func perform<T>(_ operation: String, _ body: () async throws -> T) async throws -> T {
        do {
            try await database.ensureSchema()
            return try await body()
        } catch let error as IdempotencyError {
            throw error
        } catch {
            throw IdempotencyError(code: .storageFailure, detail: Database.describe(operation, error))
        }
    }

    private func decoding<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw IdempotencyError(code: .storageFailure, detail: Database.describe(operation, error))
        }
    }
}
