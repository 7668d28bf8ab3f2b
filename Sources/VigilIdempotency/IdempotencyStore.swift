import Foundation
import VigilCore

/// Remembers which units of work (a recording, a remediation step, a webhook delivery) have been
/// started or finished, so that a duplicate is recognised instead of processed twice.
///
/// The contract follows AWS Lambda Powertools' idempotency utility. Every method must be **atomic**
/// with respect to concurrent callers in any process; see the module documentation for how a host
/// store on PostgreSQL, DynamoDB or Redis meets it, and run `IdempotencyStoreConformance` (in
/// `VigilTesting`) from the host's tests to prove it.
///
/// ## Lifecycle of a key
///
/// 1. ``claim(_:fingerprint:lease:)`` — the first caller gets ``ClaimResult/acquired(_:)`` with a fresh
///    `LeaseToken` and an in-progress record that lives for `lease`. While it lives, other callers get
///    ``ClaimResult/inProgress(until:)`` (try again later, e.g. after `until`).
/// 2. ``complete(_:token:outcome:retain:)`` — the owner stores the outcome for `retain`. While it is
///    retained, claims get ``ClaimResult/completed(_:)`` with that outcome: the cached
///    acknowledgement a duplicate receives.
/// 3. ``release(_:token:)`` — the owner gives up (the work failed and should be retried): the record is
///    deleted and the next claim acquires. Failures are not cached.
///
/// ## Expiry
///
/// Expiry is **derived** from timestamps stored with the record, compared with the store's injected
/// wall clock (`now: () -> Date`) — never from a storage TTL, which may fire hours late. A record is
/// live while `now < expiry` and treated exactly like an absent one from the moment `now >= expiry`:
///
/// - An in-progress record whose lease has expired (its worker crashed or stalled) can be claimed by
///   the next caller, with a **new** token. The old token is dead: its ``complete(_:token:outcome:retain:)``
///   throws ``IdempotencyError/Code/leaseLost`` — even if nobody has claimed the key since — and its
///   ``release(_:token:)`` does nothing.
/// - A completed record expires `retain` after completion; then the key is new again.
///
/// ## Fingerprints
///
/// The fingerprint is a digest of the payload the key stands for (e.g. SHA-256 over a canonical subset
/// of the event). A live record with the same key and a **different** fingerprint answers
/// ``ClaimResult/conflict`` — whether it is in progress or completed — so the same id arriving with
/// different content is flagged instead of being silently treated as a duplicate (Stripe's "same key,
/// different parameters" rule).
public protocol IdempotencyStore: Sendable {
    /// Atomically claims `key` for the caller, or reports who has it.
    ///
    /// - Parameters:
    ///   - key: what is being deduplicated, e.g. `recording:<recordingId>`. Non-empty, at most
    ///     ``IdempotencyValidation/maxBytes`` UTF-8 bytes.
    ///   - fingerprint: a digest of the payload; same limits.
    ///   - lease: how long the caller may hold the claim before others may take over. Positive.
    /// - Throws: ``IdempotencyError`` for invalid input or a storage failure.
    func claim(_ key: String, fingerprint: String, lease: Duration) async throws -> ClaimResult

    /// Stores the outcome of the work the caller claimed, kept for `retain`.
    ///
    /// - Throws: ``IdempotencyError/Code/leaseLost`` when `token` no longer owns a live in-progress
    ///   claim on `key` (it expired, was released, was taken over, or the key is already completed).
    func complete(_ key: String, token: LeaseToken, outcome: StoredOutcome, retain: Duration) async throws

    /// Gives up the caller's claim so the next claim acquires. Safe to call more than once: a token that
    /// no longer owns the key (expired and taken over, already released, completed) changes nothing and
    /// does not throw.
    func release(_ key: String, token: LeaseToken) async throws
}

/// The answer to ``IdempotencyStore/claim(_:fingerprint:lease:)``.
public enum ClaimResult: Sendable, Hashable {
    /// The caller owns the key: do the work, then ``IdempotencyStore/complete(_:token:outcome:retain:)``
    /// or ``IdempotencyStore/release(_:token:)`` with this token.
    case acquired(LeaseToken)
    /// Someone else is working on it; their lease runs until this date. Retry later — do not process.
    case inProgress(until: Date)
    /// Already done: answer the duplicate with this outcome.
    case completed(StoredOutcome)
    /// The key is live with a different fingerprint: same id, different payload. Reject, and report.
    case conflict
}

/// What a completed unit of work left behind: the cached acknowledgement a duplicate receives.
///
/// Keep it small and free of personal data: a status, a few identifiers.
public struct StoredOutcome: Codable, Sendable, Hashable {
    /// A short status, e.g. `"accepted"`, `"flagged"`, `"clean"`.
    public var status: String
    /// Small extra facts, e.g. `["jobId": "…", "verdict": "violation"]`.
    public var details: [String: String]
    /// When the work completed.
    public var completedAt: Date

    /// Creates an outcome.
    public init(status: String, details: [String: String] = [:], completedAt: Date) {
        self.status = status
        self.details = details
        self.completedAt = completedAt
    }
}

/// A failure of an ``IdempotencyStore`` operation.
public struct IdempotencyError: VigilDetailedError, Hashable {
    /// The kind of failure; new kinds are added as new static members.
    public struct Code: VigilErrorCode {
        private enum Base: String {
            case invalidKey, invalidFingerprint, invalidDuration, leaseLost, storageFailure
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The key is empty or longer than ``IdempotencyValidation/maxBytes`` UTF-8 bytes.
        public static let invalidKey = Code(.invalidKey)
        /// The fingerprint is empty or longer than ``IdempotencyValidation/maxBytes`` UTF-8 bytes.
        public static let invalidFingerprint = Code(.invalidFingerprint)
        /// A lease or retention duration is not positive.
        public static let invalidDuration = Code(.invalidDuration)
        /// The token no longer owns a live claim on the key.
        public static let leaseLost = Code(.leaseLost)
        /// The host's storage failed (connection lost, timeout). Retryable.
        public static let storageFailure = Code(.storageFailure)

        /// `idempotency`: codes read `idempotency.<name>`, e.g. `idempotency.invalidKey`.
        public static let domain = "idempotency"
        /// The name within ``domain``, e.g. `invalidKey`.
        public var name: String { base.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// A short explanation. Never contains the key or fingerprint themselves, only their lengths.
    public let detail: String

    /// Creates an error.
    public init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    /// Only storage failures may succeed later.
    public var isRetryable: Bool { code == .storageFailure }
}

/// The input rules every ``IdempotencyStore`` enforces, shared so host stores apply the same ones.
public enum IdempotencyValidation {
    /// The longest key or fingerprint, in UTF-8 bytes: 512.
    public static let maxBytes = 512

    /// Checks a key: non-empty, at most ``maxBytes`` UTF-8 bytes.
    public static func validate(key: String) throws(IdempotencyError) {
        let length = key.utf8.count
        guard length > 0, length <= maxBytes else {
            throw IdempotencyError(code: .invalidKey, detail: "key must be 1…\(maxBytes) UTF-8 bytes, got \(length)")
        }
    }

    /// Checks a fingerprint: non-empty, at most ``maxBytes`` UTF-8 bytes.
    public static func validate(fingerprint: String) throws(IdempotencyError) {
        let length = fingerprint.utf8.count
        guard length > 0, length <= maxBytes else {
            throw IdempotencyError(
                code: .invalidFingerprint,
                detail: "fingerprint must be 1…\(maxBytes) UTF-8 bytes, got \(length)")
        }
    }

    /// Checks that a lease or retention is positive.
    public static func validate(duration: Duration, name: String) throws(IdempotencyError) {
        guard duration > .zero else {
            throw IdempotencyError(code: .invalidDuration, detail: "\(name) must be positive, got \(duration)")
        }
    }
}
