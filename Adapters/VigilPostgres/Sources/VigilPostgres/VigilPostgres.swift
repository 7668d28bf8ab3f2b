import Foundation
import Logging
import PostgresNIO

/// The schema every VigilPostgres type uses, and the entry point that creates or upgrades it.
///
/// Every type also migrates by itself on first use (or in its `prepare()`), so calling
/// ``migrate(_:logger:)`` at start is optional — but it surfaces a ``VigilPostgresError`` (say a
/// schema newer than this build) at deploy time instead of on the first webhook.
///
/// ```swift
/// let client = try VigilPostgresConfiguration(url: url).makeClient()
/// async let running: Void = client.run()          // or add the client to a ServiceGroup
/// try await VigilPostgres.migrate(client)
/// ```
public enum VigilPostgres {
    /// One step of the schema: applied once per database, in `version` order, in one transaction.
    struct Migration: Sendable {
        let version: Int
        let name: String
        let statements: [String]
    }

    /// The schema version this build creates and understands.
    public static var latestSchemaVersion: Int { migrations.last?.version ?? 0 }

    /// The advisory-lock key every migrating process takes (`pg_advisory_xact_lock`), so that N
    /// processes starting at once apply each migration exactly once. ("Vigil" in ASCII.)
    public static let migrationLockKey: Int64 = 0x0056_6967_696C_0001

    static let migrations: [Migration] = [
        Migration(
            version: 1, name: "idempotency records",
            statements: [
                """
                CREATE TABLE vigil_idempotency (
                    key         text   PRIMARY KEY,
                    fingerprint text   NOT NULL,
                    status      text   NOT NULL CHECK (status IN ('in_progress', 'completed')),
                    token       text,
                    outcome     jsonb,
                    expires_at  bigint NOT NULL
                )
                """,
                "CREATE INDEX vigil_idempotency_expires_at ON vigil_idempotency (expires_at)"
            ]),
        Migration(
            version: 2, name: "job queue and dead letters",
            statements: [
                """
                CREATE TABLE vigil_jobs (
                    id                bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    queue             text    NOT NULL,
                    payload           jsonb   NOT NULL,
                    token             text,
                    delivery_count    integer NOT NULL DEFAULT 0,
                    first_enqueued_at bigint  NOT NULL,
                    available_at      bigint  NOT NULL,
                    last_reason       text
                )
                """,
                // The lease scan: equality on queue, range on available_at, in (available_at, id) order.
                "CREATE INDEX vigil_jobs_queue_available ON vigil_jobs (queue, available_at, id)",
                // ack / retry find their row by token; only leased rows carry one.
                "CREATE UNIQUE INDEX vigil_jobs_token ON vigil_jobs (token) WHERE token IS NOT NULL",
                """
                CREATE TABLE vigil_dead_letters (
                    id                bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    queue             text    NOT NULL,
                    payload           jsonb   NOT NULL,
                    reason            text    NOT NULL,
                    delivery_count    integer NOT NULL,
                    first_enqueued_at bigint  NOT NULL,
                    dead_lettered_at  bigint  NOT NULL
                )
                """,
                "CREATE INDEX vigil_dead_letters_queue ON vigil_dead_letters (queue, dead_lettered_at, id)"
            ]),
        Migration(
            version: 3, name: "pending verdicts and delivery ids",
            statements: [
                """
                CREATE TABLE vigil_pending_verdicts (
                    recording_id   text   PRIMARY KEY,
                    correlation_id text   NOT NULL,
                    request        jsonb  NOT NULL,
                    expires_at     bigint NOT NULL
                )
                """,
                "CREATE INDEX vigil_pending_verdicts_expires_at ON vigil_pending_verdicts (expires_at)",
                """
                CREATE TABLE vigil_delivery_ids (
                    id         text   PRIMARY KEY,
                    expires_at bigint NOT NULL
                )
                """,
                "CREATE INDEX vigil_delivery_ids_expires_at ON vigil_delivery_ids (expires_at)"
            ]),
        Migration(
            version: 4, name: "remediation dead letters",
            statements: [
                """
                CREATE TABLE vigil_remediation_dead_letters (
                    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    recording_id     text   NOT NULL,
                    letter           jsonb  NOT NULL,
                    dead_lettered_at bigint NOT NULL
                )
                """,
                "CREATE INDEX vigil_remediation_dead_letters_recording ON vigil_remediation_dead_letters (recording_id, id)",
                "CREATE INDEX vigil_remediation_dead_letters_at ON vigil_remediation_dead_letters (dead_lettered_at)"
            ])
    ]

    /// Creates or upgrades the schema to ``latestSchemaVersion``.
    ///
    /// Runs in one transaction on one connection: it takes `pg_advisory_xact_lock(`
    /// ``migrationLockKey``) first, so concurrent callers in any number of processes queue up behind
    /// each other; each then reads `vigil_schema_migrations`, applies the missing versions in order and
    /// records them. A failure rolls everything back, so the schema is never half-upgraded.
    ///
    /// The client's `run()` must be running.
    ///
    /// - Returns: the versions this call applied (empty when the schema was already current).
    /// - Throws: ``VigilPostgresError`` — `schemaTooNew` when the database records a version newer
    ///   than this build knows (nothing is changed), `storageFailure` when the server fails.
    @discardableResult
    public static func migrate(_ client: PostgresClient, logger: Logger? = nil) async throws -> [Int] {
        let logger = logger ?? Database.silent
        do {
            return try await Database(client: client, logger: logger).withOpenConnection { connection in
                try await connection.run("BEGIN", logger: logger)
                do {
                    let applied = try await migrate(on: connection, logger: logger)
                    try await connection.run("COMMIT", logger: logger)
                    return applied
                } catch {
                    try? await Database.rollBack(connection, after: error, logger: logger)
                    throw error
                }
            }
        } catch let error as VigilPostgresError {
            throw error
        } catch {
            throw VigilPostgresError(code: .storageFailure, detail: Database.describe("migrate", error))
        }
    }

    /// The schema version the database records (0 when VigilPostgres never migrated it).
    public static func schemaVersion(_ client: PostgresClient, logger: Logger? = nil) async throws -> Int {
        let logger = logger ?? Database.silent
        do {
            let rows = try await Database(client: client, logger: logger).rows(
                """
                SELECT CASE WHEN to_regclass('vigil_schema_migrations') IS NULL THEN 0
                            ELSE (SELECT coalesce(max(version), 0) FROM vigil_schema_migrations) END::bigint
                """, idempotent: true)
            return Int(try rows.first?.decode(Int64.self) ?? 0)
        } catch {
            throw VigilPostgresError(code: .storageFailure, detail: Database.describe("schemaVersion", error))
        }
    }

    private static func migrate(on connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        try await connection.run("SELECT pg_advisory_xact_lock(\(migrationLockKey))", logger: logger)
        try await connection.run(
            """
            CREATE TABLE IF NOT EXISTS vigil_schema_migrations (
                version    integer     PRIMARY KEY,
                name       text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, logger: logger)
        let rows = try await connection.run(
            "SELECT coalesce(max(version), 0)::bigint FROM vigil_schema_migrations", logger: logger)
        let current = Int(try rows.first?.decode(Int64.self) ?? 0)
        guard current <= latestSchemaVersion else {
            throw VigilPostgresError(
                code: .schemaTooNew,
                detail:
                    "the database schema is at version \(current), newer than this build's \(latestSchemaVersion); "
                    + "deploy the newer VigilPostgres")
        }
        var applied: [Int] = []
        for migration in migrations where migration.version > current {
            for statement in migration.statements {
                try await connection.run(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.run(
                "INSERT INTO vigil_schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                logger: logger)
            applied.append(migration.version)
        }
        return applied
    }
}
