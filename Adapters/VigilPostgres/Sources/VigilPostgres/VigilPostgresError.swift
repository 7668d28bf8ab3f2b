import VigilCore

/// A failure of the PostgreSQL adapter itself: configuration, schema migration, or storage outside
/// one of Vigil's ports.
///
/// The port types (`PostgresIdempotencyStore`, `PostgresJobQueue`…) throw their port's own error
/// (`IdempotencyError`, `JobQueueError`); this type is thrown by ``VigilPostgres/migrate(_:logger:)``,
/// the `prepare()` methods and ``VigilPostgresConfiguration/init(url:)``.
///
/// Like every Vigil error, it never carries a bound value, a key, a job payload or a password: only
/// the operation, and for a server error its SQLSTATE.
public struct VigilPostgresError: VigilError, Hashable {
    /// The kind of failure; new kinds are added as new static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case invalidConfiguration, schemaTooNew, storageFailure
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A connection URL or option is malformed or unsupported. Not retryable.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The database's schema was migrated by a newer build of VigilPostgres than this one; this
        /// build refuses to touch it. Not retryable: deploy the newer build.
        public static let schemaTooNew = Code(.schemaTooNew)
        /// The server could not be reached or a statement failed. Retryable.
        public static let storageFailure = Code(.storageFailure)

        /// The stable code string, e.g. `postgres.schemaTooNew`.
        public var description: String { "postgres.\(base.rawValue)" }
    }

    /// What went wrong.
    public let code: Code
    /// A short explanation: the operation and, for server errors, the SQLSTATE.
    public let detail: String

    /// Creates an error.
    public init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    /// The stable code string.
    public var errorCode: String { code.description }

    /// Only storage failures may succeed later.
    public var isRetryable: Bool { code == .storageFailure }

    /// `postgres.schemaTooNew — <detail>`.
    public var description: String { "\(code) — \(detail)" }
}
