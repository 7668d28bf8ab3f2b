import Foundation

/// How a Vigil SQLite store opens its database file.
///
/// The defaults suit the embedded use Vigil's SQLite stores are made for: one machine, one or a few
/// processes, a local disk. Every connection runs in WAL mode with foreign keys on; see the
/// module documentation for the trade-offs.
public struct SQLiteConfiguration: Sendable, Hashable {
    /// When SQLite waits for the disk (`PRAGMA synchronous`): the durability trade-off.
    ///
    /// An extensible set of levels; new levels are added as new static members.
    public struct Synchronous: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String {
            case normal = "NORMAL"
            case full = "FULL"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// `NORMAL` (the default): in WAL mode SQLite syncs the log only at checkpoints, not at every
        /// commit. The database is never corrupted, and an application crash loses nothing; a power
        /// failure or OS crash may roll back the most recent commits. For Vigil that means a claim
        /// completed or a job acknowledged just before the machine lost power can be redone once —
        /// which the idempotent pipeline absorbs. Much faster (no `fsync` per commit).
        public static let normal = Synchronous(.normal)
        /// `FULL`: every commit is synced to disk before it returns, so it survives a power failure
        /// too. Costs one `fsync` per write (a claim, a lease, an ack). Choose it when losing the last
        /// few commits on power loss is not acceptable.
        public static let full = Synchronous(.full)

        /// The pragma value, `NORMAL` or `FULL`.
        public var description: String { base.rawValue }
    }

    /// When commits are synced to disk. Default ``Synchronous/normal``.
    public var synchronous: Synchronous
    /// How long a statement waits for another connection's (or process's) write lock before it fails
    /// with a retryable storage error (`PRAGMA busy_timeout`). Default 5 s.
    public var busyTimeout: Duration
    /// The permissions a new database file is created with. Default `0o600` (owner read/write only):
    /// the file holds recording ids, idempotency keys and lease tokens. An existing file keeps its
    /// permissions; SQLite gives its `-wal` and `-shm` files the database file's permissions.
    public var fileMode: UInt16

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - synchronous: when commits are synced to disk. Default ``Synchronous/normal``.
    ///   - busyTimeout: how long to wait for a lock held by another connection. Default 5 s.
    ///   - fileMode: permissions of a newly created database file. Default `0o600`.
    public init(synchronous: Synchronous = .normal, busyTimeout: Duration = .seconds(5), fileMode: UInt16 = 0o600) {
        self.synchronous = synchronous
        self.busyTimeout = busyTimeout
        self.fileMode = fileMode
    }

    /// The defaults: `synchronous=NORMAL`, a 5 s busy timeout, new files `0600`.
    public static let `default` = SQLiteConfiguration()
}
