import Foundation
import ServiceLifecycle
import VigilCore
import VigilIdempotency
import VigilModels
import VigilRemediation
import VigilSQLite
import VigilVerdict

/// One named readiness check: a cheap call that succeeds when the backend is reachable.
public struct ReadinessProbe: Sendable {
    /// `store`, `queue`…
    public let name: String
    /// Throws when the backend is not reachable.
    public let check: @Sendable () async throws -> Void

    /// Creates a probe.
    public init(name: String, check: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.check = check
    }
}

/// Everything the service keeps outside the process: with several `vigil-service` processes on one
/// SQLite file or one PostgreSQL database, all of it is shared (nothing process-local), so a delivery,
/// a job, a pending verdict, a callback id or a dead letter is the same for every process.
public struct ServiceStorage: Sendable {
    /// Idempotency claims (receiver, pipeline, remediation executor).
    public var idempotency: any IdempotencyStore
    /// The recording job queue.
    public var queue: any JobQueue<RecordingJob>
    /// Requests awaiting an asynchronous engine's callback.
    public var pendingVerdicts: any PendingVerdictStore
    /// Accepted callback `webhook-id`s (replay protection).
    public var deliveryIDs: any DeliveryIDStore
    /// Recordings that could not be evaluated or remediated.
    public var deadLetters: any DeadLetterSink
    /// Jobs waiting or leased (the `vigil_queue_depth` gauge).
    public var queueDepth: @Sendable () async throws -> Int
    /// Jobs the queue dead-lettered after too many deliveries (the `vigil_queue_dead_letters` gauge).
    public var queueDeadLetters: @Sendable () async throws -> Int
    /// Reachability checks for `/readyz`.
    public var probes: [ReadinessProbe]
    /// Services the backend needs running (a PostgreSQL client's `run()`).
    public var services: [any Service]
    /// Deliveries per job before the queue dead-letters it.
    public var maxDeliveries: Int
    /// Human-readable description (no credentials).
    public var label: String
    /// Closes connections.
    public var close: @Sendable () async -> Void

    /// Creates storage from parts (a host's own backend).
    public init(
        idempotency: any IdempotencyStore, queue: any JobQueue<RecordingJob>, pendingVerdicts: any PendingVerdictStore,
        deliveryIDs: any DeliveryIDStore, deadLetters: any DeadLetterSink,
        queueDepth: @escaping @Sendable () async throws -> Int,
        queueDeadLetters: @escaping @Sendable () async throws -> Int = { 0 },
        probes: [ReadinessProbe], services: [any Service] = [],
        maxDeliveries: Int, label: String, close: @escaping @Sendable () async -> Void = {}
    ) {
        self.idempotency = idempotency
        self.queue = queue
        self.pendingVerdicts = pendingVerdicts
        self.deliveryIDs = deliveryIDs
        self.deadLetters = deadLetters
        self.queueDepth = queueDepth
        self.queueDeadLetters = queueDeadLetters
        self.probes = probes
        self.services = services
        self.maxDeliveries = maxDeliveries
        self.label = label
        self.close = close
    }

    /// The embedded default: every store in one SQLite file (WAL), shareable by processes on one
    /// machine. The file's directory is created when missing.
    public static func sqlite(path: String, maxDeliveries: Int = 10, now: @escaping @Sendable () -> Date = { Date() }) throws -> ServiceStorage {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let store = try SQLiteIdempotencyStore(path: path, now: now)
        let queue = try SQLiteJobQueue<RecordingJob>(path: path, name: "recordings", maxDeliveries: maxDeliveries, now: now)
        let pending = try SQLitePendingVerdictStore(path: path, now: now)
        let deliveryIDs = try SQLiteDeliveryIDStore(path: path, now: now)
        let sink = try SQLiteDeadLetterSink(path: path)
        return ServiceStorage(
            idempotency: store, queue: queue, pendingVerdicts: pending, deliveryIDs: deliveryIDs, deadLetters: sink,
            queueDepth: { try await queue.pendingCount() },
            queueDeadLetters: { try await queue.deadLetters().count },
            probes: [
                ReadinessProbe(name: "store") { _ = try await store.count() },
                ReadinessProbe(name: "queue") { _ = try await queue.pendingCount() }
            ],
            maxDeliveries: maxDeliveries, label: "sqlite:\(path)",
            close: {
                await queue.close()
                await store.close()
                await pending.close()
                await deliveryIDs.close()
                await sink.close()
            })
    }
}
