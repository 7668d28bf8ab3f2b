import Foundation
import VigilCore

/// An ``IdempotencyStore`` in process memory: for tests, single-process hosts, and as the reference
/// behaviour host stores are compared with.
///
/// Being an actor makes every operation atomic. Expiry is derived from stored dates against the injected
/// `now`; expired records are swept on access at most every `purgeInterval`, so memory stays bounded
/// by the records live within one interval. Nothing survives a restart — use the SQLite store, or a
/// shared one, when that matters.
public actor InMemoryIdempotencyStore: IdempotencyStore {
    private enum Phase {
        case inProgress(LeaseToken)
        case completed(StoredOutcome)
    }

    private struct Record {
        var fingerprint: String
        var phase: Phase
        /// End of the lease (in progress) or of the retention (completed). Live while `now < expiresAt`.
        var expiresAt: Date
    }

    private let now: @Sendable () -> Date
    private let purgeInterval: TimeInterval
    private var records: [String: Record] = [:]
    private var lastPurge: Date

    /// Creates an empty store.
    ///
    /// - Parameters:
    ///   - purgeInterval: how often, at most, an access sweeps out expired records. Default 60 s.
    ///   - now: the wall clock expiry is measured against.
    public init(purgeInterval: Duration = .seconds(60), now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
        self.purgeInterval = purgeInterval.seconds
        self.lastPurge = now()
    }

    /// How many records are held, live or expired but not yet swept.
    public var count: Int { records.count }

    /// Removes every expired record now.
    ///
    /// - Returns: how many were removed.
    @discardableResult
    public func purgeExpired() -> Int {
        let date = now()
        lastPurge = date
        let before = records.count
        records = records.filter { $0.value.expiresAt > date }
        return before - records.count
    }

    /// See ``IdempotencyStore/claim(_:fingerprint:lease:)``.
    public func claim(_ key: String, fingerprint: String, lease: Duration) throws -> ClaimResult {
        try IdempotencyValidation.validate(key: key)
        try IdempotencyValidation.validate(fingerprint: fingerprint)
        try IdempotencyValidation.validate(duration: lease, name: "lease")
        let date = sweepIfDue()
        if let record = records[key], record.expiresAt > date {
            guard record.fingerprint == fingerprint else { return .conflict }
            switch record.phase {
            case .inProgress: return .inProgress(until: record.expiresAt)
            case .completed(let outcome): return .completed(outcome)
            }
        }
        let token = LeaseToken()
        records[key] = Record(
            fingerprint: fingerprint, phase: .inProgress(token),
            expiresAt: date.addingTimeInterval(lease.seconds))
        return .acquired(token)
    }

    /// See ``IdempotencyStore/complete(_:token:outcome:retain:)``.
    public func complete(_ key: String, token: LeaseToken, outcome: StoredOutcome, retain: Duration) throws {
        try IdempotencyValidation.validate(key: key)
        try IdempotencyValidation.validate(duration: retain, name: "retain")
        let date = sweepIfDue()
        guard var record = records[key], case .inProgress(let owner) = record.phase, owner == token,
            record.expiresAt > date
        else {
            throw IdempotencyError(code: .leaseLost, detail: "the token does not own a live claim on the key")
        }
        record.phase = .completed(outcome)
        record.expiresAt = date.addingTimeInterval(retain.seconds)
        records[key] = record
    }

    /// See ``IdempotencyStore/release(_:token:)``.
    public func release(_ key: String, token: LeaseToken) throws {
        try IdempotencyValidation.validate(key: key)
        sweepIfDue()
        guard let record = records[key], case .inProgress(let owner) = record.phase, owner == token else { return }
        records[key] = nil
    }

    @discardableResult
    private func sweepIfDue() -> Date {
        let date = now()
        if date.timeIntervalSince(lastPurge) >= purgeInterval {
            lastPurge = date
            records = records.filter { $0.value.expiresAt > date }
        }
        return date
    }
}
