import Foundation
import Testing
import VigilCore
import VigilIdempotency
import VigilTesting

@testable import VigilSQLite

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("SQLite stores: durability, files, errors")
struct SQLiteStoreTests {
    @Test func everythingSurvivesClosingAndReopeningTheFile() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("vigil.sqlite")
        let clock = TestClock()
        let start = clock.wallNow

        var queue = try SQLiteJobQueue<String>(path: path, maxDeliveries: 1, now: clock.wall)
        var store = try SQLiteIdempotencyStore(path: path, now: clock.wall)
        try await queue.enqueue("leased")
        try await queue.enqueue("doomed")
        try await queue.enqueue("pending")
        let first = try await queue.lease(max: 2, for: .seconds(60))
        #expect(first.map(\.job) == ["leased", "doomed"])
        try await queue.retry(first[1].token, after: .zero, reason: "engine said no")  // last delivery → dead
        let done = StoredOutcome(status: "flagged", details: ["violation": "pan"], completedAt: start)
        guard case .acquired(let completed) = try await store.claim("recording:done", fingerprint: "fp", lease: .seconds(60)),
            case .acquired = try await store.claim("recording:busy", fingerprint: "fp", lease: .seconds(60))
        else {
            Issue.record("fresh keys must be acquired"); return
        }
        try await store.complete("recording:done", token: completed, outcome: done, retain: .seconds(3_600))
        await queue.close()
        await store.close()

        // A new process, as far as the file can tell.
        queue = try SQLiteJobQueue<String>(path: path, maxDeliveries: 1, now: clock.wall)
        store = try SQLiteIdempotencyStore(path: path, now: clock.wall)
        #expect(try await queue.pendingCount() == 2)
        let dead = try await queue.deadLetters()
        #expect(dead.map(\.job) == ["doomed"])
        #expect(dead.first?.reason == "engine said no")
        #expect(dead.first?.firstEnqueuedAt == start)
        #expect(try await store.claim("recording:done", fingerprint: "fp", lease: .seconds(60)) == .completed(done))
        #expect(
            try await store.claim("recording:busy", fingerprint: "fp", lease: .seconds(60))
                == .inProgress(until: start.addingTimeInterval(60)))

        // The leased job stays hidden until its stored lease ends; the old token still acks meanwhile.
        let pending = try await queue.lease(max: 10, for: .seconds(60))
        #expect(pending.map(\.job) == ["pending"])
        try await queue.ack(pending[0].token)
        clock.advance(by: .seconds(30))
        try await queue.ack(first[0].token)
        #expect(try await queue.pendingCount() == 0)
    }

    @Test func aCrashedWorkersLeaseSimplyExpires() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("vigil.sqlite")
        let clock = TestClock()
        do {
            let crashed = try SQLiteJobQueue<Int>(path: path, maxDeliveries: 3, now: clock.wall)
            try await crashed.enqueue(7)
            #expect(try await crashed.lease(max: 1, for: .seconds(30)).count == 1)
            await crashed.close()  // the worker dies holding the lease
        }
        let survivor = try SQLiteJobQueue<Int>(path: path, maxDeliveries: 3, now: clock.wall)
        #expect(try await survivor.lease(max: 1, for: .seconds(30)).isEmpty)
        clock.advance(by: .seconds(30))
        let again = try await survivor.lease(max: 1, for: .seconds(30))
        #expect(again.map(\.job) == [7])
        #expect(again.first?.deliveryCount == 2)
    }

    @Test func twoConnectionsInOneProcessNeverBothWin() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("vigil.sqlite")
        let clock = TestClock()
        let stores = try (0..<3).map { _ in try SQLiteIdempotencyStore(path: path, now: clock.wall) }
        let results = try await withThrowingTaskGroup(of: ClaimResult.self, returning: [ClaimResult].self) { group in
            for n in 0..<300 {
                let store = stores[n % stores.count]
                group.addTask { try await store.claim("recording:one", fingerprint: "fp", lease: .seconds(60)) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter { if case .acquired = $0 { true } else { false } }.count == 1)

        let queues = try (0..<3).map { _ in try SQLiteJobQueue<Int>(path: path, now: clock.wall) }
        for n in 0..<300 { try await queues[0].enqueue(n) }
        let leased = try await withThrowingTaskGroup(of: [Int].self, returning: [Int].self) { group in
            for queue in queues {
                group.addTask {
                    var mine: [Int] = []
                    while true {
                        let batch = try await queue.lease(max: 4, for: .seconds(600))
                        if batch.isEmpty { return mine }
                        for item in batch { try await queue.ack(item.token); mine.append(item.job) }
                    }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(leased.sorted() == Array(0..<300))
    }

    @Test func anExpiredLastLeaseKeepsTheLastRetryReason() async throws {
        let directory = try TemporaryDirectory()
        let clock = TestClock()
        let queue = try SQLiteJobQueue<Int>(path: directory.file("q.sqlite"), maxDeliveries: 2, now: clock.wall)
        try await queue.enqueue(1)
        let first = try await queue.lease(max: 1, for: .seconds(10))
        try await queue.retry(first[0].token, after: .zero, reason: "engine 503")
        _ = try await queue.lease(max: 1, for: .seconds(10))
        clock.advance(by: .seconds(10))
        #expect(try await queue.lease(max: 1, for: .seconds(10)).isEmpty)
        let dead = try await queue.deadLetters()
        #expect(dead.count == 1)
        #expect(dead.first?.reason == "lease expired on delivery 2 of 2; last retry: engine 503")
        #expect(dead.first?.deadLetteredAt == clock.wallNow)
    }

    @Test func aFullQueueRejectsAndInvalidArgumentsAreRefused() async throws {
        let directory = try TemporaryDirectory()
        // Simulated wall time: under a loaded machine a real 10 s lease can expire before the ack.
        let clock = TestClock()
        let queue = try SQLiteJobQueue<Int>(path: directory.file("q.sqlite"), capacity: 2, now: clock.wall)
        try await queue.enqueue(1)
        try await queue.enqueue(2)
        let full = await #expect(throws: JobQueueError.self) { try await queue.enqueue(3) }
        #expect(full?.code == .rejected)
        #expect(full?.isRetryable == true)
        let leased = try await queue.lease(max: 1, for: .seconds(10))
        await #expect(throws: JobQueueError.self) { try await queue.enqueue(3) }  // leased still counts
        try await queue.ack(leased[0].token)
        try await queue.enqueue(3)
        #expect(try await queue.pendingCount() == 2)

        let noMax = await #expect(throws: JobQueueError.self) { _ = try await queue.lease(max: 0, for: .seconds(1)) }
        #expect(noMax?.code == .invalidArgument)
        let noLease = await #expect(throws: JobQueueError.self) { _ = try await queue.lease(max: 1, for: .zero) }
        #expect(noLease?.code == .invalidArgument)
    }

    @Test func aJobThatNoLongerDecodesIsDeadLetteredInsteadOfBlockingTheQueue() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("q.sqlite")
        let old = try SQLiteJobQueue<String>(path: path, name: "recordings")
        try await old.enqueue("not a number")
        let new = try SQLiteJobQueue<Int>(path: path, name: "recordings")
        try await new.enqueue(42)
        #expect(try await new.lease(max: 10, for: .seconds(10)).map(\.job) == [42])
        #expect(try await new.pendingCount() == 1)
        #expect(try await new.deadLetters().isEmpty, "an undecodable dead letter is left out")
        let dead = try await old.deadLetters()
        #expect(dead.map(\.job) == ["not a number"])
        #expect(dead.first?.reason == "the stored job does not decode as Int")
    }

    @Test func expiredRecordsArePurged() async throws {
        let directory = try TemporaryDirectory()
        let clock = TestClock()
        let store = try SQLiteIdempotencyStore(
            path: directory.file("i.sqlite"), purgeInterval: .seconds(3_600),
            now: clock.wall)
        for n in 0..<10 {
            guard case .acquired(let token) = try await store.claim("k\(n)", fingerprint: "fp", lease: .seconds(10)) else {
                Issue.record("fresh key not acquired"); return
            }
            if n.isMultiple(of: 2) {
                try await store.complete(
                    "k\(n)", token: token,
                    outcome: StoredOutcome(status: "ok", completedAt: clock.wallNow), retain: .seconds(30))
            }
        }
        clock.advance(by: .seconds(10))
        #expect(try await store.purgeExpired() == 5, "the five expired leases")
        clock.advance(by: .seconds(20))
        #expect(try await store.purgeExpired() == 5, "the five ended retentions")
        #expect(try await store.count() == 0)
    }

    @Test func newFilesAreOwnerOnlyAndInWALMode() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("vigil.sqlite")
        let previous = umask(0o022)
        defer { umask(previous) }
        let store = try SQLiteIdempotencyStore(path: path)
        _ = try await store.claim("k", fingerprint: "fp", lease: .seconds(1))
        for file in [path, path + "-wal", path + "-shm"] {
            var info = stat()
            #expect(stat(file, &info) == 0, "\(file) exists")
            #expect(info.st_mode & 0o777 == 0o600, "\(file) has mode \(String(info.st_mode & 0o777, radix: 8))")
        }
        let database = try SQLiteDatabase(path: path, configuration: .default)
        let pragmas = try await database.perform { connection -> [String] in
            var values: [String] = []
            for pragma in ["journal_mode", "synchronous", "foreign_keys", "busy_timeout", "user_version"] {
                let value = try connection.queryOne("PRAGMA \(pragma)", [], operation: "test") { $0.text(0) ?? "" }
                values.append(value ?? "")
            }
            return values
        }
        #expect(pragmas == ["wal", "1", "1", "5000", String(Schema.currentVersion)])
        let full = try SQLiteDatabase(path: path, configuration: SQLiteConfiguration(synchronous: .full))
        let level = try await full.perform { try $0.queryOne("PRAGMA synchronous", [], operation: "t") { $0.int(0) } }
        #expect(level == 2, "FULL")
    }

    @Test func aFileFromANewerVigilIsRefused() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("vigil.sqlite")
        let database = try SQLiteDatabase(path: path, configuration: .default)
        try await database.perform { try $0.execute("PRAGMA user_version = 99", operation: "test") }
        await database.close()
        let error = #expect(throws: SQLiteError.self) { _ = try SQLiteJobQueue<Int>(path: path) }
        #expect(error?.code == .schemaTooNew)
        let missing = #expect(throws: SQLiteError.self) {
            _ = try SQLiteIdempotencyStore(path: directory.file("no/such/dir/vigil.sqlite"))
        }
        #expect(missing?.code == .cannotOpen)
    }

    @Test func errorsCarryTheResultCodeButNeverBoundValues() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("vigil.sqlite")
        let database = try SQLiteDatabase(path: path, configuration: .default)
        let secret = "4111111111111111"
        let insert = "INSERT INTO vigil_jobs (queue, payload, first_enqueued_at, available_at, token) VALUES ('q', ?1, 0, 0, ?2)"
        _ = try await database.perform { try $0.run(insert, [.text(secret), .text(secret)], operation: "insert") }
        do {
            _ = try await database.perform { try $0.run(insert, [.text(secret), .text(secret)], operation: "insert") }
            Issue.record("a duplicate token must violate the unique index")
        } catch let error as SQLiteError {
            #expect(error.code == .constraint)
            #expect(error.resultCode == 2067, "SQLITE_CONSTRAINT_UNIQUE")
            #expect(!error.description.contains(secret))
        }

        let store = try SQLiteIdempotencyStore(path: path)
        await store.close()
        let closed = await #expect(throws: IdempotencyError.self) {
            _ = try await store.claim("recording:\(secret)", fingerprint: "fp", lease: .seconds(1))
        }
        #expect(closed?.code == .storageFailure)
        #expect(closed?.isRetryable == true)
        #expect(closed.map { !$0.description.contains(secret) } == true)
        let queue = try SQLiteJobQueue<Int>(path: path)
        await queue.close()
        let queueClosed = await #expect(throws: JobQueueError.self) { try await queue.enqueue(1) }
        #expect(queueClosed?.code == .storageFailure)
    }

    @Test func timestampsAreWholeMilliseconds() {
        #expect(Timestamp.milliseconds(.seconds(2)) == 2_000)
        #expect(Timestamp.milliseconds(.microseconds(1)) == 1, "a positive duration never rounds to zero")
        #expect(Timestamp.milliseconds(.seconds(-5)) == 0)
        #expect(Timestamp.milliseconds(Duration.seconds(Int64.max)) == .max)
        let date = Date(timeIntervalSince1970: 1_780_000_000.123)
        #expect(Timestamp.milliseconds(date) == 1_780_000_000_123)
        #expect(Timestamp.date(1_780_000_000_123).timeIntervalSince1970 == 1_780_000_000.123)
    }
}
