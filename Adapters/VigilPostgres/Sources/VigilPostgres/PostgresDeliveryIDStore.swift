import Foundation
import Logging
import PostgresNIO
import VigilVerdict

/// A `DeliveryIDStore` in PostgreSQL: the `webhook-id`s of accepted callbacks, shared by every
/// receiving machine, so a replay is refused whichever machine it reaches.
///
/// One row per id in `vigil_delivery_ids` (`id` is the primary key) with its expiry.
/// ``insertIfAbsent(_:until:)`` is one `INSERT … ON CONFLICT (id) DO UPDATE … WHERE expires_at <=
/// $now RETURNING 1`: a new id, or one whose row has expired (by the injected clock), is recorded and
/// answers `true`; a live one answers `false`. Of concurrent inserts of one id exactly one is `true`.
///
/// Failures throw ``VigilPostgresError`` with code `storageFailure`; the detail never contains the id.
public final class PostgresDeliveryIDStore: DeliveryIDStore {
    private let database: Database
    private let now: @Sendable () -> Date
    private let purgeIntervalMilliseconds: Int64
    private let lastPurge: PurgeMark

    /// Creates a store on `client`. No I/O happens until the first call (or ``prepare()``).
    ///
    /// - Parameters:
    ///   - client: the host's pool; its `run()` must be running while the store is used.
    ///   - purgeInterval: how often, at most, an insert also deletes a batch of expired ids.
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

    /// Records `id` until `until`; `false` when it is already recorded and not expired (a replay).
    public func insertIfAbsent(_ id: String, until: Date) async throws -> Bool {
        let nowMs = Millis.of(now())
        let expiry = Millis.of(until)
        return try await perform("insertIfAbsent") {
            if lastPurge.due(at: nowMs, interval: purgeIntervalMilliseconds) {
                try await database.rows(
                    """
                    DELETE FROM vigil_delivery_ids
                     WHERE id IN (SELECT id FROM vigil_delivery_ids WHERE expires_at <= \(nowMs) LIMIT 500 FOR UPDATE SKIP LOCKED)
                       AND expires_at <= \(nowMs)
                    """)
            }
            let rows = try await database.rows(
                """
                INSERT INTO vigil_delivery_ids AS d (id, expires_at) VALUES (\(id), \(expiry))
                ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at WHERE d.expires_at <= \(nowMs)
                RETURNING 1
                """)
            return rows.count == 1
        }
    }

    /// Forgets `id` (the delivery could not be handled; a retry must be accepted).
    public func remove(_ id: String) async throws {
        try await perform("remove") {
            _ = try await database.rows("DELETE FROM vigil_delivery_ids WHERE id = \(id)", idempotent: true)
        }
    }

    /// Deletes every expired id now.
    ///
    /// - Returns: how many were deleted.
    @discardableResult
    public func purgeExpired() async throws -> Int {
        let nowMs = Millis.of(now())
        lastPurge.set(nowMs)
        return try await perform("purge") {
            let rows = try await database.rows(
                """
                WITH purged AS (DELETE FROM vigil_delivery_ids WHERE expires_at <= \(nowMs) RETURNING 1)
                SELECT count(*)::bigint FROM purged
                """)
            return Int(try rows.first?.decode(Int64.self) ?? 0)
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
