import Foundation
import Testing
import VigilCore
import VigilTesting

@Suite("InMemoryJobQueue")
struct InMemoryJobQueueTests {
    struct Job: Codable, Sendable, Hashable {
        var recordingID: String
        var attempt: Int
    }

    @Test func passesTheConformanceSuite() async throws {
        try await JobQueueConformance.run(
            makeQueue: { now, maxDeliveries in
                InMemoryJobQueue<Int>(maxDeliveries: maxDeliveries, now: now)
            }, clock: TestClock())
    }

    @Test func passesTheConformanceSuiteWithAStructJob() async throws {
        try await JobQueueConformance.run(
            makeQueue: { now, maxDeliveries in
                InMemoryJobQueue<Job>(maxDeliveries: maxDeliveries, now: now)
            }, makeJob: { Job(recordingID: "rec-\($0)", attempt: 0) }, clock: TestClock(),
            properties: [.leaseHidesJob, .maxDeliveriesDeadLetter, .concurrentLeasersExclusive], workers: 3, jobsPerWorker: 50)
    }

    @Test func aFullQueueRejectsWithARetryableError() async throws {
        let queue = InMemoryJobQueue<Int>(capacity: 2)
        try await queue.enqueue(1)
        try await queue.enqueue(2)
        let error = await #expect(throws: JobQueueError.self) { try await queue.enqueue(3) }
        #expect(error?.code == .rejected)
        #expect(error?.isRetryable == true, "a webhook receiver answers 503 and the platform retries")
        #expect(error?.errorCode == "queue.rejected")
        // Leased jobs still count toward capacity; acked ones do not.
        let leased = try await queue.lease(max: 1, for: .seconds(10))
        await #expect(throws: JobQueueError.self) { try await queue.enqueue(3) }
        try await queue.ack(leased[0].token)
        try await queue.enqueue(3)
        #expect(await queue.pendingCount == 2)
    }

    @Test func invalidArgumentsAreRejected() async throws {
        let queue = InMemoryJobQueue<Int>()
        let noMax = await #expect(throws: JobQueueError.self) { _ = try await queue.lease(max: 0, for: .seconds(1)) }
        #expect(noMax?.code == .invalidArgument)
        let noLease = await #expect(throws: JobQueueError.self) { _ = try await queue.lease(max: 1, for: .zero) }
        #expect(noLease?.code == .invalidArgument)
        #expect(JobQueueError(code: .leaseLost, detail: "x").isRetryable == false)
    }

    @Test func aRetryReasonSurvivesIntoAnExpiryDeadLetter() async throws {
        let clock = TestClock()
        let queue = InMemoryJobQueue<Int>(maxDeliveries: 2, now: clock.wall)
        try await queue.enqueue(1)
        let first = try await queue.lease(max: 1, for: .seconds(10))
        try await queue.retry(first[0].token, after: .zero, reason: "engine 503")
        _ = try await queue.lease(max: 1, for: .seconds(10))
        clock.advance(by: .seconds(10))
        #expect(try await queue.lease(max: 1, for: .seconds(10)).isEmpty)
        let dead = await queue.deadLetters()
        #expect(dead.count == 1)
        #expect(dead.first?.reason == "lease expired on delivery 2 of 2; last retry: engine 503")
        #expect(dead.first?.deadLetteredAt == clock.wallNow)
    }

    @Test func deliversInEnqueueOrder() async throws {
        let queue = InMemoryJobQueue<Int>()
        for n in 0..<5 { try await queue.enqueue(n) }
        #expect(try await queue.lease(max: 5, for: .seconds(1)).map(\.job) == [0, 1, 2, 3, 4])
    }
}

@Suite("JobQueueConformance catches broken queues")
struct JobQueueConformanceCatchesFaultsTests {
    @Test(arguments: FaultyJobQueue.Fault.allCases)
    func theTargetedPropertyFails(fault: FaultyJobQueue.Fault) async throws {
        do {
            try await JobQueueConformance.run(
                makeQueue: { now, maxDeliveries in
                    FaultyJobQueue(fault: fault, maxDeliveries: maxDeliveries, now: now)
                }, clock: TestClock(), properties: [fault.caughtBy])
            Issue.record("the suite passed a queue with fault \(fault)")
        } catch let failure as ConformanceFailure {
            #expect(failure.suite == "JobQueueConformance")
            #expect(failure.property == fault.caughtBy.rawValue, "\(failure)")
        }
    }

    @Test(arguments: FaultyJobQueue.Fault.allCases)
    func theFullSuiteFails(fault: FaultyJobQueue.Fault) async throws {
        await #expect(throws: ConformanceFailure.self) {
            try await JobQueueConformance.run(
                makeQueue: { now, maxDeliveries in
                    FaultyJobQueue(fault: fault, maxDeliveries: maxDeliveries, now: now)
                }, clock: TestClock())
        }
    }

    @Test func theFakeWithoutItsRaceConforms() async throws {
        // The fake minus a fault that only bites under concurrency must pass everything else, so each
        // failure above is the fault's doing.
        try await JobQueueConformance.run(
            makeQueue: { now, maxDeliveries in
                FaultyJobQueue(fault: .nonAtomicLease, maxDeliveries: maxDeliveries, now: now)
            }, clock: TestClock(), properties: JobQueueConformance.Property.allCases.filter { $0 != .concurrentLeasersExclusive })
    }
}

@Suite("LeaseToken")
struct LeaseTokenTests {
    @Test func tokensAre128RandomBitsInHexAndDoNotRepeat() {
        let tokens = (0..<10_000).map { _ in LeaseToken().rawValue }
        #expect(Set(tokens).count == tokens.count)
        #expect(tokens.allSatisfy { $0.utf8.count == 32 && $0.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) } })
        // Every hex position takes more than one value across the sample (no stuck nibble).
        for position in 0..<32 {
            let nibbles = Set(tokens.prefix(200).map { Array($0.utf8)[position] })
            #expect(nibbles.count > 1)
        }
    }
}
