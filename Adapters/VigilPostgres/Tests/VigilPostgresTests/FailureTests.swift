import Foundation
import Logging
import PostgresNIO
import Testing
import VigilCore
import VigilIdempotency
import VigilTesting

@testable import VigilPostgres

extension PostgresTests {
    /// Backends killed mid-statement and a server restart: every operation either fails with a typed,
    /// retryable error or succeeds; nothing is half-applied; the pool reconnects.
    @Suite struct Failures {
        /// Holds a lock from a third connection while `operation` blocks on it, terminates the blocked
        /// backend with `pg_terminate_backend`, and returns what `operation` did.
        ///
        /// `repeatable`: the operation is one the adapter runs once more on a fresh connection when its
        /// connection dies (claims: see SchemaAndBehaviour). The repeat blocks on the same held lock, so
        /// ending only once the lock is released is then the documented behaviour, not a failure; the
        /// caller still checks the outcome.
        func killWhileBlocked<T: Sendable>(
            admin: PostgresClient, applicationName: String, lock: PostgresQuery, repeatable: Bool = false,
            _ operation: @escaping @Sendable () async throws -> T
        ) async throws -> Result<T, any Error> {
            try await admin.withConnection { connection in
                try await connection.execute("BEGIN")
                try await connection.execute(lock)
                let running = Task { () -> Result<T, any Error> in
                    do { return .success(try await operation()) } catch { return .failure(error) }
                }
                let blockedQuery: PostgresQuery = """
                    SELECT count(*)::bigint FROM pg_stat_activity
                     WHERE application_name = \(applicationName) AND wait_event_type = 'Lock'
                    """
                let blocked = try await eventually { try await admin.int(blockedQuery) == 1 }
                #expect(blocked, "the operation must block on the held lock")
                let killed = try await admin.int(
                    """
                    SELECT count(pg_terminate_backend(pid))::bigint FROM pg_stat_activity
                     WHERE application_name = \(applicationName) AND wait_event_type = 'Lock'
                    """)
                #expect(killed == 1)
                // Bounded: if the operation did not end (nothing was killed, or it waits on a dead
                // connection), release the lock and report, rather than hang the suite.
                if killed == 1, let result = await finished(running, within: .seconds(30)) {
                    try await connection.execute("ROLLBACK")
                    return result
                }
                try await connection.execute("ROLLBACK")
                if let result = await finished(running, within: .seconds(10)) {
                    if !(repeatable && killed == 1) {
                        Issue.record("the blocked operation ended only once the lock was released (killed \(killed))")
                    }
                    return result
                }
                Issue.record("the operation never returned after its backend was terminated (killed \(killed))")
                return .failure(CancellationError())
            }
        }

        /// `task`'s value if it finishes within `limit` (real time: a guard against a hang, not a
        /// measurement), else `nil`; the task keeps running.
        func finished<T: Sendable>(_ task: Task<T, Never>, within limit: Duration) async -> T? {
            let (results, continuation) = AsyncStream.makeStream(of: T?.self)
            Task { continuation.yield(await task.value) }
            let timer = Task {
                try? await Task.sleep(for: limit)
                continuation.yield(nil)
            }
            var iterator = results.makeAsyncIterator()
            let first = await iterator.next() ?? nil
            timer.cancel()
            continuation.finish()
            return first
        }

        @Test func aClaimWhoseBackendIsKilledFailsRetryablyAndChangesNothing() async throws {
            let app = TestServer.unique("kill-claim")
            try await TestServer.withClient { admin in
                try await TestServer.withClient(applicationName: app) { client in
                    let clock = TestClock()
                    let store = PostgresIdempotencyStore(client: client, now: clock.wall)
                    let key = TestServer.unique("killed-key")
                    guard case .acquired(let first) = try await store.claim(key, fingerprint: "fp", lease: .seconds(10)) else {
                        Issue.record("a fresh key must be acquired")
                        return
                    }
                    clock.advance(by: .seconds(11))  // the lease is dead: the next claim would overwrite the row
                    let result = try await killWhileBlocked(
                        admin: admin, applicationName: app,
                        lock: "SELECT 1 FROM vigil_idempotency WHERE key = \(key) FOR UPDATE", repeatable: true
                    ) {
                        try await store.claim(key, fingerprint: "fp", lease: .seconds(10))
                    }
                    let token =
                        try await admin.rows("SELECT token FROM vigil_idempotency WHERE key = \(key)")
                        .first?.decode(String?.self) ?? nil
                    switch result {
                    case .failure(let error):
                        let failure = try #require(error as? IdempotencyError, "must be the port's error: \(error)")
                        #expect(failure.code == .storageFailure)
                        #expect(failure.isRetryable)
                        #expect(!failure.description.contains(key))
                        #expect(token == first.rawValue, "the killed claim must not have written anything")
                    case .success(let claim):
                        guard case .acquired(let second) = claim else {
                            Issue.record("a claim of an expired key may only succeed by acquiring, got \(claim)")
                            return
                        }
                        #expect(token == second.rawValue)
                    }
                    // The pool replaced the dead connection: later calls work.
                    let after = try await afterReconnect { try await store.claim(key, fingerprint: "fp", lease: .seconds(10)) }
                    if case .failure = result {
                        guard case .acquired = after else {
                            Issue.record("after the failed claim the expired key must be acquirable, got \(after)")
                            return
                        }
                    }
                }
            }
        }

        @Test func aDeadLetteringRetryWhoseBackendIsKilledIsAllOrNothing() async throws {
            let app = TestServer.unique("kill-retry")
            try await TestServer.withClient { admin in
                try await TestServer.withClient(applicationName: app) { client in
                    let clock = TestClock()
                    let name = TestServer.unique("kill-retry")
                    let queue = PostgresJobQueue<Int>(client: client, name: name, maxDeliveries: 1, now: clock.wall)
                    try await queue.enqueue(42)
                    let leased = try #require(try await queue.lease(max: 1, for: .seconds(60)).first)
                    // On its last delivery a retry deletes the job and inserts a dead letter: one statement.
                    let result = try await killWhileBlocked(
                        admin: admin, applicationName: app,
                        lock: "SELECT 1 FROM vigil_jobs WHERE queue = \(name) FOR UPDATE"
                    ) {
                        try await queue.retry(leased.token, after: .zero, reason: "boom")
                    }
                    let pending = try await afterReconnect { try await queue.pendingCount() }
                    let dead = try await afterReconnect { try await queue.deadLetterCount() }
                    switch result {
                    case .failure(let error):
                        let failure = try #require(error as? JobQueueError, "must be the port's error: \(error)")
                        #expect(failure.code == .storageFailure)
                        #expect(failure.isRetryable)
                        #expect(pending == 1 && dead == 0, "half-applied: \(pending) pending, \(dead) dead letters")
                        try await afterReconnect { try await queue.retry(leased.token, after: .zero, reason: "boom") }
                    case .success:
                        break
                    }
                    #expect(try await queue.pendingCount() == 0)
                    let letters = try await queue.deadLetters()
                    #expect(letters.map(\.job) == [42])
                    #expect(letters.first?.reason == "boom")
                }
            }
        }

        @Test func anEnqueueWhoseBackendIsKilledInsideItsTransactionLeavesNoRow() async throws {
            let app = TestServer.unique("kill-enqueue")
            try await TestServer.withClient { admin in
                try await TestServer.withClient(applicationName: app) { client in
                    let name = TestServer.unique("kill-enqueue")
                    let queue = PostgresJobQueue<Int>(client: client, name: name, capacity: 10)
                    try await queue.prepare()
                    // A capacity-limited enqueue is BEGIN; advisory lock; count; insert; COMMIT.
                    let result = try await killWhileBlocked(
                        admin: admin, applicationName: app,
                        lock: "SELECT pg_advisory_xact_lock(hashtextextended('vigil_jobs:' || \(name), 0))"
                    ) {
                        try await queue.enqueue(7)
                    }
                    switch result {
                    case .failure(let error):
                        let failure = try #require(error as? JobQueueError, "must be the port's error: \(error)")
                        #expect(failure.code == .storageFailure)
                        #expect(try await afterReconnect { try await queue.pendingCount() } == 0)
                    case .success:
                        #expect(try await afterReconnect { try await queue.pendingCount() } == 1)
                    }
                    try await afterReconnect { try await queue.enqueue(8) }
                    #expect(try await queue.lease(max: 10, for: .seconds(5)).map(\.job).contains(8))
                }
            }
        }

        @Test func aServerRestartLosesNothingHoldsNoClaimPastItsLeaseAndReconnects() async throws {
            let (data, bin) = try TestServer.serverDirectories()
            let app = TestServer.unique("restart")
            try await TestServer.withClient(applicationName: app) { client in
                let queueClock = TestClock(), storeClock = TestClock()
                let name = TestServer.unique("restart")
                let queue = PostgresJobQueue<Int>(client: client, name: name, now: queueClock.wall)
                let store = PostgresIdempotencyStore(client: client, now: storeClock.wall)
                let key = TestServer.unique("held")
                guard case .acquired(let held) = try await store.claim(key, fingerprint: "fp", lease: .seconds(30)) else {
                    Issue.record("a fresh key must be acquired")
                    return
                }
                let heldUntil = storeClock.wallNow.addingTimeInterval(30)
                let total = 300
                for n in 0..<total { try await queue.enqueue(n) }
                queue.startListening()
                let ready1 = try await eventually { queue.isListening }
                #expect(ready1)
                let startedBefore = try await client.int("SELECT extract(epoch FROM pg_postmaster_start_time())::bigint * 1000")

                var acked = Set<Int>()
                var failures = 0
                var restart: Task<Int32, any Error>?
                let deadline = ContinuousClock.now + .seconds(120)
                while acked.count < total, ContinuousClock.now < deadline {
                    do {
                        let batch = try await queue.lease(max: 5, for: .seconds(30))
                        if batch.isEmpty {
                            // Leases whose ack was lost in the restart: let them run out, deliver again.
                            queueClock.advance(by: .seconds(31))
                            continue
                        }
                        for leased in batch {
                            try await queue.ack(leased.token)
                            acked.insert(leased.job)
                        }
                        if restart == nil, acked.count >= 30 {
                            restart = Task { try await restartServer(data: data, bin: bin) }
                        }
                    } catch {
                        let failure = try #require(error as? JobQueueError, "must be the port's error: \(error)")
                        #expect(failure.code == .storageFailure && failure.isRetryable)
                        failures += 1
                        try await Task.sleep(for: .milliseconds(100))  // the server is coming back
                    }
                }
                let status = try await restart?.value
                #expect(status == 0, "pg_ctl restart must succeed")
                let startedAfter = try await client.int("SELECT extract(epoch FROM pg_postmaster_start_time())::bigint * 1000")
                #expect(startedAfter > startedBefore, "the server must really have restarted")
                #expect(acked == Set(0..<total), "jobs lost in the restart: \(total - acked.count)")
                #expect(try await queue.pendingCount() == 0)
                print("restart test: \(failures) operations failed during the restart and were retried")

                // The claim taken before the restart survived it, and only until its lease ends.
                let during = try await store.claim(key, fingerprint: "fp", lease: .seconds(30))
                if case .inProgress(let until) = during {
                    #expect(abs(until.timeIntervalSince(heldUntil)) < 0.002, "held until \(until), not \(heldUntil)")
                } else {
                    Issue.record("the claim must still be held until its lease end, got \(during)")
                }
                storeClock.advance(by: .seconds(30))
                guard case .acquired = try await store.claim(key, fingerprint: "fp", lease: .seconds(30)) else {
                    Issue.record("at its lease end the claim must be free again")
                    return
                }
                await #expect(throws: IdempotencyError.self) {
                    try await store.complete(
                        key, token: held, outcome: StoredOutcome(status: "late", completedAt: Date()),
                        retain: .seconds(60))
                }

                // The listener reconnected: a waiter is woken by an enqueue long before its timeout.
                let ready2 = try await eventually(timeout: .seconds(30)) { queue.isListening }
                #expect(ready2)
                let waiter = Task {
                    let start = ContinuousClock.now
                    await queue.waitForJobs(timeout: .seconds(60))
                    return ContinuousClock.now - start
                }
                let ready3 = try await eventually { queue.waiterCount == 1 }
                #expect(ready3)
                try await queue.enqueue(total)
                let waited = await waiter.value
                #expect(waited < .seconds(15), "the waiter slept \(waited) although a job arrived")
                let last = try await queue.lease(max: 5, for: .seconds(30))
                #expect(last.map(\.job) == [total])
                for leased in last { try await queue.ack(leased.token) }
            }
        }
    }
}

/// `pg_ctl restart -m fast -w` on the test server, as the `postgres` user when we are root.
///
/// Spawned with `posix_spawn` (not Foundation.Process: in the test process its child monitoring can
/// miss the exit — swift-toolchain-notes.md), with the child's signal mask cleared and its signals
/// reset, and reaped by a blocking `waitpid` on a dedicated thread. pg_ctl gives up after 60 s (`-t`).
func restartServer(data: String, bin: String) async throws -> Int32 {
    let log = URL(fileURLWithPath: data).deletingLastPathComponent().appendingPathComponent("restart.log").path
    var arguments = ["\(bin)/pg_ctl", "-D", data, "-l", log, "restart", "-m", "fast", "-w", "-t", "60"]
    if getuid() == 0 {
        let runuser = FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser") ? "/usr/sbin/runuser" : "/sbin/runuser"
        arguments = [runuser, "-u", "postgres", "--"] + arguments
    }
    return try await spawnAndWait(arguments)
}

struct SpawnFailed: Error, CustomStringConvertible {
    let code: Int32
    var description: String { "posix_spawn failed: \(code)" }
}

/// Runs `arguments[0]` with `arguments`, stdio on /dev/null, and returns its exit status.
func spawnAndWait(_ arguments: [String]) async throws -> Int32 {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t(), all = sigset_t()
    sigemptyset(&empty)
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for descriptor in Int32(0)...2 {
        posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
    }
    let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid = pid_t()
    let spawned = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, environ)
    guard spawned == 0 else { throw SpawnFailed(code: spawned) }
    let child = pid
    return await withCheckedContinuation { continuation in
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(child, &status, 0) == -1 && errno == EINTR {}
            let exited = (status & 0x7f) == 0
            continuation.resume(returning: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f))
        }
    }
}
