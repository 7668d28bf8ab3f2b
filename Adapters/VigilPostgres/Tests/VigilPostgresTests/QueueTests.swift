import Foundation
import PostgresNIO
import Testing
import VigilCore
import VigilPostgres
import VigilTesting

extension PostgresTests {
    /// PostgreSQL-specific queue behaviour beyond the conformance suite.
    @Suite struct Queue {
        @Test func aJobThatNoLongerDecodesIsDeadLetteredInsteadOfBlocking() async throws {
            try await TestServer.withClient { client in
                let clock = TestClock()
                let name = TestServer.unique("undecodable")
                let queue = PostgresJobQueue<Int>(client: client, name: name, now: clock.wall)
                try await queue.prepare()
                // Written by an older build with another Job type, and first in line.
                try await client.rows(
                    """
                    INSERT INTO vigil_jobs (queue, payload, first_enqueued_at, available_at)
                    VALUES (\(name), '{"recordingId": "old-shape"}', 0, 0)
                    """)
                try await queue.enqueue(5)
                let leased = try await queue.lease(max: 1, for: .seconds(30))
                #expect(leased.map(\.job) == [5], "the undecodable row must not block the job behind it")
                #expect(try await queue.deadLetterCount() == 1)
                #expect(try await queue.deadLetters().isEmpty, "deadLetters() lists only jobs that decode")
                let reason = try await client.rows("SELECT reason FROM vigil_dead_letters WHERE queue = \(name)")
                    .first?.decode(String.self)
                #expect(reason?.contains("does not decode") == true)
            }
        }

        @Test func capacityRejectsAndNamedQueuesAreIsolated() async throws {
            try await TestServer.withClient { client in
                let name = TestServer.unique("capacity")
                let queue = PostgresJobQueue<Int>(client: client, name: name, capacity: 2)
                let neighbour = PostgresJobQueue<Int>(client: client, name: TestServer.unique("neighbour"))
                try await queue.enqueue(1)
                try await queue.enqueue(2)
                do {
                    try await queue.enqueue(3)
                    Issue.record("a full queue must reject")
                } catch let error as JobQueueError {
                    #expect(error.code == .rejected)
                    #expect(error.isRetryable)
                }
                #expect(try await neighbour.lease(max: 10, for: .seconds(30)).isEmpty, "queues sharing tables are separate")
                let leased = try await queue.lease(max: 1, for: .seconds(30))
                try await queue.ack(try #require(leased.first).token)
                try await queue.enqueue(3)
                #expect(try await queue.pendingCount() == 2)
                // Concurrent enqueues never overshoot the capacity.
                let burst = PostgresJobQueue<Int>(client: client, name: TestServer.unique("burst"), capacity: 10)
                let accepted = try await withThrowingTaskGroup(of: Bool.self, returning: Int.self) { group in
                    for n in 0..<40 {
                        group.addTask {
                            do { try await burst.enqueue(n); return true } catch let error as JobQueueError where error.code == .rejected {
                                return false
                            }
                        }
                    }
                    var count = 0
                    for try await ok in group where ok { count += 1 }
                    return count
                }
                #expect(accepted == 10)
                #expect(try await burst.pendingCount() == 10)
            }
        }

        @Test func deadLettersArePrunedByAge() async throws {
            try await TestServer.withClient { client in
                let clock = TestClock()
                let queue = PostgresJobQueue<Int>(
                    client: client, name: TestServer.unique("prune"), maxDeliveries: 1,
                    now: clock.wall)
                for n in 0..<3 { try await queue.enqueue(n) }
                for leased in try await queue.lease(max: 2, for: .seconds(30)) {
                    try await queue.retry(leased.token, after: .zero, reason: "failed")
                }
                clock.advance(by: .seconds(3_600))
                let last = try #require(try await queue.lease(max: 1, for: .seconds(30)).first)
                try await queue.retry(last.token, after: .zero, reason: "failed later")
                #expect(try await queue.deadLetterCount() == 3)
                #expect(try await queue.pruneDeadLetters(olderThan: .seconds(1_800)) == 2)
                #expect(try await queue.deadLetters().map(\.reason) == ["failed later"])
            }
        }

        /// The index plan at a realistic size: 400 000 pending rows in two queues.
        @Test func leaseAndAckUseTheirIndexesAtHundredsOfThousandsOfRows() async throws {
            try await TestServer.withClient { client in
                let name = TestServer.unique("explain"), crowd = TestServer.unique("crowd")
                let queue = PostgresJobQueue<Int>(client: client, name: name)
                try await queue.prepare()
                for queueName in [name, crowd] {
                    try await client.rows(
                        """
                        INSERT INTO vigil_jobs (queue, payload, first_enqueued_at, available_at)
                        SELECT \(queueName), to_jsonb(n), n, n FROM generate_series(1, 200000) AS n
                        """)
                }
                try await client.rows("ANALYZE vigil_jobs")
                func plan(_ sql: String) async throws -> String {
                    try await client.rows(PostgresQuery(unsafeSQL: "EXPLAIN " + sql))
                        .map { try $0.decode(String.self) }.joined(separator: "\n")
                }
                let quoted = "'\(name)'"
                let lease = try await plan(
                    """
                    SELECT id FROM vigil_jobs WHERE queue = \(quoted) AND available_at <= 150000
                     ORDER BY available_at, id LIMIT 10 FOR UPDATE SKIP LOCKED
                    """)
                print("lease plan:\n\(lease)")
                #expect(lease.contains("Index Scan using vigil_jobs_queue_available"))
                #expect(!lease.contains("Seq Scan") && !lease.contains("Sort"))
                let ack = try await plan("DELETE FROM vigil_jobs WHERE token = 'abc' AND queue = \(quoted) AND available_at > 5")
                print("ack plan:\n\(ack)")
                #expect(ack.contains("vigil_jobs_token"))
                #expect(!ack.contains("Seq Scan"))
                // And the real statement is fast at this size.
                let start = ContinuousClock.now
                let leased = try await queue.lease(max: 10, for: .seconds(30))
                print("lease(max: 10) with 400 000 pending rows: \(ContinuousClock.now - start)")
                #expect(leased.count == 10)
                try await client.rows("DELETE FROM vigil_jobs WHERE queue IN (\(name), \(crowd))")
            }
        }
    }
}
