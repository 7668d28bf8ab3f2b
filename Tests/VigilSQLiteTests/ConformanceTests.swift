import Foundation
import Testing
import VigilCore
import VigilIdempotency
import VigilTesting
@testable import VigilSQLite

@Suite("SQLite conformance")
struct SQLiteConformanceTests {
    @Test func idempotencyStorePassesTheConformanceSuite() async throws {
        let directory = try TemporaryDirectory()
        var stores = 0
        try await IdempotencyStoreConformance.run(makeStore: { now in
            stores += 1
            return try SQLiteIdempotencyStore(path: directory.file("idem-\(stores).sqlite"), now: now)
        }, clock: TestClock())
    }

    @Test func jobQueuePassesTheConformanceSuite() async throws {
        let directory = try TemporaryDirectory()
        var queues = 0
        try await JobQueueConformance.run(makeQueue: { now, maxDeliveries in
            queues += 1
            return try SQLiteJobQueue<Int>(path: directory.file("queue-\(queues).sqlite"), maxDeliveries: maxDeliveries, now: now)
        }, clock: TestClock())
    }
}
