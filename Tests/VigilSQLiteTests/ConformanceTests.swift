import Foundation
import Testing
import VigilCore
import VigilIdempotency
import VigilTesting
import VigilSQLite

@Suite("SQLite stores pass the conformance suites")
struct SQLiteConformanceTests {
    struct Job: Codable, Sendable, Hashable {
        var recordingID: String
        var attempt: Int
    }

    @Test func idempotencyStoreConforms() async throws {
        let directory = try TemporaryDirectory()
        let counter = Counter()
        try await IdempotencyStoreConformance.run(makeStore: { now in
            try SQLiteIdempotencyStore(path: directory.file("idem-\(counter.next()).sqlite"), now: now)
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
        let counter = Counter()
        try await DeadLetterSinkConformance.run {
            let sink = try SQLiteDeadLetterSink(path: directory.file("dead-\(counter.next()).sqlite"))
            return .init(sink: sink, letters: { try await sink.letters() })
        }
    }

    @Test func jobQueueConforms() async throws {
        let directory = try TemporaryDirectory()
        let counter = Counter()
        try await JobQueueConformance.run(makeQueue: { now, maxDeliveries in
            try SQLiteJobQueue<Int>(path: directory.file("queue-\(counter.next()).sqlite"),
                                    maxDeliveries: maxDeliveries, now: now)
        }, clock: TestClock())
    }

    @Test func jobQueueConformsWithAStructJobAndNamedQueuesSharingOneFile() async throws {
        let directory = try TemporaryDirectory()
        let counter = Counter()
        let path = directory.file("shared.sqlite")
        try await JobQueueConformance.run(makeQueue: { now, maxDeliveries in
            try SQLiteJobQueue<Job>(path: path, name: "q\(counter.next())", maxDeliveries: maxDeliveries, now: now)
        }, makeJob: { Job(recordingID: "rec-\($0)", attempt: 0) }, clock: TestClock(),
           properties: [.leaseHidesJob, .expiryRedelivers, .maxDeliveriesDeadLetter, .concurrentLeasersExclusive],
           workers: 3, jobsPerWorker: 50)
    }
}

/// A thread-safe counter for naming fresh files.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.withLock {
            value += 1
            return value
        }
    }
}
