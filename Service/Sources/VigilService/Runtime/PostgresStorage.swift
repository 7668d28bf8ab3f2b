import Foundation
import Logging
import PostgresNIO
import VigilCore
import VigilModels
import VigilPostgres
import VigilRemediation

extension ServiceStorage {
    /// Every store in one PostgreSQL database (`VigilPostgres`), shared by any number of processes on
    /// any number of machines. The pool (`PostgresClient`) runs as a service of the group; the schema
    /// is migrated on first use (advisory-locked, so processes starting together agree).
    ///
    /// - Throws: ``ServiceConfigurationError`` (key `VIGIL_STORE`) when the URL is refused.
    public static func postgres(url: String, maxDeliveries: Int = 10, logger: Logger? = nil,
                                now: @escaping @Sendable () -> Date = { Date() }) throws -> ServiceStorage {
        let configuration: VigilPostgresConfiguration
        do { configuration = try VigilPostgresConfiguration(url: url) } catch {
            throw ServiceConfigurationError(key: ServiceConfiguration.Key.store, reason: "the postgres:// URL is refused: \(Self.code(of: error))")
        }
        let client = configuration.makeClient(backgroundLogger: logger)
        let store = PostgresIdempotencyStore(client: client, now: now)
        let queue = PostgresJobQueue<RecordingJob>(client: client, name: "recordings", maxDeliveries: maxDeliveries, now: now)
        let pending = PostgresPendingVerdictStore(client: client, now: now)
        let deliveryIDs = PostgresDeliveryIDStore(client: client, now: now)
        let sink = PostgresRemediationDeadLetterSink(client: client, now: now)
        return ServiceStorage(
            idempotency: store, queue: queue, pendingVerdicts: pending, deliveryIDs: deliveryIDs, deadLetters: sink,
            queueDepth: { try await queue.pendingCount() },
            queueDeadLetters: { try await queue.deadLetterCount() },
            probes: [
                ReadinessProbe(name: "store") { _ = try await client.query("SELECT 1").collect() },
                ReadinessProbe(name: "queue") { _ = try await queue.pendingCount() },
            ],
            services: [client], maxDeliveries: maxDeliveries, label: configuration.description,
            close: { queue.stopListening() })
    }

    static func code(of error: any Error) -> String {
        (error as? any VigilError)?.errorCode ?? String(describing: type(of: error))
    }
}

/// Remediation dead letters in PostgreSQL (`vigil_service_dead_letters`, one JSON row per letter),
/// shared by every process on the database.
///
/// A stand-in until `VigilPostgres` ships its own `PostgresDeadLetterSink`; the table is created on
/// first use under an advisory lock.
public final class PostgresRemediationDeadLetterSink: DeadLetterSink {
    private let client: PostgresClient
    private let now: @Sendable () -> Date
    private let prepared = PreparedFlag()

    /// The advisory-lock key taken while creating the table.
    static let lockKey: Int64 = 0x0056_6967_696C_5344

    /// Creates the sink on `client` (its `run()` must be running while the sink is used).
    public init(client: PostgresClient, now: @escaping @Sendable () -> Date = { Date() }) {
        self.client = client
        self.now = now
    }

    public func deadLetter(_ letter: RemediationDeadLetter) async throws {
        try await prepare()
        let json = String(decoding: try JSONEncoder().encode(letter), as: UTF8.self)
        let recordingId = letter.recordingId.rawValue
        let at = Int64((now().timeIntervalSince1970 * 1_000).rounded())
        _ = try await client.query("""
            INSERT INTO vigil_service_dead_letters (recording_id, letter, dead_lettered_at)
            VALUES (\(recordingId), \(json)::jsonb, \(at))
            """).collect()
    }

    /// The stored letters, oldest first.
    public func letters(limit: Int = 1_000) async throws -> [RemediationDeadLetter] {
        try await prepare()
        let rows = try await client.query("SELECT letter::text FROM vigil_service_dead_letters ORDER BY id LIMIT \(limit)").collect()
        return try rows.map { row in
            try JSONDecoder().decode(RemediationDeadLetter.self, from: Data(try row.decode(String.self).utf8))
        }
    }

    private func prepare() async throws {
        guard !prepared.isSet else { return }
        try await client.withConnection { connection in
            _ = try await connection.query("BEGIN", logger: Self.silent)
            do {
                _ = try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))", logger: Self.silent)
                _ = try await connection.query("""
                    CREATE TABLE IF NOT EXISTS vigil_service_dead_letters (
                        id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                        recording_id     text   NOT NULL,
                        letter           jsonb  NOT NULL,
                        dead_lettered_at bigint NOT NULL
                    )
                    """, logger: Self.silent)
                _ = try await connection.query("COMMIT", logger: Self.silent)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: Self.silent)
                throw error
            }
        }
        prepared.set()
    }

    static let silent = Logger(label: "vigil.postgres.silent", factory: { _ in SwiftLogNoOpLogHandler() })
}

final class PreparedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
