import Foundation
import PostgresNIO
import Testing
import VigilCore
import VigilIdempotency
import VigilPostgres
import VigilTesting

extension PostgresTests {
    /// VigilTesting's contract suites, against the real server.
    @Suite struct Conformance {
        @Test func idempotencyStoreConforms() async throws {
            try await TestServer.withClient { client in
                let clock = TestClock()
                try await IdempotencyStoreConformance.run(
                    makeStore: { now in
                        PostgresIdempotencyStore(client: client, now: now)
                    }, clock: clock)
            }
        }

        @Test func jobQueueConforms() async throws {
            try await TestServer.withClient { client in
                let clock = TestClock()
                try await JobQueueConformance.run(
                    makeQueue: { now, maxDeliveries in
                        PostgresJobQueue<Int>(
                            client: client, name: TestServer.unique("conformance"),
                            maxDeliveries: maxDeliveries, now: now)
                    }, clock: clock)
            }
        }
    }
}
