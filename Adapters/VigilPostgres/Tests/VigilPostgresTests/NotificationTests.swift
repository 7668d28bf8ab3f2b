import Foundation
import PostgresNIO
import Testing
import VigilCore
import VigilTesting

@testable import VigilPostgres

extension PostgresTests {
    /// LISTEN/NOTIFY: `waitForJobs(timeout:)` returns on a notification, the timeout or cancellation.
    @Suite struct Notifications {
        @Test func anEnqueueFromAnotherPoolWakesEveryWaiterLongBeforeTheTimeout() async throws {
            let app = TestServer.unique("listen")
            try await TestServer.withClient(applicationName: app) { waiting in
                try await TestServer.withClient { producing in
                    let name = TestServer.unique("notify")
                    let queue = PostgresJobQueue<Int>(client: waiting, name: name)
                    let other = PostgresJobQueue<Int>(client: waiting, name: TestServer.unique("other-queue"))
                    let producer = PostgresJobQueue<Int>(client: producing, name: name)
                    try await producer.prepare()
                    queue.startListening()
                    let ready1 = try await eventually { queue.isListening }
                    #expect(ready1)

                    let start = ContinuousClock.now
                    let waiters = (0..<5).map { _ in
                        Task { () -> Duration in
                            await queue.waitForJobs(timeout: .seconds(60))
                            return ContinuousClock.now - start
                        }
                    }
                    let ready2 = try await eventually { queue.waiterCount == 5 }
                    #expect(ready2)
                    // Five waiters, one listening connection.
                    let listeners = try await waiting.int(
                        """
                        SELECT count(*)::bigint FROM pg_stat_activity
                         WHERE application_name = \(app) AND query LIKE 'LISTEN%'
                        """)
                    #expect(listeners == 1, "expected one LISTEN connection for all waiters, found \(listeners)")

                    // A delayed job is not visible yet: no notification for it.
                    try await producer.enqueue(0, notBefore: Date().addingTimeInterval(3_600))
                    try await producer.enqueue(1)
                    for waiter in waiters {
                        let waited = await waiter.value
                        #expect(waited < .seconds(10), "a waiter slept \(waited) although a job arrived")
                    }
                    // The wake-up is a hint; the job is leased as usual.
                    let leased = try await queue.lease(max: 10, for: .seconds(30))
                    #expect(leased.map(\.job) == [1])

                    // A notification for another queue name does not wake this queue's waiters.
                    let clock = TestClock()
                    let filtered = PostgresJobQueue<Int>(client: waiting, name: other.name, clock: clock)
                    filtered.startListening()
                    let ready3 = try await eventually { filtered.isListening }
                    #expect(ready3)
                    let sleeper = Task { await filtered.waitForJobs(timeout: .seconds(30)) }
                    let ready4 = try await eventually { filtered.waiterCount == 1 && clock.sleeperCount == 1 }
                    #expect(ready4)
                    try await producer.enqueue(2)
                    try await Task.sleep(for: .milliseconds(300))  // let the server deliver it
                    #expect(filtered.waiterCount == 1, "a notification for another queue woke the waiter")
                    clock.advance(by: .seconds(30))
                    await sleeper.value
                }
            }
        }

        @Test func waitingEndsAtTheTimeoutOnTheInjectedClockAndAtOnceOnCancellation() async throws {
            try await TestServer.withClient { client in
                let clock = TestClock()
                let queue = PostgresJobQueue<Int>(client: client, name: TestServer.unique("timeout"), clock: clock)
                // Connecting wakes every waiter (notifications may have been missed): connect first, so
                // the waits below end only by their timeout or cancellation.
                queue.startListening()
                let listening = try await eventually { queue.isListening }
                #expect(listening)
                let waiter = Task { await queue.waitForJobs(timeout: .seconds(30)) }
                let ready5 = try await eventually { clock.sleeperCount == 1 }
                #expect(ready5)
                clock.advance(by: .seconds(29))
                #expect(queue.waiterCount == 1, "29 s into a 30 s wait the waiter must still wait")
                clock.advance(by: .seconds(1))
                await waiter.value
                #expect(queue.waiterCount == 0)

                let cancelled = Task { await queue.waitForJobs(timeout: .seconds(3_600)) }
                let ready6 = try await eventually { queue.waiterCount == 1 }
                #expect(ready6)
                cancelled.cancel()
                await cancelled.value
                #expect(queue.waiterCount == 0)

                // Without a channel, waiting is just the timeout.
                let silent = PostgresJobQueue<Int>(
                    client: client, name: TestServer.unique("silent"),
                    notificationChannel: nil, clock: clock)
                let polling = Task { await silent.waitForJobs(timeout: .seconds(5)) }
                let ready7 = try await eventually { clock.sleeperCount == 1 }
                #expect(ready7)
                clock.advance(by: .seconds(5))
                await polling.value
                #expect(!silent.isListening)
            }
        }

        /// The host cancels `client.run()` while a queue still listens: the pool shuts down, and the
        /// listener ends instead of reconnecting forever.
        @Test func shuttingTheClientDownEndsTheListener() async throws {
            let client = try TestServer.configuration().makeClient()
            let ended = Flag()
            let running = Task {
                await client.run()
                ended.set()
            }
            let queue = PostgresJobQueue<Int>(client: client, name: TestServer.unique("shutdown"))
            queue.startListening()
            let listening = try await eventually { queue.isListening }
            #expect(listening)
            running.cancel()
            let runEnded = try await eventually(timeout: .seconds(20)) { ended.isSet }
            #expect(runEnded, "client.run() must return although the listener holds a connection")
            let listenerEnded = try await eventually(timeout: .seconds(20)) { queue.listenerHasFinished }
            #expect(listenerEnded, "the listener must stop once the pool is shut down")
            #expect(!queue.isListening)
        }

        /// The listening backend is terminated: the queue opens a new listening connection by itself,
        /// and waiters are woken by enqueues again.
        @Test func aKilledListeningConnectionIsReplaced() async throws {
            let app = TestServer.unique("relisten")
            try await TestServer.withClient { admin in
                try await TestServer.withClient(applicationName: app) { client in
                    let queue = PostgresJobQueue<Int>(client: client, name: TestServer.unique("relisten"))
                    queue.startListening()
                    let listening = try await eventually { queue.isListening }
                    #expect(listening)
                    let listenerPID: PostgresQuery = """
                        SELECT coalesce(max(pid), 0)::bigint FROM pg_stat_activity
                         WHERE application_name = \(app) AND query LIKE 'LISTEN%'
                        """
                    let first = try await admin.int(listenerPID)
                    #expect(first > 0)
                    #expect(try await admin.int("SELECT count(pg_terminate_backend(\(first)::integer))::bigint") == 1)
                    let replaced = try await eventually {
                        let now = try await admin.int(listenerPID)
                        return now > 0 && now != first && queue.isListening
                    }
                    #expect(replaced, "a new LISTEN connection must replace the terminated one")
                    let waiter = Task {
                        let start = ContinuousClock.now
                        await queue.waitForJobs(timeout: .seconds(60))
                        return ContinuousClock.now - start
                    }
                    let waiting = try await eventually { queue.waiterCount == 1 }
                    #expect(waiting)
                    try await afterReconnect { try await queue.enqueue(1) }
                    let waited = await waiter.value
                    #expect(waited < .seconds(10), "the waiter slept \(waited) although a job arrived")
                }
            }
        }
    }
}
