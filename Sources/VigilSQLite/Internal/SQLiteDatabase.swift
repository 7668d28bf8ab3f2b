import Dispatch
import Foundation

/// An SQLite connection confined to its own serial dispatch queue, used from async code.
///
/// Every statement runs on the queue, one at a time, so the connection is never used from two threads
/// and a blocking SQLite call (a lock wait up to the busy timeout, an `fsync`) never occupies a thread
/// of Swift's cooperative pool. Transactions are serialised by the queue within the process and by
/// SQLite's write lock (`BEGIN IMMEDIATE`) across processes.
final class SQLiteDatabase: @unchecked Sendable {
    // `connection` is only read or written on `queue`: that is what makes the class `Sendable`.
    private let queue: DispatchQueue
    private var connection: SQLiteConnection?

    /// Opens the file, configures the connection and brings the schema up to date.
    init(path: String, configuration: SQLiteConfiguration) throws(SQLiteError) {
        let connection = try SQLiteConnection(path: path, configuration: configuration)
        try Schema.migrate(connection)
        self.connection = connection
        self.queue = DispatchQueue(label: "vigil.sqlite.connection")
    }

    /// Runs `body` with the connection on the connection's queue.
    func perform<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                do {
                    guard let connection = self.connection, connection.isOpen else {
                        throw SQLiteError(code: .closed, resultCode: 0, detail: "the store was closed")
                    }
                    continuation.resume(returning: try body(connection))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Closes the connection once every statement already submitted has run. Later calls throw
    /// ``SQLiteError/Code/closed``.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                self.connection?.close()
                self.connection = nil
                continuation.resume()
            }
        }
    }

    deinit {
        connection?.close()
    }
}

/// The database schema, versioned with `PRAGMA user_version`.
///
/// Migration `n` takes a file from version `n` to `n + 1`. They run inside one `BEGIN IMMEDIATE`
/// transaction, so two processes opening a new file at once cannot both migrate it; a file whose
/// version is newer than this build knows is refused (``SQLiteError/Code/schemaTooNew``).
enum Schema {
    /// The migrations, in order. Append; never edit one that has shipped.
    static let migrations: [String] = [
        // 0 → 1: idempotency records, jobs, dead letters.
        """
        CREATE TABLE vigil_idempotency (
            key         TEXT    NOT NULL PRIMARY KEY,
            fingerprint TEXT    NOT NULL,
            status      TEXT    NOT NULL CHECK (status IN ('in_progress', 'completed')),
            token       TEXT,
            outcome     TEXT,
            expires_at  INTEGER NOT NULL,
            CHECK ((status = 'in_progress') = (token IS NOT NULL)),
            CHECK ((status = 'completed') = (outcome IS NOT NULL))
        ) WITHOUT ROWID;
        CREATE INDEX vigil_idempotency_expiry ON vigil_idempotency (expires_at);

        CREATE TABLE vigil_jobs (
            id                INTEGER PRIMARY KEY AUTOINCREMENT,
            queue             TEXT    NOT NULL,
            payload           TEXT    NOT NULL,
            first_enqueued_at INTEGER NOT NULL,
            available_at      INTEGER NOT NULL,
            delivery_count    INTEGER NOT NULL DEFAULT 0 CHECK (delivery_count >= 0),
            token             TEXT    UNIQUE,
            last_reason       TEXT
        );
        CREATE INDEX vigil_jobs_visible ON vigil_jobs (queue, available_at);

        CREATE TABLE vigil_dead_letters (
            id                INTEGER PRIMARY KEY AUTOINCREMENT,
            queue             TEXT    NOT NULL,
            payload           TEXT    NOT NULL,
            reason            TEXT    NOT NULL,
            delivery_count    INTEGER NOT NULL,
            first_enqueued_at INTEGER NOT NULL,
            dead_lettered_at  INTEGER NOT NULL
        );
        CREATE INDEX vigil_dead_letters_queue ON vigil_dead_letters (queue, dead_lettered_at, id);
        """,
        // 1 → 2: what several processes must share besides claims and jobs — requests awaiting a
        // verdict by callback, callback delivery ids (replay guard), remediation dead letters.
        """
        CREATE TABLE vigil_pending_verdicts (
            recording_id   TEXT    NOT NULL PRIMARY KEY,
            correlation_id TEXT    NOT NULL,
            request        TEXT    NOT NULL,
            expires_at     INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX vigil_pending_verdicts_expiry ON vigil_pending_verdicts (expires_at);

        CREATE TABLE vigil_delivery_ids (
            id         TEXT    NOT NULL PRIMARY KEY,
            expires_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX vigil_delivery_ids_expiry ON vigil_delivery_ids (expires_at);

        CREATE TABLE vigil_remediation_dead_letters (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            recording_id    TEXT    NOT NULL,
            conversation_id TEXT    NOT NULL,
            error_code      TEXT    NOT NULL,
            letter          TEXT    NOT NULL,
            occurred_at     INTEGER NOT NULL
        );
        CREATE INDEX vigil_remediation_dead_letters_recording ON vigil_remediation_dead_letters (recording_id);
        """
    ]

    /// The version this build writes.
    static var currentVersion: Int { migrations.count }

    static func migrate(_ connection: SQLiteConnection) throws(SQLiteError) {
        // Cheap check first: a file that is already current needs no write lock.
        if try version(connection) == currentVersion { return }
        do {
            try connection.immediateTransaction("migrate") {
                let found = try version(connection)
                guard found <= currentVersion else {
                    throw SQLiteError(
                        code: .schemaTooNew, resultCode: 0,
                        detail: "the database has schema version \(found); this build knows up to \(currentVersion)")
                }
                for step in found..<currentVersion {
                    try connection.execute(migrations[step], operation: "migrate to version \(step + 1)")
                }
                // A pragma takes no bound parameters; the value is this build's constant.
                try connection.execute("PRAGMA user_version = \(currentVersion)", operation: "set schema version")
            }
        } catch let error as SQLiteError {
            throw error
        } catch {
            throw SQLiteError(code: .other, resultCode: 0, detail: "migrate: \(error)")
        }
    }

    static func version(_ connection: SQLiteConnection) throws(SQLiteError) -> Int {
        do {
            return try connection.queryOne("PRAGMA user_version", [], operation: "read schema version") { $0.int(0) } ?? 0
        } catch let error as SQLiteError {
            throw error
        } catch {
            throw SQLiteError(code: .other, resultCode: 0, detail: "read schema version: \(error)")
        }
    }
}
