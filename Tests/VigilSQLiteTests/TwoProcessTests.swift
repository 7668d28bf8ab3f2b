import Foundation
import Testing
import VigilIdempotency
import VigilSQLite

#if canImport(Glibc)
import Glibc
#endif

/// Two OS processes, each with its own SQLite connection, working one database file at the same time.
///
/// The parent re-launches this test binary (`/proc/self/exe`) with a filter that selects only
/// ``TwoProcessTests/childProcessWorker()`` and an environment variable naming the database; that test
/// is disabled in every other run. Both processes then lease every job they can and race for the same
/// idempotency keys. Across the two processes, every job must be delivered exactly once and every key
/// won exactly once. (No `Foundation.Process` termination is needed: the child exits by itself, and is
/// killed with SIGKILL if it overruns, avoiding the SIGTERM hang described in the toolchain notes.)
@Suite("Two processes sharing one database file")
struct TwoProcessTests {
    static let childEnvironment = "VIGIL_SQLITE_CHILD_DATABASE"
    static let jobCount = 400
    static let keyCount = 50

    /// Leases and acks every visible job, claims every key; returns (jobs leased, keys won).
    static func work(path: String) async throws -> (jobs: [Int], keys: [Int]) {
        let queue = try SQLiteJobQueue<Int>(path: path)
        let store = try SQLiteIdempotencyStore(path: path)
        var jobs: [Int] = []
        var keys: [Int] = []
        var key = 0
        while true {
            let batch = try await queue.lease(max: 3, for: .seconds(3_600))
            for item in batch {
                try await queue.ack(item.token)
                jobs.append(item.job)
            }
            if key < keyCount {
                if case .acquired = try await store.claim("recording:\(key)", fingerprint: "fp", lease: .seconds(3_600)) {
                    keys.append(key)
                }
                key += 1
            }
            if batch.isEmpty && key >= keyCount { return (jobs, keys) }
        }
    }

    /// Runs only inside the child process started by ``twoProcessesNeverDoubleDeliverOrDoubleClaim()``.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[childEnvironment] != nil))
    func childProcessWorker() async throws {
        let path = try #require(ProcessInfo.processInfo.environment[Self.childEnvironment])
        let result = try await Self.work(path: path)
        let output = "jobs " + result.jobs.map(String.init).joined(separator: ",") + "\n"
            + "keys " + result.keys.map(String.init).joined(separator: ",") + "\n"
        try output.write(toFile: path + ".child", atomically: true, encoding: .utf8)
    }

    #if os(Linux)
    @Test(.enabled(if: ProcessInfo.processInfo.environment[childEnvironment] == nil))
    func twoProcessesNeverDoubleDeliverOrDoubleClaim() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("shared.sqlite")
        let seed = try SQLiteJobQueue<Int>(path: path)
        for job in 0..<Self.jobCount { try await seed.enqueue(job) }

        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        child.arguments = ["--testing-library", "swift-testing", "--filter", "childProcessWorker"]
        var environment = ProcessInfo.processInfo.environment
        environment[Self.childEnvironment] = path
        child.environment = environment
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()

        let mine = try await Self.work(path: path)

        // Wait for the child (bounded), without relying on terminate().
        let deadline = ContinuousClock.now + .seconds(120)
        while child.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if child.isRunning { kill(child.processIdentifier, SIGKILL) }
        #expect(child.terminationStatus == 0)

        let text = try String(contentsOfFile: path + ".child", encoding: .utf8)
        func numbers(_ prefix: String) -> [Int] {
            text.split(separator: "\n").first { $0.hasPrefix(prefix + " ") }
                .map { $0.dropFirst(prefix.count + 1).split(separator: ",").compactMap { Int($0) } } ?? []
        }
        let theirs = (jobs: numbers("jobs"), keys: numbers("keys"))
        #expect((mine.jobs + theirs.jobs).sorted() == Array(0..<Self.jobCount), "every job delivered exactly once")
        #expect((mine.keys + theirs.keys).sorted() == Array(0..<Self.keyCount), "every key won exactly once")
        #expect(!theirs.jobs.isEmpty || !theirs.keys.isEmpty, "the child process really took part")
    }
    #endif
}
