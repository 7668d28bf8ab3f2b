import Foundation
import Logging
import PostgresNIO
import _ConnectionPoolModule

/// One `LISTEN` connection per queue instance, shared by all of its idle workers.
///
/// The listener runs in a background task from the first ``wait(timeout:sleep:)`` (or ``start()``)
/// until ``stop()``: it leases one connection from the host's pool, `LISTEN`s on the channel and wakes
/// every waiter when a notification for this queue arrives. When the connection fails it reconnects
/// with a capped backoff, and wakes every waiter once it is listening again, since notifications sent
/// while it was away are lost. It stops for good when the pool shuts down.
final class ArrivalListener: @unchecked Sendable {
    private enum Waiter {
        case registered
        case suspended(CheckedContinuation<Void, Never>)
        case finished
    }

    let channel: String
    let queueName: String
    private let client: PostgresClient
    private let logger: Logger
    /// How often the listening connection is checked with `SELECT 1`.
    let pingInterval: Duration

    private let lock = NSLock()
    private var waiters: [UInt64: Waiter] = [:]
    private var nextID: UInt64 = 0
    private var task: Task<Void, Never>?
    private var stopped = false
    private var listening = false
    private var finished = false

    init(
        client: PostgresClient, channel: String, queueName: String, logger: Logger,
        pingInterval: Duration = .seconds(30)
    ) {
        self.client = client
        self.pingInterval = pingInterval
        self.channel = channel
        self.queueName = queueName
        self.logger = logger
    }

    /// Whether the `LISTEN` is active right now.
    var isListening: Bool { lock.withLock { listening } }

    /// Whether the background task has ended (the pool shut down, or ``stop()``) — for tests.
    var hasFinished: Bool { lock.withLock { finished } }

    /// How many callers are waiting right now (for tests).
    var waiterCount: Int { lock.withLock { waiters.count } }

    /// Starts the background listener if it is not running.
    func start() {
        lock.withLock {
            guard task == nil, !stopped else { return }
            task = Task { await self.run() }
        }
    }

    /// Stops the listener for good and wakes every waiter.
    func stop() {
        let running: Task<Void, Never>? = lock.withLock {
            stopped = true
            defer { task = nil }
            return task
        }
        running?.cancel()
        wakeAll()
    }

    /// Returns on a notification for this queue, after `timeout`, or when the calling task is cancelled.
    func wait(timeout: Duration, sleep: @escaping @Sendable (Duration) async throws -> Void) async {
        guard timeout > .zero, !Task.isCancelled else { return }
        start()
        let id: UInt64 = lock.withLock {
            nextID += 1
            waiters[nextID] = .registered
            return nextID
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.suspend(id) }
            group.addTask { try? await sleep(timeout) }
            await group.next()
            group.cancelAll()
            self.finish(id)
        }
        _ = lock.withLock { waiters.removeValue(forKey: id) }
    }

    // MARK: - Waiters

    private func suspend(_ id: UInt64) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow: Bool = lock.withLock {
                    guard case .registered = waiters[id] else { return true }
                    waiters[id] = .suspended(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            self.finish(id)
        }
    }

    private func finish(_ id: UInt64) {
        let continuation: CheckedContinuation<Void, Never>? = lock.withLock {
            guard let waiter = waiters[id] else { return nil }
            waiters[id] = .finished
            if case .suspended(let continuation) = waiter { return continuation }
            return nil
        }
        continuation?.resume()
    }

    func wakeAll() {
        let continuations: [CheckedContinuation<Void, Never>] = lock.withLock {
            var woken: [CheckedContinuation<Void, Never>] = []
            for (id, waiter) in waiters {
                if case .suspended(let continuation) = waiter { woken.append(continuation) }
                waiters[id] = .finished
            }
            return woken
        }
        for continuation in continuations { continuation.resume() }
    }

    // MARK: - The listening connection

    private func setListening(_ value: Bool) {
        lock.withLock { listening = value }
    }

    private func run() async {
        var failures = 0
        while !Task.isCancelled {
            var connected = false
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: self.channel) { notifications in
                        connected = true
                        self.setListening(true)
                        self.wakeAll()  // anything sent while we were not listening was lost
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask {
                                for try await notification in notifications where notification.payload == self.queueName {
                                    self.wakeAll()
                                }
                                throw ListenerEnded()
                            }
                            // A leased connection gets no keep-alive from the pool: ping it, so a
                            // connection that died silently (a NAT or proxy dropped it) is noticed.
                            group.addTask {
                                while true {
                                    try await Task.sleep(for: self.pingInterval)
                                    try await connection.run("SELECT 1", logger: self.logger)
                                }
                            }
                            _ = try await group.next()
                            group.cancelAll()
                        }
                    }
                }
            } catch let error as PSQLError where error.code == .poolClosed {
                break
            } catch let error as ConnectionPoolError where error == .poolShutdown {
                break  // postgres-nio 1.33 throws this one unmapped
            } catch {
                logger.debug(
                    "vigil.postgres: LISTEN connection failed; reconnecting",
                    metadata: ["cause": "\(Database.cause(error))"])
            }
            setListening(false)
            if Task.isCancelled { break }
            failures = connected ? 1 : failures + 1
            // Real time on purpose: this waits for the server to come back, not for a job.
            let backoff = Duration.milliseconds(min(5_000, 50 << min(failures, 7)))
            try? await Task.sleep(for: backoff)
        }
        lock.withLock {
            listening = false
            finished = true
        }
        wakeAll()
    }
}

/// The notification stream finished: the connection is gone, so listen again.
private struct ListenerEnded: Error {}
