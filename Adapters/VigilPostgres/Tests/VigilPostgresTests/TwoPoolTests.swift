import Foundation
import PostgresNIO
import Testing
import VigilCore
import VigilIdempotency
import VigilPostgres
import VigilTesting

extension PostgresTests {
    /// Two independent pools — as two machines would have — racing for the same keys and jobs.
    @Suite struct TwoPools {
        @Test func racingClaimsGrantEachKeyOnce() async throws {
            try await TestServer.withClient { first in
                try await TestServer.withClient { second in
                    let clock = TestClock()
                    let stores = [
                        PostgresIdempotencyStore(client: first, now: clock.wall),
                        PostgresIdempotencyStore(client: second, now: clock.wall)
                    ]
                    let prefix = TestServer.unique("race")
                    let keys = (0..<100).map { "\(prefix)-\($0)" }
                    let wins = try await withThrowingTaskGroup(of: String?.self, returning: [String].self) { group in
                        for key in keys {
                            for attempt in 0..<8 {
                                let store = stores[attempt % 2]
                                group.addTask {
                                    if case .acquired = try await store.claim(key, fingerprint: "fp", lease: .seconds(60)) {
                                        return key
                                    }
                                    return nil
                                }
                            }
                        }
                        var all: [String] = []
                        for try await key in group { if let key { all.append(key) } }
                        return all
                    }
                    #expect(wins.count == keys.count, "800 claims over 100 keys must give exactly 100 acquisitions")
                    #expect(Set(wins) == Set(keys))
                }
            }
        }

        @Test func racingWorkersDeliverEveryJobExactlyOnce() async throws {
            try await TestServer.withClient { first in
                try await TestServer.withClient { second in
                    let clock = TestClock()
                    let name = TestServer.unique("race-queue")
                    let queues = [
                        PostgresJobQueue<Int>(client: first, name: name, now: clock.wall),
                        PostgresJobQueue<Int>(client: second, name: name, now: clock.wall)
                    ]
                    let total = 600
                    for n in 0..<total { try await queues[n % 2].enqueue(n) }
                    let delivered = try await withThrowingTaskGroup(of: [Int].self, returning: [Int].self) { group in
                        for worker in 0..<8 {
                            let queue = queues[worker % 2]
                            group.addTask {
                                var mine: [Int] = []
                                while true {
                                    let batch = try await queue.lease(max: 5, for: .seconds(600))
                                    if batch.isEmpty { return mine }
                                    for leased in batch {
                                        mine.append(leased.job)
                                        try await queue.ack(leased.token)
                                    }
                                }
                            }
                        }
                        var all: [Int] = []
                        for try await jobs in group { all += jobs }
                        return all
                    }
                    #expect(delivered.count == total, "every job delivered once: got \(delivered.count) deliveries")
                    #expect(Set(delivered) == Set(0..<total))
                    #expect(try await queues[0].pendingCount() == 0, "acknowledged rows are deleted")
                }
            }
        }
    }
}
