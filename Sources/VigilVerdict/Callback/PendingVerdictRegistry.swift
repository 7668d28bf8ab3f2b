import Foundation
import VigilModels

/// A request whose verdict will arrive by callback, with the time Vigil stops waiting for it.
public struct PendingVerdict: Sendable, Hashable, Codable {
    /// The request that was sent.
    public let request: ComplianceRequest
    /// When Vigil stops waiting.
    public let expiresAt: Date

    /// Creates an entry (for store implementations).
    public init(request: ComplianceRequest, expiresAt: Date) {
        self.request = request
        self.expiresAt = expiresAt
    }
}

/// Where the requests awaiting a verdict by callback are kept, keyed by recording id, each with an
/// expiry.
///
/// ``ComplianceEvaluator`` registers a request **before** it calls the engine (so a fast callback
/// cannot arrive before the registration) and removes it again when the engine answers at once or
/// fails. ``VerdictCallbackReceiver`` looks the request up to validate the callback and removes it
/// when the verdict is handed over: a second verdict for the same recording is then "not awaiting
/// one" and is rejected.
///
/// ``PendingVerdictRegistry`` keeps them in memory (one machine). A host whose engine may post its
/// callback to another machine than the one that sent the request shares a store: `VigilSQLite`'s
/// `SQLitePendingVerdictStore` (processes on one machine), `VigilPostgres`'s `PostgresPendingVerdictStore`
/// (many machines), or its own.
///
/// ## Contract
///
/// - Expiry is derived from the stored `expiresAt` against the store's injected wall clock: an entry
///   past it is treated as absent.
/// - ``remove(_:correlationId:)`` is **atomic**: of two concurrent removals of the same live entry,
///   exactly one returns it. It removes only the entry whose request carries `correlationId`, so a
///   stale callback cannot consume a newer request.
/// - Failures throw (any `Error`); the receiver answers `503` so the engine delivers again.
public protocol PendingVerdictStore: Sendable {
    /// Registers (or replaces) the pending request for its recording.
    func register(_ request: ComplianceRequest, expiresAt: Date) async throws
    /// The pending entry for `recordingId`, if one is registered and not expired.
    func entry(for recordingId: GenesysID) async throws -> PendingVerdict?
    /// Removes and returns the live entry for `recordingId` when it is the one for `correlationId`;
    /// `nil` when there is none (or another caller removed it first).
    @discardableResult
    func remove(_ recordingId: GenesysID, correlationId: CorrelationID) async throws -> PendingVerdict?
}

/// The in-memory ``PendingVerdictStore``: requests awaiting a verdict in this process.
///
/// Expiry uses the injected wall clock: an entry past its `expiresAt` is treated as absent and purged
/// on access.
public actor PendingVerdictRegistry: PendingVerdictStore {
    /// A request waiting for its verdict.
    public typealias Entry = PendingVerdict

    private let now: @Sendable () -> Date
    private var entries: [GenesysID: Entry] = [:]
    private var lastPurge: Date = .distantPast

    /// Creates an empty registry.
    ///
    /// - Parameter now: the time source for expiry.
    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
    }

    /// Registers (or replaces) the pending request for its recording.
    ///
    /// - Parameters:
    ///   - request: the request sent to the engine.
    ///   - expiresAt: when to stop waiting for its verdict.
    public func register(_ request: ComplianceRequest, expiresAt: Date) {
        purgeIfDue()
        entries[request.recordingId] = Entry(request: request, expiresAt: expiresAt)
    }

    /// The pending entry for `recordingId`, if one is registered and not expired.
    public func entry(for recordingId: GenesysID) -> Entry? {
        guard let entry = entries[recordingId] else { return nil }
        guard entry.expiresAt > now() else {
            entries[recordingId] = nil
            return nil
        }
        return entry
    }

    /// Removes and returns the pending entry for `recordingId` — but only when it is still the one
    /// for `correlationId`, so a stale callback cannot consume a newer request.
    @discardableResult
    public func remove(_ recordingId: GenesysID, correlationId: CorrelationID) -> Entry? {
        guard let entry = entries[recordingId], entry.request.correlationId == correlationId else { return nil }
        entries[recordingId] = nil
        return entry
    }

    /// The number of live (unexpired) entries.
    public var count: Int {
        purge()
        return entries.count
    }

    /// Drops every expired entry.
    public func purge() {
        let now = self.now()
        entries = entries.filter { $0.value.expiresAt > now }
        lastPurge = now
    }

    private func purgeIfDue() {
        if now().timeIntervalSince(lastPurge) >= 60 { purge() }
    }
}

/// Remembers the `webhook-id`s of accepted callbacks, so a replayed delivery is refused.
///
/// A host with several receiving machines implements it over a shared store (an insert-if-absent
/// with a time to live).
public protocol DeliveryIDStore: Sendable {
    /// Records `id` until `until`; returns `false` when it was already recorded (a replay).
    func insertIfAbsent(_ id: String, until: Date) async throws -> Bool
    /// Forgets `id` (the delivery could not be handled; a retry must be accepted).
    func remove(_ id: String) async throws
}

/// An in-memory ``DeliveryIDStore`` with expiry on an injected wall clock.
public actor InMemoryDeliveryIDStore: DeliveryIDStore {
    private let now: @Sendable () -> Date
    private var ids: [String: Date] = [:]
    private var lastPurge: Date = .distantPast

    /// Creates an empty store.
    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
    }

    /// Records `id` until `until`; `false` when it is already recorded and not expired.
    public func insertIfAbsent(_ id: String, until: Date) -> Bool {
        let now = self.now()
        if now.timeIntervalSince(lastPurge) >= 60 {
            ids = ids.filter { $0.value > now }
            lastPurge = now
        }
        if let expiry = ids[id], expiry > now { return false }
        ids[id] = until
        return true
    }

    /// Forgets `id`.
    public func remove(_ id: String) {
        ids[id] = nil
    }

    /// How many ids are remembered (expired ones included until the next purge).
    public var count: Int { ids.count }
}
