import Foundation
import Testing
import VigilCore
import VigilIdempotency
import VigilSQLite
import VigilTesting

@Suite("SQLite stores pass the conformance suites")
struct SQLiteConformanceTests {
    struct Job: Codable, Sendable, Hashable {
        var recordingID: String
        var attempt: Int
    }

    @Test func idempotencyStoreConforms() async throws {
        let directory = try TemporaryDirectory()
        let counter = Locked(0)
        try await IdempotencyStoreConformance.run(
            makeStore: { now in
                try SQLiteIdempotencyStore(path: directory.file("idem-\(counter.withLock { $0 += 1; return $0 }).sqlite"), now: now)
            }, clock: TestClock())
    }

    @Test func idempotencyStoreConformsWhenOneFileIsSharedAndPurgedOnEveryClaim() async throws {
        let directory = try TemporaryDirectory()
        let clock = TestClock()
        let shared = try SQLiteIdempotencyStore(path: directory.file("idem.sqlite"), purgeInterval: .zero, now: clock.wall)
        try await IdempotencyStoreConformance.run(makeStore: { _ in shared }, clock: clock)
    }

    @Test func deadLetterSinkConforms() async throws {
        let directory = try TemporaryDirectory()
        let counter = Locked(0)
        try await DeadLetterSinkConformance.run {
            let sink = try SQLiteDeadLetterSink(path: directory.file("dead-\(counter.withLock { $0 += 1; return $0 }).sqlite"))
            return .init(sink: sink, letters: { try await sink.letters() })
        }
    }

    @Test func jobQueueConforms() async throws {
        let directory = try TemporaryDirectory()
        let counter = Locked(0)
        try await JobQueueConformance.run(
            makeQueue: { now, maxDeliveries in
                try SQLiteJobQueue<Int>(
                    path: directory.file("queue-\(counter.withLock { $0 += 1; return $0 }).sqlite"),
                    maxDeliveries: maxDeliveries, now: now)
            }, clock: TestClock())
    }

    @Test func jobQueueConformsWithAStructJobAndNamedQueuesSharingOneFile() async throws {
        let directory = try TemporaryDirectory()
        let counter = Locked(0)
        let path = directory.file("shared.sqlite")
        try await JobQueueConformance.run(
            makeQueue: { now, maxDeliveries in
                try SQLiteJobQueue<Job>(path: path, name: "q\(counter.withLock { $0 += 1; return $0 })", maxDeliveries: maxDeliveries, now: now)
            }, makeJob: { Job(recordingID: "rec-\($0)", attempt: 0) }, clock: TestClock(),
            properties: [.leaseHidesJob, .expiryRedelivers, .maxDeliveriesDeadLetter, .concurrentLeasersExclusive],
            workers: 3, jobsPerWorker: 50)
    }
}
