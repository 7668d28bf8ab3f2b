import CSQLite
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A value bound to a statement parameter. Values are only ever bound (`sqlite3_bind_*`), never
/// spliced into SQL text.
enum SQLiteValue: Sendable {
    case integer(Int64)
    case text(String)
    case null

    static func int(_ value: Int) -> SQLiteValue { .integer(Int64(value)) }
}

/// SQLite's "copy the bound bytes now" destructor, which Swift does not import as a constant.
private let transientDestructor = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One row of a result, valid only inside the closure it is passed to.
struct SQLiteRow {
    fileprivate let statement: OpaquePointer

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }
    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(statement, column)) }
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }

    func text(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(statement, column) else { return nil }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    func data(_ column: Int32) -> Data {
        guard let bytes = sqlite3_column_blob(statement, column) else { return Data() }
        return Data(bytes: bytes, count: Int(sqlite3_column_bytes(statement, column)))
    }
}

/// A single SQLite connection: prepared-statement cache, parameter binding, immediate transactions.
///
/// Not thread-safe by itself: ``SQLiteDatabase`` confines each connection to one serial queue. The
/// handle is additionally opened with `SQLITE_OPEN_FULLMUTEX`, so a misuse cannot corrupt SQLite's
/// own state.
final class SQLiteConnection {
    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    private var inTransaction = false

    /// Opens (creating with `configuration.fileMode` when absent) and configures a connection.
    init(path: String, configuration: SQLiteConfiguration) throws(SQLiteError) {
        try Self.createIfMissing(path: path, mode: configuration.fileMode)
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw SQLiteError(code: .cannotOpen, resultCode: rc, detail: "open: \(message)")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        do {
            let milliseconds = max(0, Int32(clamping: Timestamp.milliseconds(configuration.busyTimeout)))
            sqlite3_busy_timeout(db, milliseconds)
            // Switching to WAL needs a moment of exclusive access; the busy timeout covers a second
            // process opening the same file at the same time.
            let mode = try queryOne("PRAGMA journal_mode=WAL", [], operation: "journal_mode") { $0.text(0) } ?? nil
            guard mode?.lowercased() == "wal" else {
                throw SQLiteError(code: .other, resultCode: 0, detail: "journal_mode: WAL was refused (got \(mode ?? "nothing"))")
            }
            // Pragmas take no bound parameters; the value is one of two constants, never caller text.
            try execute("PRAGMA synchronous=\(configuration.synchronous)", operation: "synchronous")
            try execute("PRAGMA foreign_keys=ON", operation: "foreign_keys")
        } catch {
            close()
            throw (error as? SQLiteError) ?? SQLiteError(code: .other, resultCode: 0, detail: "configure: \(error)")
        }
    }

    deinit { close() }

    /// Finalises every cached statement and closes the handle. Idempotent.
    func close() {
        for statement in statements.values { sqlite3_finalize(statement) }
        statements.removeAll()
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    var isOpen: Bool { handle != nil }

    /// Runs SQL without parameters or results (pragmas, DDL, transaction control). Only for constant
    /// SQL: values are never put into `sql`.
    func execute(_ sql: String, operation: String) throws(SQLiteError) {
        let db = try open()
        let rc = sqlite3_exec(db, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw failure(rc, operation) }
    }

    /// Runs a statement with bound values; returns the number of rows it changed.
    @discardableResult
    func run(_ sql: String, _ values: [SQLiteValue], operation: String) throws(SQLiteError) -> Int {
        let db = try open()
        let statement = try prepared(sql, operation: operation)
        defer { reset(statement) }
        try bind(values, to: statement, operation: operation)
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            if rc == SQLITE_ROW { continue }
            throw failure(rc, operation)
        }
        return Int(sqlite3_changes(db))
    }

    /// Runs a query with bound values and maps every row.
    func query<T>(
        _ sql: String, _ values: [SQLiteValue], operation: String,
        _ map: (SQLiteRow) throws -> T
    ) throws -> [T] {
        let statement = try prepared(sql, operation: operation)
        defer { reset(statement) }
        try bind(values, to: statement, operation: operation)
        var rows: [T] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw failure(rc, operation) }
            rows.append(try map(SQLiteRow(statement: statement)))
        }
        return rows
    }

    /// Runs a query and maps its first row, if any (the statement is still run to completion).
    func queryOne<T>(
        _ sql: String, _ values: [SQLiteValue], operation: String,
        _ map: (SQLiteRow) throws -> T
    ) throws -> T? {
        try query(sql, values, operation: operation, map).first
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction: the write lock is taken up front, so no other
    /// connection — in this process or another — writes between this transaction's reads and its
    /// writes. Commits when `body` returns, rolls back when it throws.
    func immediateTransaction<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        precondition(!inTransaction, "nested SQLite transaction")
        try execute("BEGIN IMMEDIATE", operation: "\(operation): begin")
        inTransaction = true
        defer { inTransaction = false }
        let result: T
        do {
            result = try body()
        } catch {
            try? execute("ROLLBACK", operation: "\(operation): rollback")
            throw error
        }
        do {
            try execute("COMMIT", operation: "\(operation): commit")
        } catch {
            try? execute("ROLLBACK", operation: "\(operation): rollback")
            throw error
        }
        return result
    }

    // MARK: - Private

    private func open() throws(SQLiteError) -> OpaquePointer {
        guard let handle else { throw SQLiteError(code: .closed, resultCode: 0, detail: "the database is closed") }
        return handle
    }

    private func prepared(_ sql: String, operation: String) throws(SQLiteError) -> OpaquePointer {
        if let statement = statements[sql] { return statement }
        let db = try open()
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            sqlite3_finalize(statement)
            throw failure(rc, "\(operation): prepare")
        }
        statements[sql] = statement
        return statement
    }

    private func bind(_ values: [SQLiteValue], to statement: OpaquePointer, operation: String) throws(SQLiteError) {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .integer(let number): rc = sqlite3_bind_int64(statement, index, number)
            case .text(let text): rc = sqlite3_bind_text(statement, index, text, -1, transientDestructor)
            case .null: rc = sqlite3_bind_null(statement, index)
            }
            guard rc == SQLITE_OK else { throw failure(rc, "\(operation): bind parameter \(index)") }
        }
    }

    private func reset(_ statement: OpaquePointer) {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
    }

    /// An error for `rc` with SQLite's message — which names tables and constraints, never bound values.
    private func failure(_ rc: Int32, _ operation: String) -> SQLiteError {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "no connection"
        return SQLiteError(code: Self.code(for: rc), resultCode: rc, detail: "\(operation): \(message)")
    }

    static func code(for rc: Int32) -> SQLiteError.Code {
        switch rc & 0xFF {
        case SQLITE_BUSY, SQLITE_LOCKED: .busy
        case SQLITE_READONLY: .readOnly
        case SQLITE_IOERR: .ioFailure
        case SQLITE_CORRUPT, SQLITE_NOTADB: .corrupt
        case SQLITE_FULL: .full
        case SQLITE_CONSTRAINT: .constraint
        case SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_AUTH: .cannotOpen
        default: .other
        }
    }

    /// Creates the database file with `mode` (before SQLite would create it with the process umask's
    /// default, typically world-readable). An existing file is left as it is.
    private static func createIfMissing(path: String, mode: UInt16) throws(SQLiteError) {
        let fd = Foundation.open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(mode))
        if fd >= 0 {
            // `open` applied the umask; set exactly the requested mode.
            fchmod(fd, mode_t(mode))
            Foundation.close(fd)
            return
        }
        let error = errno
        if error == EEXIST { return }
        throw SQLiteError(
            code: .cannotOpen, resultCode: SQLITE_CANTOPEN,
            detail: "create: \(String(cString: strerror(error)))")
    }
}

/// Wall-clock dates and durations as integer milliseconds, the precision the stores keep.
enum Timestamp {
    /// Milliseconds since 1970, rounded to the nearest millisecond.
    static func milliseconds(_ date: Date) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1_000).rounded()
        guard value.isFinite else { return value > 0 ? .max : .min }
        return Int64(exactly: value) ?? (value > 0 ? .max : .min)
    }

    /// A duration in milliseconds, rounded up so a positive duration is never zero; negative → 0.
    static func milliseconds(_ duration: Duration) -> Int64 {
        guard duration > .zero else { return 0 }
        let (seconds, attoseconds) = duration.components
        let (millis, remainder) = attoseconds.quotientAndRemainder(dividingBy: 1_000_000_000_000_000)
        let whole = seconds.multipliedReportingOverflow(by: 1_000)
        guard !whole.overflow else { return .max }
        let total = whole.partialValue.addingReportingOverflow(millis + (remainder > 0 ? 1 : 0))
        return total.overflow ? .max : total.partialValue
    }

    /// The date `milliseconds` after 1970.
    static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1_000)
    }

    /// `base + duration`, saturating instead of overflowing.
    static func adding(_ duration: Duration, to base: Int64) -> Int64 {
        let sum = base.addingReportingOverflow(milliseconds(duration))
        return sum.overflow ? .max : sum.partialValue
    }
}
