import Foundation
import VigilCore
import VigilIdempotency

/// A conformance suite for `IdempotencyStore` implementations — run it from a host's
/// own tests against its PostgreSQL, DynamoDB or Redis store to prove the store keeps Vigil's
/// exactly-once guarantees.
///
/// The suite is plain async code (it does not import a test framework): it returns when every property
/// holds and throws a ``ConformanceFailure`` naming the first property that does not.
///
/// ```swift
/// @Test func postgresStoreConforms() async throws {
///     let clock = TestClock()
///     try await IdempotencyStoreConformance.run(makeStore: { now in
///         try await PostgresIdempotencyStore(pool: pool, table: "idem_\(UUID())", now: now)
///     }, clock: clock)
/// }
/// ```
///
/// `makeStore` is called once per property with the wall clock the store must use for all expiry
/// decisions (``TestClock/wall``); the suite moves time with ``TestClock/advance(by:)`` and never
/// sleeps. Keys are unique per run, so a store shared between properties also works. Durations are
/// whole seconds and dates whole milliseconds apart, so stores that keep millisecond timestamps pass.
public enum IdempotencyStoreConformance {
    /// The properties the suite checks, in the order it checks them.
    public enum Property: String, CaseIterable, Sendable {
        /// Empty or over-long (> 512 UTF-8 bytes) keys and fingerprints, and non-positive leases, throw
        /// `IdempotencyError` with the matching code; a 512-byte key is accepted.
        case validatesInput
        /// Many concurrent claims of one fresh key give exactly one `.acquired`; all others are
        /// `.inProgress(until:)` with the winner's lease end.
        case exactlyOneWinner
        /// Claims on different keys do not affect each other.
        case keysAreIndependent
        /// Once a lease expires (at `now >= claim time + lease`), the next claim acquires with a new
        /// token; the old token can no longer complete (`leaseLost`) and its release changes nothing.
        /// An expired lease cannot complete even when nobody took over.
        case expiredLeaseTakeover
        /// After completion, every claim — sequential or concurrent — gets `.completed` with the stored
        /// outcome, unchanged; a second `complete` with the used token is `leaseLost`.
        case duplicatesGetStoredOutcome
        /// A live key claimed with a different fingerprint is `.conflict`, in progress or completed;
        /// once the record has expired, the key is new again.
        case differentFingerprintConflicts
        /// Release lets the next claim acquire; a stale token's release does not free someone else's
        /// claim; releasing an unknown key is harmless.
        case releaseLetsNextClaimAcquire
        /// A completed record is returned until `retain` has passed and not from then on.
        case retainedRecordsExpire
    }

    /// Runs the suite.
    ///
    /// - Parameters:
    ///   - makeStore: creates (or connects to) the store under test, which must take its time from
    ///     `now`.
    ///   - clock: the clock the suite advances; its ``TestClock/wall`` is passed to `makeStore`.
    ///   - properties: which properties to check (default all).
    ///   - concurrentClaims: how many claims race in ``Property/exactlyOneWinner``. Default 1 000.
    /// - Throws: ``ConformanceFailure`` for the first property that does not hold.
    public static func run(
        makeStore: (_ now: @escaping @Sendable () -> Date) async throws -> any IdempotencyStore,
        clock: TestClock,
        properties: [Property] = Property.allCases,
        concurrentClaims: Int = 1_000
    ) async throws {
        let runID = UUID().uuidString.prefix(8).lowercased()
        for property in properties {
            let check = PropertyCheck(suite: "IdempotencyStoreConformance", property: property.rawValue)
            try await check.run {
                let store = try await makeStore(clock.wall)
                let key = "conformance-\(runID)-\(property.rawValue)"
                switch property {
                case .validatesInput: try await validatesInput(store, key: key, check: check)
                case .exactlyOneWinner:
                    try await exactlyOneWinner(store, key: key, clock: clock, claims: concurrentClaims, check: check)
                case .keysAreIndependent: try await keysAreIndependent(store, key: key, clock: clock, check: check)
                case .expiredLeaseTakeover: try await expiredLeaseTakeover(store, key: key, clock: clock, check: check)
                case .duplicatesGetStoredOutcome:
                    try await duplicatesGetStoredOutcome(store, key: key, clock: clock, check: check)
                case .differentFingerprintConflicts:
                    try await differentFingerprintConflicts(store, key: key, clock: clock, check: check)
                case .releaseLetsNextClaimAcquire: try await releaseLetsNextClaimAcquire(store, key: key, check: check)
                case .retainedRecordsExpire: try await retainedRecordsExpire(store, key: key, clock: clock, check: check)
                }
            }
        }
    }

    // MARK: - Properties

    private static func validatesInput(_ store: any IdempotencyStore, key: String, check: PropertyCheck) async throws {
        func code(_ expected: IdempotencyError.Code) -> (any Error) -> Bool {
            { ($0 as? IdempotencyError)?.code == expected }
        }
        let tooLong = String(repeating: "k", count: IdempotencyValidation.maxBytes + 1)
        let tooManyBytes = String(repeating: "é", count: IdempotencyValidation.maxBytes / 2 + 1)  // 2 bytes each
        try await check.requireThrows(
            "claim with an empty key",
            {
                _ = try await store.claim("", fingerprint: "fp", lease: .seconds(60))
            }, matches: code(.invalidKey))
        try await check.requireThrows(
            "claim with a 513-byte key",
            {
                _ = try await store.claim(tooLong, fingerprint: "fp", lease: .seconds(60))
            }, matches: code(.invalidKey))
        try await check.requireThrows(
            "claim with a key of \(tooManyBytes.count) characters but \(tooManyBytes.utf8.count) bytes",
            {
                _ = try await store.claim(tooManyBytes, fingerprint: "fp", lease: .seconds(60))
            }, matches: code(.invalidKey))
        try await check.requireThrows(
            "claim with an empty fingerprint",
            {
                _ = try await store.claim(key, fingerprint: "", lease: .seconds(60))
            }, matches: code(.invalidFingerprint))
        try await check.requireThrows(
            "claim with a 513-byte fingerprint",
            {
                _ = try await store.claim(key, fingerprint: tooLong, lease: .seconds(60))
            }, matches: code(.invalidFingerprint))
        try await check.requireThrows(
            "claim with a zero lease",
            {
                _ = try await store.claim(key, fingerprint: "fp", lease: .zero)
            }, matches: code(.invalidDuration))
        let longest = key + String(repeating: "x", count: IdempotencyValidation.maxBytes - key.utf8.count)
        let result = try await store.claim(longest, fingerprint: "fp", lease: .seconds(60))
        guard case .acquired = result else {
            throw check.fail("a 512-byte key must be accepted and acquired, got \(result)")
        }
    }

    private static func exactlyOneWinner(
        _ store: any IdempotencyStore, key: String, clock: TestClock, claims: Int,
        check: PropertyCheck
    ) async throws {
        let expectedUntil = clock.wallNow.addingTimeInterval(60)
        let results = try await withThrowingTaskGroup(of: ClaimResult.self, returning: [ClaimResult].self) { group in
            for _ in 0..<claims {
                group.addTask { try await store.claim(key, fingerprint: "fp", lease: .seconds(60)) }
            }
            var all: [ClaimResult] = []
            for try await result in group { all.append(result) }
            return all
        }
        var acquired = 0, inProgress = 0
        for result in results {
            switch result {
            case .acquired: acquired += 1
            case .inProgress(let until):
                inProgress += 1
                try check.require(
                    until.isClose(to: expectedUntil),
                    "a loser must see the winner's lease end \(expectedUntil), got \(until)")
            case .completed, .conflict:
                throw check.fail("a concurrent claim of a fresh key answered \(result)")
            }
        }
        try check.require(
            acquired == 1,
            "\(claims) concurrent claims of one key gave \(acquired) acquisitions instead of exactly 1")
        try check.require(inProgress == claims - 1, "expected \(claims - 1) in-progress answers, got \(inProgress)")
    }

    private static func keysAreIndependent(
        _ store: any IdempotencyStore, key: String, clock: TestClock,
        check: PropertyCheck
    ) async throws {
        guard case .acquired(let first) = try await store.claim(key + "-a", fingerprint: "fp", lease: .seconds(60)) else {
            throw check.fail("a fresh key must be acquired")
        }
        guard case .acquired = try await store.claim(key + "-b", fingerprint: "other", lease: .seconds(60)) else {
            throw check.fail("a claim on one key must not block another key")
        }
        try await store.complete(key + "-a", token: first, outcome: outcome(clock), retain: .seconds(600))
        let b = try await store.claim(key + "-b", fingerprint: "other", lease: .seconds(60))
        guard case .inProgress = b else {
            throw check.fail("completing one key changed another: expected in progress, got \(b)")
        }
        guard case .acquired = try await store.claim(key + "-c", fingerprint: "fp", lease: .seconds(60)) else {
            throw check.fail("a third fresh key must be acquired")
        }
    }

    private static func expiredLeaseTakeover(
        _ store: any IdempotencyStore, key: String, clock: TestClock,
        check: PropertyCheck
    ) async throws {
        let start = clock.wallNow
        guard case .acquired(let first) = try await store.claim(key, fingerprint: "fp", lease: .seconds(10)) else {
            throw check.fail("a fresh key must be acquired")
        }
        clock.advance(by: .seconds(9))
        let during = try await store.claim(key, fingerprint: "fp", lease: .seconds(10))
        guard case .inProgress(let until) = during, until.isClose(to: start.addingTimeInterval(10)) else {
            throw check.fail("9 s into a 10 s lease a claim must be in progress until \(start.addingTimeInterval(10)), got \(during)")
        }
        clock.advance(by: .seconds(1))
        let after = try await store.claim(key, fingerprint: "fp", lease: .seconds(10))
        guard case .acquired(let second) = after else {
            throw check.fail("once the 10 s lease has expired, the next claim must acquire, got \(after)")
        }
        try check.require(second != first, "the takeover must get a new token, got the old one")
        try await check.requireThrows(
            "complete with the expired, taken-over token",
            {
                try await store.complete(key, token: first, outcome: outcome(clock), retain: .seconds(600))
            }, matches: isLeaseLost)
        try await store.release(key, token: first)
        let afterStaleRelease = try await store.claim(key, fingerprint: "fp", lease: .seconds(10))
        guard case .inProgress = afterStaleRelease else {
            throw check.fail("releasing with the old token freed the new owner's claim: next claim got \(afterStaleRelease)")
        }
        let done = outcome(clock)
        try await store.complete(key, token: second, outcome: done, retain: .seconds(600))
        let final = try await store.claim(key, fingerprint: "fp", lease: .seconds(10))
        try check.require(final == .completed(done), "the new owner's completion must stick, got \(final)")

        // An expired lease is lost even when nobody has claimed the key since.
        guard case .acquired(let lapsed) = try await store.claim(key + "-lapsed", fingerprint: "fp", lease: .seconds(5)) else {
            throw check.fail("a fresh key must be acquired")
        }
        clock.advance(by: .seconds(6))
        try await check.requireThrows(
            "complete with a lease that expired (nobody took over)",
            {
                try await store.complete(key + "-lapsed", token: lapsed, outcome: outcome(clock), retain: .seconds(600))
            }, matches: isLeaseLost)
    }

    private static func duplicatesGetStoredOutcome(
        _ store: any IdempotencyStore, key: String, clock: TestClock,
        check: PropertyCheck
    ) async throws {
        guard case .acquired(let token) = try await store.claim(key, fingerprint: "fp", lease: .seconds(60)) else {
            throw check.fail("a fresh key must be acquired")
        }
        let done = StoredOutcome(
            status: "accepted", details: ["jobId": "job-42", "note": "ünïcødé ✓", "empty": ""],
            completedAt: clock.wallNow)
        try await store.complete(key, token: token, outcome: done, retain: .seconds(3_600))
        clock.advance(by: .seconds(1))
        for attempt in 1...5 {
            let again = try await store.claim(key, fingerprint: "fp", lease: .seconds(60))
            try check.require(
                again == .completed(done),
                "duplicate claim #\(attempt) must return the stored outcome \(done), got \(again)")
        }
        let concurrent = try await withThrowingTaskGroup(of: ClaimResult.self, returning: [ClaimResult].self) { group in
            for _ in 0..<100 { group.addTask { try await store.claim(key, fingerprint: "fp", lease: .seconds(60)) } }
            var all: [ClaimResult] = []
            for try await result in group { all.append(result) }
            return all
        }
        try check.require(
            concurrent.allSatisfy { $0 == .completed(done) },
            "100 concurrent duplicate claims must all return the stored outcome")
        try await check.requireThrows(
            "a second complete with the used token",
            {
                try await store.complete(key, token: token, outcome: outcome(clock), retain: .seconds(3_600))
            }, matches: isLeaseLost)
        try await store.release(key, token: token)
        let afterRelease = try await store.claim(key, fingerprint: "fp", lease: .seconds(60))
        try check.require(
            afterRelease == .completed(done),
            "release must not delete a completed record, next claim got \(afterRelease)")
    }

    private static func differentFingerprintConflicts(
        _ store: any IdempotencyStore, key: String, clock: TestClock,
        check: PropertyCheck
    ) async throws {
        guard case .acquired(let token) = try await store.claim(key, fingerprint: "fp-a", lease: .seconds(60)) else {
            throw check.fail("a fresh key must be acquired")
        }
        let inProgress = try await store.claim(key, fingerprint: "fp-b", lease: .seconds(60))
        try check.require(
            inProgress == .conflict,
            "a different fingerprint on an in-progress key must be a conflict, got \(inProgress)")
        let done = outcome(clock)
        try await store.complete(key, token: token, outcome: done, retain: .seconds(120))
        let completed = try await store.claim(key, fingerprint: "fp-b", lease: .seconds(60))
        try check.require(
            completed == .conflict,
            "a different fingerprint on a completed key must be a conflict, got \(completed)")
        let same = try await store.claim(key, fingerprint: "fp-a", lease: .seconds(60))
        try check.require(same == .completed(done), "the original fingerprint must still get the outcome, got \(same)")
        clock.advance(by: .seconds(120))
        let expired = try await store.claim(key, fingerprint: "fp-b", lease: .seconds(60))
        guard case .acquired = expired else {
            throw check.fail("once the record has expired, a new fingerprint must acquire, got \(expired)")
        }
    }

    private static func releaseLetsNextClaimAcquire(
        _ store: any IdempotencyStore, key: String,
        check: PropertyCheck
    ) async throws {
        guard case .acquired(let first) = try await store.claim(key, fingerprint: "fp", lease: .seconds(60)) else {
            throw check.fail("a fresh key must be acquired")
        }
        try await store.release(key, token: first)
        let next = try await store.claim(key, fingerprint: "fp", lease: .seconds(60))
        guard case .acquired(let second) = next else {
            throw check.fail("after release the next claim must acquire, got \(next)")
        }
        try check.require(second != first, "a new claim must get a new token")
        try await store.release(key, token: first)  // stale: must not free the second claim
        let blocked = try await store.claim(key, fingerprint: "fp", lease: .seconds(60))
        guard case .inProgress = blocked else {
            throw check.fail("a stale token's release freed someone else's claim: next claim got \(blocked)")
        }
        try await store.release(key, token: second)
        guard case .acquired = try await store.claim(key, fingerprint: "fp", lease: .seconds(60)) else {
            throw check.fail("after the owner's release the next claim must acquire")
        }
        try await store.release(key + "-never-claimed", token: LeaseToken())
    }

    private static func retainedRecordsExpire(
        _ store: any IdempotencyStore, key: String, clock: TestClock,
        check: PropertyCheck
    ) async throws {
        guard case .acquired(let token) = try await store.claim(key, fingerprint: "fp", lease: .seconds(60)) else {
            throw check.fail("a fresh key must be acquired")
        }
        let done = outcome(clock)
        try await store.complete(key, token: token, outcome: done, retain: .seconds(30))
        clock.advance(by: .seconds(29))
        let kept = try await store.claim(key, fingerprint: "fp", lease: .seconds(60))
        try check.require(kept == .completed(done), "29 s into a 30 s retention the outcome must be returned, got \(kept)")
        clock.advance(by: .seconds(1))
        let gone = try await store.claim(key, fingerprint: "fp", lease: .seconds(60))
        guard case .acquired = gone else {
            throw check.fail("at the end of a 30 s retention the key must be new again (acquired), got \(gone)")
        }
    }

    // MARK: - Helpers

    private static func outcome(_ clock: TestClock) -> StoredOutcome {
        StoredOutcome(status: "done", details: ["by": "conformance"], completedAt: clock.wallNow)
    }

    private static func isLeaseLost(_ error: any Error) -> Bool {
        (error as? IdempotencyError)?.code == .leaseLost
    }
}
