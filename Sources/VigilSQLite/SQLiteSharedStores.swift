import Foundation
import VigilCore
import VigilModels
import VigilRemediation
import VigilVerdict

/// A durable `PendingVerdictStore` in an SQLite database file: an asynchronous engine's callback may
/// land on any process that shares the file, not only on the one that sent the request.
///
/// One row per recording in `vigil_pending_verdicts` (the request as JSON). ``remove(_:correlationId:)``
/// is one `DELETE … WHERE recording_id = ? AND correlation_id = ? AND expires_at > ? RETURNING request`,
/// so of two processes removing the same entry exactly one gets it. Expiry is derived from the stored
/// `expires_at` against the injected `now`; expired rows are deleted on registration at most once a
/// minute. Failures throw ``SQLiteError`` (never a bound value).
public final class SQLitePendingVerdictStore: PendingVerdictStore {
    private let database: SQLiteDatabase
    private let now: @Sendable () -> Date
    private let lastPurge: PurgeMark

    /// Opens (creating when absent) the database at `path`; it may be the file the other Vigil SQLite
    /// stores use.
    ///
    /// - Throws: ``SQLiteError`` when the file cannot be opened, configured or migrated.
    public init(
        path: String, configuration: SQLiteConfiguration = .default,
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        database = try SQLiteDatabase(path: path, configuration: configuration)
        self.now = now
        lastPurge = PurgeMark(Timestamp.milliseconds(now()))
    }

    /// See `PendingVerdictStore.register(_:expiresAt:)`.
    public func register(_ request: ComplianceRequest, expiresAt: Date) async throws {
        let json = try SharedStoreJSON.encode(request, what: "the request")
        let nowMs = Timestamp.milliseconds(now())
        let purge = lastPurge.due(at: nowMs, interval: 60_000)
        let values: [SQLiteValue] = [
            .text(request.recordingId.rawValue), .text(request.correlationId.rawValue),
            .text(json), .integer(Timestamp.milliseconds(expiresAt))
        ]
        _ = try await database.perform { connection in
            if purge {
                _ = try connection.run(
                    "DELETE FROM vigil_pending_verdicts WHERE expires_at <= ?1", [.integer(nowMs)],
                    operation: "pending verdicts: purge")
            }
            return try connection.run(
                """
                INSERT INTO vigil_pending_verdicts (recording_id, correlation_id, request, expires_at)
                VALUES (?1, ?2, ?3, ?4)
                ON CONFLICT (recording_id) DO UPDATE
                   SET correlation_id = excluded.correlation_id, request = excluded.request,
                       expires_at = excluded.expires_at
                """, values, operation: "pending verdicts: register")
        }
    }

    /// See `PendingVerdictStore.entry(for:)`.
    public func entry(for recordingId: GenesysID) async throws -> PendingVerdict? {
        let nowMs = Timestamp.milliseconds(now())
        let row = try await database.perform { connection in
            try connection.queryOne(
                """
                SELECT request, expires_at FROM vigil_pending_verdicts WHERE recording_id = ?1 AND expires_at > ?2
                """, [.text(recordingId.rawValue), .integer(nowMs)], operation: "pending verdicts: entry"
            ) {
                (request: $0.text(0) ?? "", expiresAt: $0.int64(1))
            }
        }
        return try row.map { try Self.entry(json: $0.request, expiresAt: $0.expiresAt) }
    }

    /// See `PendingVerdictStore.remove(_:correlationId:)`.
    @discardableResult
    public func remove(_ recordingId: GenesysID, correlationId: CorrelationID) async throws -> PendingVerdict? {
        let nowMs = Timestamp.milliseconds(now())
        let row = try await database.perform { connection in
            try connection.queryOne(
                """
                DELETE FROM vigil_pending_verdicts
                 WHERE recording_id = ?1 AND correlation_id = ?2 AND expires_at > ?3
                RETURNING request, expires_at
                """, [.text(recordingId.rawValue), .text(correlationId.rawValue), .integer(nowMs)],
                operation: "pending verdicts: remove"
            ) { (request: $0.text(0) ?? "", expiresAt: $0.int64(1)) }
        }
        return try row.map { try Self.entry(json: $0.request, expiresAt: $0.expiresAt) }
    }

    /// Closes the connection once the operations already started have finished.
    public func close() async { await database.close() }

    private static func entry(json: String, expiresAt: Int64) throws -> PendingVerdict {
        PendingVerdict(
            request: try SharedStoreJSON.decode(ComplianceRequest.self, json, what: "a pending request"),
            expiresAt: Timestamp.date(expiresAt))
    }
}

/// A durable `DeliveryIDStore` in an SQLite database file: a callback replayed to another process that
/// shares the file is still refused.
///
/// ``insertIfAbsent(_:until:)`` is one `INSERT … ON CONFLICT (id) DO UPDATE … WHERE expires_at <= now
/// RETURNING id`: a live id is never overwritten, an expired one is taken over. Expired rows are
/// deleted at most once a minute.
public final class SQLiteDeliveryIDStore: DeliveryIDStore {
    private let database: SQLiteDatabase
    private let now: @Sendable () -> Date
    private let lastPurge: PurgeMark

    /// Opens (creating when absent) the database at `path`.
    ///
    /// - Throws: ``SQLiteError`` when the file cannot be opened, configured or migrated.
    public init(
        path: String, configuration: SQLiteConfiguration = .default,
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        database = try SQLiteDatabase(path: path, configuration: configuration)
        self.now = now
        lastPurge = PurgeMark(Timestamp.milliseconds(now()))
    }

    /// See `DeliveryIDStore.insertIfAbsent(_:until:)`.
    public func insertIfAbsent(_ id: String, until: Date) async throws -> Bool {
        let nowMs = Timestamp.milliseconds(now())
        let purge = lastPurge.due(at: nowMs, interval: 60_000)
        let values: [SQLiteValue] = [.text(id), .integer(Timestamp.milliseconds(until)), .integer(nowMs)]
        let inserted = try await database.perform { connection in
            if purge {
                _ = try connection.run(
                    "DELETE FROM vigil_delivery_ids WHERE expires_at <= ?1", [.integer(nowMs)],
                    operation: "delivery ids: purge")
            }
            return try connection.queryOne(
                """
                INSERT INTO vigil_delivery_ids (id, expires_at) VALUES (?1, ?2)
                ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at
                 WHERE vigil_delivery_ids.expires_at <= ?3
                RETURNING id
                """, values, operation: "delivery ids: insert"
            ) { _ in true } ?? false
        }
        return inserted
    }

    /// See `DeliveryIDStore.remove(_:)`.
    public func remove(_ id: String) async throws {
        _ = try await database.perform { connection in
            try connection.run("DELETE FROM vigil_delivery_ids WHERE id = ?1", [.text(id)], operation: "delivery ids: remove")
        }
    }

    /// Closes the connection once the operations already started have finished.
    public func close() async { await database.close() }
}

/// A durable `DeadLetterSink` in an SQLite database file: the recordings Vigil could not evaluate or
/// remediate, with the full reason, for an operator — shared by every process using the file.
public final class SQLiteDeadLetterSink: DeadLetterSink {
    private let database: SQLiteDatabase

    /// Opens (creating when absent) the database at `path`.
    ///
    /// - Throws: ``SQLiteError`` when the file cannot be opened, configured or migrated.
    public init(path: String, configuration: SQLiteConfiguration = .default) throws {
        database = try SQLiteDatabase(path: path, configuration: configuration)
    }

    /// Stores `letter`; a failure throws, so the caller keeps the work (see `DeadLetterSink`).
    public func deadLetter(_ letter: RemediationDeadLetter) async throws {
        let json = try SharedStoreJSON.encode(letter, what: "the dead letter")
        let values: [SQLiteValue] = [
            .text(letter.recordingId.rawValue), .text(letter.conversationId.rawValue),
            .text(letter.errorCode), .text(json), .integer(Timestamp.milliseconds(letter.occurredAt))
        ]
        _ = try await database.perform { connection in
            try connection.run(
                """
                INSERT INTO vigil_remediation_dead_letters (recording_id, conversation_id, error_code, letter, occurred_at)
                VALUES (?1, ?2, ?3, ?4, ?5)
                """, values, operation: "dead letters: insert")
        }
    }

    /// The stored letters, oldest first, at most `limit`.
    public func letters(limit: Int = 1_000) async throws -> [RemediationDeadLetter] {
        let rows = try await database.perform { connection in
            try connection.query(
                "SELECT letter FROM vigil_remediation_dead_letters ORDER BY id LIMIT ?1",
                [.int(max(0, limit))], operation: "dead letters: list"
            ) { $0.text(0) ?? "" }
        }
        return try rows.map { try SharedStoreJSON.decode(RemediationDeadLetter.self, $0, what: "a dead letter") }
    }

    /// Closes the connection once the operations already started have finished.
    public func close() async { await database.close() }
}

/// JSON for the rows of the shared stores: sorted keys, ISO 8601 dates; errors name what, never the value.
enum SharedStoreJSON {
    static func encode(_ value: some Encodable, what: String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .millisecondsSince1970
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw SQLiteError(code: .other, resultCode: 0, detail: "\(what) does not encode as JSON")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ json: String, what: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        do {
            return try decoder.decode(type, from: Data(json.utf8))
        } catch {
            throw SQLiteError(code: .corrupt, resultCode: 0, detail: "\(what) stored in the file does not decode")
        }
    }
}
