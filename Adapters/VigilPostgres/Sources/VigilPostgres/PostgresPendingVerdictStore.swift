import Foundation
import Logging
import PostgresNIO
import VigilModels
import VigilVerdict

/// A `PendingVerdictStore` in PostgreSQL: the requests awaiting a verdict by callback, shared by every
/// machine, so an engine may post its callback to any of them.
///
/// One row per recording in `vigil_pending_verdicts` (`recording_id` is the primary key), holding the
/// request as JSON (`VigilJSON`'s encoding, dates to the millisecond) with its correlation id and
/// expiry. Expiry is the stored `expires_at` against the injected `now`, bound as a parameter.
///
/// - ``register(_:expiresAt:)`` is an upsert: a newer request for the same recording replaces the old.
/// - ``remove(_:correlationId:)`` is one `DELETE … WHERE recording_id = $1 AND correlation_id = $2 AND
///   expires_at > $now RETURNING …`: of two concurrent removals exactly one gets the row, an expired
///   entry is not returned, and a stale callback (another correlation id) removes nothing.
///
/// Failures throw ``VigilPostgresError`` with code `storageFailure` (the receiver answers 503 and the
/// engine delivers again); the detail never contains an identifier or the request.
public final class PostgresPendingVerdictStore: PendingVerdictStore {
    private let database: Database
    private let now: @Sendable () -> Date
    private let purgeIntervalMilliseconds: Int64
    private let lastPurge: PurgeMark

    /// Creates a store on `client`. No I/O happens until the first call (or ``prepare()``).
    ///
    /// - Parameters:
    ///   - client: the host's pool; its `run()` must be running while the store is used.
    ///   - purgeInterval: how often, at most, a registration also deletes a batch of expired entries.
    ///   - logger: where PostgresNIO logs this store's statements (they carry no values). Default: none.
    ///   - now: the wall clock expiry is measured against.
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
    public func prepare() async throws {
        try await database.ensureSchema()
    }

    /// Registers (or replaces) the pending request for its recording, until `expiresAt`.
    public func register(_ request: ComplianceRequest, expiresAt: Date) async throws {
        let json: String
        do {
            json = String(decoding: try VigilJSON.encoder.encode(request), as: UTF8.self)
        } catch {
            throw VigilPostgresError(code: .storageFailure, detail: "register: the request does not encode as JSON")
        }
        let nowMs = Millis.of(now())
        let expiry = Millis.of(expiresAt)
        let recording = request.recordingId.description, correlation = request.correlationId.description
        try await perform("register") {
            if lastPurge.due(at: nowMs, interval: purgeIntervalMilliseconds) {
                try await database.rows(
                    """
                    DELETE FROM vigil_pending_verdicts
                     WHERE recording_id IN (SELECT recording_id FROM vigil_pending_verdicts WHERE expires_at <= \(nowMs)
                                             LIMIT 500 FOR UPDATE SKIP LOCKED)
                       AND expires_at <= \(nowMs)
                    """)
            }
            try await database.rows(
                """
                INSERT INTO vigil_pending_verdicts (recording_id, correlation_id, request, expires_at)
                VALUES (\(recording), \(correlation), \(json)::jsonb, \(expiry))
                ON CONFLICT (recording_id) DO UPDATE
                   SET correlation_id = excluded.correlation_id, request = excluded.request, expires_at = excluded.expires_at
                """)
        }
    }

    /// The pending entry for `recordingId`, if one is registered and not expired.
    public func entry(for recordingId: GenesysID) async throws -> PendingVerdict? {
        let nowMs = Millis.of(now())
        let recording = recordingId.description
        let rows = try await perform("entry") {
            try await database.rows(
                """
                SELECT request::text, expires_at FROM vigil_pending_verdicts
                 WHERE recording_id = \(recording) AND expires_at > \(nowMs)
                """, idempotent: true)
        }
        return try rows.first.map { try decode($0, operation: "entry") }
    }

    /// Removes and returns the live entry for `recordingId` when it is the one for `correlationId`;
    /// `nil` when there is none, it expired, it belongs to another correlation id, or another caller
    /// removed it first.
    @discardableResult
    public func remove(_ recordingId: GenesysID, correlationId: CorrelationID) async throws -> PendingVerdict? {
        let nowMs = Millis.of(now())
        let recording = recordingId.description, correlation = correlationId.description
        let rows = try await perform("remove") {
            try await database.rows(
                """
                DELETE FROM vigil_pending_verdicts
                 WHERE recording_id = \(recording) AND correlation_id = \(correlation) AND expires_at > \(nowMs)
                RETURNING request::text, expires_at
                """)
        }
        return try rows.first.map { try decode($0, operation: "remove") }
    }

    /// Deletes every expired entry now.
    ///
    /// - Returns: how many were deleted.
    @discardableResult
    public func purgeExpired() async throws -> Int {
        let nowMs = Millis.of(now())
        lastPurge.set(nowMs)
        return try await perform("purge") {
            let rows = try await database.rows(
                """
                WITH purged AS (DELETE FROM vigil_pending_verdicts WHERE expires_at <= \(nowMs) RETURNING 1)
                SELECT count(*)::bigint FROM purged
                """)
            return Int(try rows.first?.decode(Int64.self) ?? 0)
        }
    }

    // MARK: - Private

    private func decode(_ row: PostgresRow, operation: String) throws -> PendingVerdict {
        do {
            let (json, expiresAt) = try row.decode((String, Int64).self)
            let request = try VigilJSON.decoder.decode(ComplianceRequest.self, from: Data(json.utf8))
            return PendingVerdict(request: request, expiresAt: Millis.date(expiresAt))
        } catch {
            throw VigilPostgresError(code: .storageFailure, detail: "\(operation): a stored request does not decode")
        }
    }

    private func perform<T>(_ operation: String, _ body: () async throws -> T) async throws -> T {
        do {
            try await database.ensureSchema()
            return try await body()
        } catch let error as VigilPostgresError {
            throw error
        } catch {
            throw VigilPostgresError(code: .storageFailure, detail: Database.describe(operation, error))
        }
    }
}
