import Foundation
import Logging
import PostgresNIO
import VigilModels
import VigilRemediation

/// A remediation `DeadLetterSink` in PostgreSQL: permanently failed remediation steps, kept for an
/// operator in `vigil_remediation_dead_letters`, shared by every machine.
///
/// Each letter is one row: its recording id (indexed, to find a recording's letters) and the letter
/// as JSON (`VigilJSON`'s encoding). A letter carries identifiers and Vigil-authored reasons only.
/// ``deadLetter(_:)`` is one `INSERT`; when it throws, the remediation executor treats the step as
/// transiently failed and runs it again, so a letter is never lost — and, if the insert did commit
/// before the connection dropped, may be stored twice.
///
/// Failures throw ``VigilPostgresError`` with code `storageFailure`; the detail never contains the
/// letter.
public final class PostgresDeadLetterSink: DeadLetterSink {
    private let database: Database
    private let now: @Sendable () -> Date

    /// Creates a sink on `client`. No I/O happens until the first call (or ``prepare()``).
    ///
    /// - Parameters:
    ///   - client: the host's pool; its `run()` must be running while the sink is used.
    ///   - logger: where PostgresNIO logs this sink's statements (they carry no values). Default: none.
    ///   - now: the wall clock stamped on each row (for ``prune(olderThan:)``).
    public init(client: PostgresClient, logger: Logger? = nil, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = Database(client: client, logger: logger)
        self.now = now
    }

    /// Migrates the schema now rather than on the first call.
    public func prepare() async throws {
        try await database.ensureSchema()
    }

    /// Stores `letter`.
    public func deadLetter(_ letter: RemediationDeadLetter) async throws {
        let json = String(decoding: try VigilJSON.encoder.encode(letter), as: UTF8.self)
        let recording = letter.recordingId.description
        let at = Millis.of(now())
        _ = try await perform("deadLetter") {
            try await database.rows(
                """
                INSERT INTO vigil_remediation_dead_letters (recording_id, letter, dead_lettered_at)
                VALUES (\(recording), \(json)::jsonb, \(at))
                """)
        }
    }

    /// The stored letters, oldest first, at most `limit`.
    public func letters(limit: Int = 1_000) async throws -> [RemediationDeadLetter] {
        let rows = try await perform("letters") {
            try await database.rows(
                """
                SELECT letter::text FROM vigil_remediation_dead_letters ORDER BY id LIMIT \(Swift.max(0, limit))
                """, idempotent: true)
        }
        return try decode(rows)
    }

    /// The letters of one recording, oldest first.
    public func letters(for recordingId: GenesysID) async throws -> [RemediationDeadLetter] {
        let recording = recordingId.description
        let rows = try await perform("letters") {
            try await database.rows(
                """
                SELECT letter::text FROM vigil_remediation_dead_letters WHERE recording_id = \(recording) ORDER BY id
                """, idempotent: true)
        }
        return try decode(rows)
    }

    /// How many letters are stored.
    public func count() async throws -> Int {
        try await perform("count") {
            let rows = try await database.rows(
                "SELECT count(*)::bigint FROM vigil_remediation_dead_letters",
                idempotent: true)
            return Int(try rows.first?.decode(Int64.self) ?? 0)
        }
    }

    /// Deletes the letters stored at least `age` ago.
    ///
    /// - Returns: how many were deleted.
    @discardableResult
    public func prune(olderThan age: Duration) async throws -> Int {
        let cutoff = Millis.of(now()) - Millis.of(age)
        return try await perform("prune") {
            let rows = try await database.rows(
                """
                WITH pruned AS (DELETE FROM vigil_remediation_dead_letters WHERE dead_lettered_at <= \(cutoff) RETURNING 1)
                SELECT count(*)::bigint FROM pruned
                """)
            return Int(try rows.first?.decode(Int64.self) ?? 0)
        }
    }

    private func decode(_ rows: [PostgresRow]) throws -> [RemediationDeadLetter] {
        do {
            return try rows.map { row in
                try VigilJSON.decoder.decode(RemediationDeadLetter.self, from: Data(try row.decode(String.self).utf8))
            }
        } catch {
            throw VigilPostgresError(code: .storageFailure, detail: "letters: a stored letter does not decode")
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
