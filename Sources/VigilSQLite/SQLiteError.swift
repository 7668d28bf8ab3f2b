import VigilCore

/// A failure of the SQLite database under a Vigil store: opening it, migrating it, or running a
/// statement.
///
/// The SQLite stores' protocol methods report these as the port's own error
/// (`IdempotencyError` or `JobQueueError` with code `storageFailure`, the SQLite description in its
/// detail); initialisers throw `SQLiteError` itself. An error carries the SQLite (extended) result
/// code, the operation that failed and SQLite's message — never a bound value, a key, a token or a
/// job.
public struct SQLiteError: VigilCodedError, Hashable {
    /// The kind of failure; new kinds are added as new static members.
    public struct Code: VigilErrorCode {
        private enum Base: String {
            case cannotOpen, busy, readOnly, ioFailure, corrupt, full, constraint, schemaTooNew, closed, other
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The file could not be opened or created (missing directory, permissions, not a database).
        public static let cannotOpen = Code(.cannotOpen)
        /// Another connection held the lock for longer than the busy timeout. Retryable.
        public static let busy = Code(.busy)
        /// The database is read-only (file permissions, a read-only file system).
        public static let readOnly = Code(.readOnly)
        /// The operating system reported an I/O error. Retryable.
        public static let ioFailure = Code(.ioFailure)
        /// The file is corrupt or is not a database.
        public static let corrupt = Code(.corrupt)
        /// The disk (or the database's size limit) is full. Retryable once space is freed.
        public static let full = Code(.full)
        /// A constraint failed (a bug in Vigil or a file edited by hand).
        public static let constraint = Code(.constraint)
        /// The file's schema version is newer than this build of Vigil knows: a newer Vigil migrated it.
        public static let schemaTooNew = Code(.schemaTooNew)
        /// The store was closed.
        public static let closed = Code(.closed)
        /// Any other SQLite failure; see ``SQLiteError/resultCode``.
        public static let other = Code(.other)

        /// `sqlite`: codes read `sqlite.<name>`, e.g. `sqlite.cannotOpen`.
        public static let domain = "sqlite"
        /// The name within ``domain``, e.g. `cannotOpen`.
        public var name: String { base.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// SQLite's extended result code (`SQLITE_BUSY` = 5, `SQLITE_IOERR_FSYNC` = 1034, …); 0 for
    /// failures that are Vigil's own (``Code/schemaTooNew``, ``Code/closed``).
    public let resultCode: Int32
    /// What was being done and SQLite's message. Never contains a bound value.
    public let detail: String

    /// Creates an error.
    public init(code: Code, resultCode: Int32, detail: String) {
        self.code = code
        self.resultCode = resultCode
        self.detail = detail
    }

    /// `busy`, `ioFailure` and `full` may succeed later.
    public var isRetryable: Bool { code == .busy || code == .ioFailure || code == .full }

    /// `sqlite.busy (5) — <detail>`.
    public var description: String { "\(code) (\(resultCode)) — \(detail)" }
}
