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
public struct VigilPostgresError: VigilDetailedError, Hashable {
    /// The kind of failure; new kinds are added as new static members.
    public struct Code: VigilErrorCode {
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

        /// `postgres`: codes read `postgres.<name>`, e.g. `postgres.invalidConfiguration`.
        public static let domain = "postgres"
        /// The name within ``domain``, e.g. `invalidConfiguration`.
        public var name: String { base.rawValue }
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

    /// Only storage failures may succeed later.
    public var isRetryable: Bool { code == .storageFailure }
}
