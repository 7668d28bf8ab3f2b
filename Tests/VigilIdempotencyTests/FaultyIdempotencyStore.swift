import Foundation
import VigilCore
import VigilIdempotency
import VigilTesting

/// A deliberately broken store: correct except for one injected fault, to prove that
/// `IdempotencyStoreConformance` notices each kind of breakage.
actor FaultyIdempotencyStore: IdempotencyStore {
    enum Fault: String, CaseIterable, Sendable {
        case skipsValidation
        case nonAtomicClaim
        case leasesNeverExpire
        case completeIgnoresToken
        case forgetsOutcomeDetails
        case ignoresFingerprint
        case staleReleaseDeletes
        case retainsForever
    }

    private struct Record {
        var fingerprint: String
        var token: LeaseToken?
        var outcome: StoredOutcome?
        var expiresAt: Date
    }

    let fault: Fault
    private let now: @Sendable () -> Date
    private var records: [String: Record] = [:]

    init(fault: Fault, now: @escaping @Sendable () -> Date) {
        self.fault = fault
        self.now = now
    }

    private func isLive(_ record: Record, at date: Date) -> Bool {
        if record.outcome == nil, fault == .leasesNeverExpire { return true }
        if record.outcome != nil, fault == .retainsForever { return true }
        return record.expiresAt > date
    }

    func claim(_ key: String, fingerprint: String, lease: Duration) async throws -> ClaimResult {
        if fault != .skipsValidation {
            try IdempotencyValidation.validate(key: key)
            try IdempotencyValidation.validate(fingerprint: fingerprint)
            try IdempotencyValidation.validate(duration: lease, name: "lease")
        }
        let date = now()
        let existing = records[key]
        if fault == .nonAtomicClaim { await Task.yield() }  // check-then-act with a suspension between
        if let record = existing, isLive(record, at: date) {
            if record.fingerprint != fingerprint, fault != .ignoresFingerprint { return .conflict }
            if var outcome = record.outcome {
                if fault == .forgetsOutcomeDetails { outcome.details = [:] }
                return .completed(outcome)
            }
            return .inProgress(until: record.expiresAt)
        }
        let token = LeaseToken()
        records[key] = Record(
            fingerprint: fingerprint, token: token, outcome: nil,
            expiresAt: date.addingTimeInterval(lease.seconds))
        return .acquired(token)
    }

    func complete(_ key: String, token: LeaseToken, outcome: StoredOutcome, retain: Duration) async throws {
        let date = now()
        guard var record = records[key], record.outcome == nil || fault == .completeIgnoresToken else {
            throw IdempotencyError(code: .leaseLost, detail: "not owned")
        }
        if fault != .completeIgnoresToken {
            guard record.token == token, isLive(record, at: date) else {
                throw IdempotencyError(code: .leaseLost, detail: "not owned")
            }
        }
        record.outcome = outcome
        record.token = nil
        record.expiresAt = date.addingTimeInterval(retain.seconds)
        records[key] = record
    }

    func release(_ key: String, token: LeaseToken) async throws {
        guard let record = records[key], record.outcome == nil else { return }
        if record.token == token || fault == .staleReleaseDeletes { records[key] = nil }
    }
}

extension FaultyIdempotencyStore.Fault {
    /// The property that must catch this fault.
    var caughtBy: IdempotencyStoreConformance.Property {
        switch self {
        case .skipsValidation: .validatesInput
        case .nonAtomicClaim: .exactlyOneWinner
        case .leasesNeverExpire: .expiredLeaseTakeover
        case .completeIgnoresToken: .expiredLeaseTakeover
        case .forgetsOutcomeDetails: .duplicatesGetStoredOutcome
        case .ignoresFingerprint: .differentFingerprintConflicts
        case .staleReleaseDeletes: .releaseLetsNextClaimAcquire
        case .retainsForever: .retainedRecordsExpire
        }
    }
}
