import Foundation
import Testing
import VigilCore
import VigilIdempotency
import VigilTesting

@Suite("InMemoryIdempotencyStore")
struct InMemoryIdempotencyStoreTests {
    @Test func passesTheConformanceSuite() async throws {
        try await IdempotencyStoreConformance.run(
            makeStore: { now in
                InMemoryIdempotencyStore(now: now)
            }, clock: TestClock())
    }

    @Test func passesTheConformanceSuiteWhenOneStoreIsSharedAndPurgedOnEveryAccess() async throws {
        let clock = TestClock()
        let shared = InMemoryIdempotencyStore(purgeInterval: .zero, now: clock.wall)
        try await IdempotencyStoreConformance.run(makeStore: { _ in shared }, clock: clock)
    }

    @Test func expiredRecordsArePurgedSoMemoryStaysBounded() async throws {
        let clock = TestClock()
        let store = InMemoryIdempotencyStore(purgeInterval: .seconds(60), now: clock.wall)
        for n in 0..<100 {
            guard case .acquired(let token) = try await store.claim("k\(n)", fingerprint: "fp", lease: .seconds(10)) else {
                Issue.record("fresh key not acquired"); return
            }
            if n.isMultiple(of: 2) {
                try await store.complete(
                    "k\(n)", token: token,
                    outcome: StoredOutcome(status: "ok", completedAt: clock.wallNow), retain: .seconds(30))
            }
        }
        #expect(await store.count == 100)
        clock.advance(by: .seconds(20))  // leases gone, retained records live
        #expect(await store.purgeExpired() == 50)
        #expect(await store.count == 50)
        clock.advance(by: .seconds(40))  // retention gone, but only 40 s since the last purge
        _ = try await store.claim("other", fingerprint: "fp", lease: .seconds(10))
        #expect(await store.count == 51, "no sweep before purgeInterval")
        clock.advance(by: .seconds(20))  // 60 s since the last purge
        _ = try await store.claim("another", fingerprint: "fp", lease: .seconds(10))  // an access sweeps
        #expect(await store.count == 1)
    }

    @Test func anExpiredRecordIsReplacedOnAccessWithoutWaitingForThePurge() async throws {
        let clock = TestClock()
        let store = InMemoryIdempotencyStore(purgeInterval: .seconds(3_600), now: clock.wall)
        _ = try await store.claim("k", fingerprint: "a", lease: .seconds(5))
        clock.advance(by: .seconds(5))
        let result = try await store.claim("k", fingerprint: "b", lease: .seconds(5))
        guard case .acquired = result else { Issue.record("expected acquired, got \(result)"); return }
        #expect(await store.count == 1)
    }

    @Test func errorsAreTypedAndNeverEchoTheKey() async throws {
        let store = InMemoryIdempotencyStore()
        let secretish = String(repeating: "4111111111111111", count: 40)
        do {
            _ = try await store.claim(secretish, fingerprint: "fp", lease: .seconds(1))
            Issue.record("an over-long key was accepted")
        } catch let error as IdempotencyError {
            #expect(error.code == .invalidKey)
            #expect(error.errorCode == "idempotency.invalidKey")
            #expect(!error.isRetryable)
            #expect(!error.description.contains("4111"))
        }
        let invalidRetain = await #expect(throws: IdempotencyError.self) {
            try await store.complete(
                "k", token: LeaseToken(), outcome: StoredOutcome(status: "x", completedAt: Date()),
                retain: .zero)
        }
        #expect(invalidRetain?.code == .invalidDuration)
        let lost = await #expect(throws: IdempotencyError.self) {
            try await store.complete(
                "k", token: LeaseToken(), outcome: StoredOutcome(status: "x", completedAt: Date()),
                retain: .seconds(1))
        }
        #expect(lost?.code == .leaseLost)
        #expect(IdempotencyError(code: .storageFailure, detail: "timeout").isRetryable)
    }

    @Test func outcomesAndTokensRoundTripThroughJSON() throws {
        let outcome = StoredOutcome(status: "accepted", details: ["jobId": "j-1"], completedAt: Date(timeIntervalSince1970: 1_780_000_000))
        let decoded = try JSONDecoder().decode(StoredOutcome.self, from: JSONEncoder().encode(outcome))
        #expect(decoded == outcome)
        let token = LeaseToken()
        let json = try JSONEncoder().encode(token)
        #expect(String(decoding: json, as: UTF8.self) == "\"\(token.rawValue)\"")
        #expect(try JSONDecoder().decode(LeaseToken.self, from: json) == token)
        #expect(LeaseToken() != LeaseToken())
    }
}

@Suite("IdempotencyStoreConformance catches broken stores")
struct IdempotencyConformanceCatchesFaultsTests {
    @Test(arguments: FaultyIdempotencyStore.Fault.allCases)
    func theTargetedPropertyFails(fault: FaultyIdempotencyStore.Fault) async throws {
        do {
            try await IdempotencyStoreConformance.run(
                makeStore: { now in
                    FaultyIdempotencyStore(fault: fault, now: now)
                }, clock: TestClock(), properties: [fault.caughtBy])
            Issue.record("the suite passed a store with fault \(fault)")
        } catch let failure as ConformanceFailure {
            #expect(failure.suite == "IdempotencyStoreConformance")
            #expect(failure.property == fault.caughtBy.rawValue, "\(failure)")
        }
    }

    @Test(arguments: FaultyIdempotencyStore.Fault.allCases)
    func theFullSuiteFails(fault: FaultyIdempotencyStore.Fault) async throws {
        await #expect(throws: ConformanceFailure.self) {
            try await IdempotencyStoreConformance.run(
                makeStore: { now in
                    FaultyIdempotencyStore(fault: fault, now: now)
                }, clock: TestClock())
        }
    }

    @Test func aCorrectFakeInTheSameMouldPasses() async throws {
        // Guards the fault tests: the fake minus its fault must conform, so each failure above is the
        // fault's doing. `nonAtomicClaim` only bites when claims race; run it on the other properties.
        try await IdempotencyStoreConformance.run(
            makeStore: { now in
                FaultyIdempotencyStore(fault: .nonAtomicClaim, now: now)
            }, clock: TestClock(), properties: IdempotencyStoreConformance.Property.allCases.filter { $0 != .exactlyOneWinner })
    }
}
