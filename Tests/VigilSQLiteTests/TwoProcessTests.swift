// Two independent OS processes, each with its own SQLite connections, sharing one database file.
//
// How: the test re-executes its own test binary (`/proc/self/exe`, the `…PackageTests.xctest` that
// `swift test` runs) with `--testing-library swift-testing --filter TwoProcessChildWorker`, through
// `posix_spawn`. In that fresh process — its own Swift runtime, its own concurrency pool, nothing
// inherited but the environment and two pipes — only the `TwoProcessChildWorker` test is enabled
// (it is disabled unless `VIGIL_SQLITE_CHILD_DB` is set, so a normal run lists it as skipped). It opens
// its own store and queue on the file, reports "ready" on fd 4, then, round by round on the parent's
// signal (fd 3), claims and leases exactly as the parent does at the same moment, and finally writes
// what it won to fd 4.
//
// Why not `fork()`: the test process is multi-threaded (Swift Testing runs tests in parallel and the
// stores use Dispatch); a forked child may only call async-signal-safe functions, so it could not use
// Swift concurrency, Dispatch or even the store code safely. Why not `/usr/bin/sqlite3` through
// `Process`: it is not on a default image, and it would test the CLI, not Vigil's code. Re-execution
// runs Vigil's real stores in both processes. The child's stdio goes to /dev/null, it is spawned with
// an empty signal mask (avoiding the `Process` hang noted in the toolchain notes), every wait on it is
// bounded, and it is SIGKILLed if it overruns. Linux only (`/proc/self/exe`).
#if os(Linux)
    import Foundation
    import Glibc
    import Testing
    import VigilCore
    import VigilIdempotency
    import VigilSQLite

    /// The work both processes do, in lockstep rounds so that they really race: in each claim round both
    /// claim the same keys at the same moment, in each lease round both lease from the same queue at once.
    ///
    /// Protocol: the child writes `R` on fd 4 when its connections are open; then for every round the
    /// parent writes `c` (claim round) or `l` (lease round) on fd 3, does the round itself, and reads the
    /// child's answer: one byte, how many jobs the child leased in that round. `e` ends the run: the child
    /// writes its ``Result`` as JSON on fd 4 and exits.
    final class TwoProcessParticipant: @unchecked Sendable {
        static let claimRounds = 30
        static let keysPerRound = 10
        static let jobs = 240
        static let leasesPerRound = 4
        static let lease = Duration.seconds(3_600)

        struct Result: Codable, Sendable {
            var claimed: [Int] = []
            var leased: [Int] = []
            var ackFailures = 0
        }

        private let store: SQLiteIdempotencyStore
        private let queue: SQLiteJobQueue<Int>
        private(set) var result = Result()

        init(path: String, now: @escaping @Sendable () -> Date) throws {
            store = try SQLiteIdempotencyStore(path: path, now: now)
            queue = try SQLiteJobQueue<Int>(path: path, name: "two-process", maxDeliveries: 5, now: now)
        }

        /// Claims the round's keys concurrently; records those acquired.
        func claimRound(_ round: Int) async throws {
            let store = self.store
            let keys = (round * Self.keysPerRound)..<((round + 1) * Self.keysPerRound)
            let won = try await withThrowingTaskGroup(of: Int?.self, returning: [Int].self) { group in
                for key in keys {
                    group.addTask {
                        let answer = try await store.claim("recording:\(key)", fingerprint: "fp", lease: Self.lease)
                        if case .acquired = answer { return key }
                        return nil
                    }
                }
                return try await group.reduce(into: []) { if let key = $1 { $0.append(key) } }
            }
            result.claimed += won
        }

        /// Makes a few concurrent single-job leases and acks what they got; returns how many.
        func leaseRound() async throws -> Int {
            let queue = self.queue
            let outcomes = try await withThrowingTaskGroup(of: (Int, Bool)?.self, returning: [(Int, Bool)].self) { group in
                for _ in 0..<Self.leasesPerRound {
                    group.addTask {
                        guard let leased = try await queue.lease(max: 1, for: Self.lease).first else { return nil }
                        do { try await queue.ack(leased.token); return (leased.job, true) } catch { return (leased.job, false) }
                    }
                }
                return try await group.reduce(into: []) { if let outcome = $1 { $0.append(outcome) } }
            }
            result.leased += outcomes.map(\.0)
            result.ackFailures += outcomes.filter { !$0.1 }.count
            return outcomes.count
        }

        func close() async {
            await store.close()
            await queue.close()
        }
    }

    @Suite("Two processes share one database file")
    struct TwoProcessTests {
        @Test(.timeLimit(.minutes(1)))
        func twoProcessesNeverWinTheSameClaimOrLeaseTheSameJob() async throws {
            let directory = try TemporaryDirectory()
            let path = directory.file("shared.sqlite")
            let nowMilliseconds: Int64 = 1_780_000_000_000
            let now: @Sendable () -> Date = { Date(timeIntervalSince1970: Double(nowMilliseconds) / 1_000) }
            let queue = try SQLiteJobQueue<Int>(path: path, name: "two-process", now: now)
            for job in 0..<TwoProcessParticipant.jobs { try await queue.enqueue(job) }

            let child = try ChildProcess.spawn(environment: [
                "VIGIL_SQLITE_CHILD_DB": path,
                "VIGIL_SQLITE_CHILD_NOW_MS": String(nowMilliseconds)
            ])
            defer { child.killAndReap() }
            let me = try TwoProcessParticipant(path: path, now: now)
            try #require(try await child.read(count: 1, timeout: 20) == Array("R".utf8), "the child did not report ready")

            for round in 0..<TwoProcessParticipant.claimRounds {
                try child.send("c")
                try await me.claimRound(round)
                try #require(try await child.read(count: 1, timeout: 10).count == 1, "the child did not finish claim round \(round)")
            }
            var rounds = 0
            while true {
                rounds += 1
                try #require(rounds <= TwoProcessParticipant.jobs, "the queue never drained")
                try child.send("l")
                let mine = try await me.leaseRound()
                let reply = try await child.read(count: 1, timeout: 10)
                try #require(reply.count == 1, "the child did not finish lease round \(rounds)")
                if mine == 0 && reply[0] == 0 { break }
            }
            try child.send("e")
            let report = try await child.readToEnd(timeout: 10)
            let status = try await child.wait(timeout: 10)
            try #require(status == 0, "the child process exited with status \(status)")
            let theirs = try JSONDecoder().decode(TwoProcessParticipant.Result.self, from: Data(report))
            let mine = me.result
            await me.close()

            let keys = TwoProcessParticipant.claimRounds * TwoProcessParticipant.keysPerRound
            #expect(Set(mine.claimed).isDisjoint(with: theirs.claimed), "a key was acquired by both processes")
            #expect((mine.claimed + theirs.claimed).sorted() == Array(0..<keys), "every key is acquired exactly once")
            #expect(Set(mine.leased).isDisjoint(with: theirs.leased), "a job was leased by both processes")
            #expect(
                (mine.leased + theirs.leased).sorted() == Array(0..<TwoProcessParticipant.jobs),
                "every job is delivered exactly once")
            #expect(mine.ackFailures == 0 && theirs.ackFailures == 0, "an ack failed: its job went to the other process too")
            #expect(try await queue.pendingCount() == 0)
            // Evidence that the two really raced (not a property: any split is correct).
            print(
                "two-process race: parent won \(mine.claimed.count) claims and leased \(mine.leased.count) jobs; "
                    + "child \(theirs.claimed.count) and \(theirs.leased.count)")
        }
    }

    /// The child's half: enabled only inside the process the test above spawns.
    @Suite("TwoProcessChildWorker")
    struct TwoProcessChildWorker {
        @Test(
            .enabled(
                if: ProcessInfo.processInfo.environment["VIGIL_SQLITE_CHILD_DB"] != nil,
                "runs only as the child process of twoProcessesNeverWinTheSameClaimOrLeaseTheSameJob"))
        func childProcess() async throws {
            let environment = ProcessInfo.processInfo.environment
            let path = try #require(environment["VIGIL_SQLITE_CHILD_DB"])
            let milliseconds = try #require(environment["VIGIL_SQLITE_CHILD_NOW_MS"].flatMap { Int64($0) })
            let now: @Sendable () -> Date = { Date(timeIntervalSince1970: Double(milliseconds) / 1_000) }
            let me = try TwoProcessParticipant(path: path, now: now)
            try ChildProcess.writeAll(4, Array("R".utf8))
            var round = 0
            while true {
                var command: UInt8 = 0
                try #require(Glibc.read(3, &command, 1) == 1, "the parent went away")
                switch command {
                case UInt8(ascii: "c"):
                    try await me.claimRound(round)
                    round += 1
                    try ChildProcess.writeAll(4, [0])
                case UInt8(ascii: "l"):
                    let leased = try await me.leaseRound()
                    try ChildProcess.writeAll(4, [UInt8(leased)])
                default:
                    await me.close()
                    try ChildProcess.writeAll(4, Array(try JSONEncoder().encode(me.result)))
                    close(4)
                    return
                }
            }
        }
    }

    /// A re-execution of this test binary running only the child worker, with pipes on fds 3 and 4.
    final class ChildProcess: @unchecked Sendable {
        let pid: pid_t
        private let commandWrite: Int32
        private let resultRead: Int32
        private var reaped = false
        private let lock = NSLock()

        private init(pid: pid_t, commandWrite: Int32, resultRead: Int32) {
            self.pid = pid
            self.commandWrite = commandWrite
            self.resultRead = resultRead
        }

        static func spawn(environment extra: [String: String]) throws -> ChildProcess {
            let commands = try pipe(), result = try pipe()
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, commands.read, 3)  // dup2 clears close-on-exec
            posix_spawn_file_actions_adddup2(&actions, result.write, 4)
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var empty = sigset_t(), defaults = sigset_t()
            sigemptyset(&empty)
            sigemptyset(&defaults)
            sigaddset(&defaults, SIGTERM)
            sigaddset(&defaults, SIGPIPE)
            posix_spawnattr_setsigmask(&attributes, &empty)
            posix_spawnattr_setsigdefault(&attributes, &defaults)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

            let executable = "/proc/self/exe"
            let arguments = [executable, "--testing-library", "swift-testing", "--filter", "TwoProcessChildWorker"]
            var environment = ProcessInfo.processInfo.environment
            for (key, value) in extra { environment[key] = value }
            let argv = arguments.map { strdup($0) } + [nil]
            let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer {
                argv.forEach { free($0) }
                envp.forEach { free($0) }
            }
            var pid: pid_t = 0
            let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
            Glibc.close(commands.read)
            Glibc.close(result.write)
            guard rc == 0 else {
                Glibc.close(commands.write)
                Glibc.close(result.read)
                throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO)
            }
            return ChildProcess(pid: pid, commandWrite: commands.write, resultRead: result.read)
        }

        /// Sends a one-byte command to the child.
        func send(_ command: Character) throws {
            try Self.writeAll(commandWrite, [command.asciiValue ?? 0])
        }

        /// Reads exactly `count` bytes (fewer at end of file), waiting at most `timeout` seconds in all.
        func read(count: Int, timeout: Double) async throws -> [UInt8] {
            try await Self.offThePool { [resultRead] in try Self.read(resultRead, upTo: count, timeout: timeout) }
        }

        /// Reads until the child closes its end, waiting at most `timeout` seconds in all.
        func readToEnd(timeout: Double) async throws -> [UInt8] {
            try await Self.offThePool { [resultRead] in try Self.read(resultRead, upTo: .max, timeout: timeout) }
        }

        /// Waits for the child to exit; returns its exit status (or 128 + signal). SIGKILLs it after `timeout`.
        func wait(timeout: Double) async throws -> Int32 {
            try await Self.offThePool { [self] in
                let deadline = Date().addingTimeInterval(timeout)
                var status: Int32 = 0
                while true {
                    let rc = waitpid(pid, &status, WNOHANG)
                    if rc == pid {
                        lock.withLock { reaped = true }
                        let signal = status & 0x7f
                        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
                    }
                    if rc < 0 { throw POSIXError(.ECHILD) }
                    if Date() >= deadline { killAndReap(); throw POSIXError(.ETIMEDOUT) }
                    // Bounded wait for a process exit (not a stand-in for time passing in the code under test).
                    var pause = timespec(tv_sec: 0, tv_nsec: 5_000_000)
                    nanosleep(&pause, nil)
                }
            }
        }

        /// Kills the child if it is still running and reaps it; closes the pipes. Idempotent.
        func killAndReap() {
            let alreadyReaped = lock.withLock { () -> Bool in
                defer { reaped = true }
                return reaped
            }
            Glibc.close(resultRead)
            Glibc.close(commandWrite)
            guard !alreadyReaped else { return }
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }

        static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
                }
                offset += written
            }
        }

        private static func pipe() throws -> (read: Int32, write: Int32) {
            var fds: [Int32] = [0, 0]
            guard Glibc.pipe(&fds) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            // Close-on-exec, so only the dup2'ed copies reach the child. (Other tests do not spawn
            // processes, so no exec can slip in between `pipe` and `fcntl`.)
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            return (fds[0], fds[1])
        }

        private static func read(_ fd: Int32, upTo count: Int, timeout: Double) throws -> [UInt8] {
            let deadline = Date().addingTimeInterval(timeout)
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4_096)
            while bytes.count < count {
                let remaining = deadline.timeIntervalSinceNow
                guard remaining > 0 else { throw POSIXError(.ETIMEDOUT) }
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&poller, 1, Int32(remaining * 1_000) + 1)
                if ready < 0, errno == EINTR { continue }
                guard ready > 0 else { continue }
                let wanted = min(buffer.count, count - bytes.count)
                let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, wanted) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
                }
                if n == 0 { break }  // end of file
                bytes += buffer[0..<n]
            }
            return bytes
        }

        /// Runs blocking I/O on a Dispatch thread, not on Swift's cooperative pool.
        private static func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
            try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
            }
        }
    }
#endif
