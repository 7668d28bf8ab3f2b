import Foundation
import VigilModels
import VigilVerdict

/// A conformance suite for `PendingVerdictStore` and `DeliveryIDStore` implementations — the two
/// stores that let an asynchronous engine's callback land on any machine. Run it from a host's tests
/// against its shared store (`VigilSQLite` and `VigilPostgres` run it against theirs).
///
/// Plain async code: returns when every property holds, throws a ``ConformanceFailure`` naming the
/// first that does not. The stores must take their time from `now` (``TestClock/wall``); the suite
/// moves it with ``TestClock/advance(by:)`` and never sleeps. Ids are unique per run, so one store
/// may serve every property.
///
/// ```swift
/// try await CallbackStoreConformance.run(makePending: { now in try PostgresPendingVerdictStore(client: client, now: now) },
///                                        makeDeliveryIDs: { now in try PostgresDeliveryIDStore(client: client, now: now) },
///                                        clock: TestClock())
/// ```
public enum CallbackStoreConformance {
    /// The properties the suite checks, in order.
    public enum Property: String, CaseIterable, Sendable {
        /// A registered request reads back unchanged (ids, media link, metadata) until it expires, and
        /// not from `expiresAt` on; registering again replaces it.
        case pendingRegisterReadExpire
        /// `remove` with another correlation id leaves the entry; with its own it returns the entry once,
        /// after which the recording is not awaited.
        case pendingRemoveMatchesCorrelation
        /// Many concurrent removals of one live entry: exactly one returns it.
        case pendingRemoveExactlyOnce
        /// An id is fresh once, then a replay until `until`; from then on it is fresh again; `remove`
        /// makes it fresh at once.
        case deliveryIDsInsertOnceExpireRemove
        /// Many concurrent inserts of one id: exactly one is fresh.
        case deliveryIDsExactlyOnce
    }

    /// Runs the suite.
    ///
    /// - Parameters:
    ///   - makePending: creates (or connects to) the pending-verdict store under test.
    ///   - makeDeliveryIDs: creates (or connects to) the delivery-id store under test.
    ///   - clock: the clock the suite advances.
    ///   - properties: which properties to check (default all).
    ///   - concurrency: how many callers race in the exactly-once properties. Default 64.
    /// - Throws: ``ConformanceFailure`` for the first property that does not hold.
    public static func run(
        makePending: (_ now: @escaping @Sendable () -> Date) async throws -> any PendingVerdictStore,
        makeDeliveryIDs: (_ now: @escaping @Sendable () -> Date) async throws -> any DeliveryIDStore,
        clock: TestClock,
        properties: [Property] = Property.allCases,
        concurrency: Int = 64
    ) async throws {
        let runID = UUID().uuidString.prefix(8).lowercased()
        for property in properties {
            let check = PropertyCheck(suite: "CallbackStoreConformance", property: property.rawValue)
            try await check.run {
                switch property {
                case .pendingRegisterReadExpire:
                    try await pendingRegisterReadExpire(try await makePending(clock.wall), clock: clock, check: check)
                case .pendingRemoveMatchesCorrelation:
                    try await pendingRemoveMatchesCorrelation(try await makePending(clock.wall), clock: clock, check: check)
                case .pendingRemoveExactlyOnce:
                    try await pendingRemoveExactlyOnce(
                        try await makePending(clock.wall), clock: clock,
                        concurrency: concurrency, check: check)
                case .deliveryIDsInsertOnceExpireRemove:
                    try await deliveryIDsInsertOnceExpireRemove(
                        try await makeDeliveryIDs(clock.wall), id: "msg_\(runID)_a",
                        clock: clock, check: check)
                case .deliveryIDsExactlyOnce:
                    try await deliveryIDsExactlyOnce(
                        try await makeDeliveryIDs(clock.wall), id: "msg_\(runID)_b",
                        clock: clock, concurrency: concurrency, check: check)
                }
            }
        }
    }

    /// A request for a fresh recording id, sent now (a sample for a host's own store tests).
    public static func request(clock: TestClock, correlation: String = "evt-conformance-1") -> ComplianceRequest {
        let now = clock.wallNow
        return ComplianceRequest(
            correlationId: CorrelationID(correlation)!, recordingId: GenesysID(UUID()), conversationId: GenesysID(UUID()),
            media: MediaLink(
                uri: PresignedURL(string: "https://media.example.com/rec.wav?X-Amz-Signature=abc")!,
                expiresAt: now.addingTimeInterval(1_800), format: .wav),
            metadata: ComplianceRequestMetadata(channel: .voice, direction: .inbound, durationMs: 312_000, language: "en-US"),
            requestedAt: now)
    }

    private static func same(_ a: ComplianceRequest, _ b: ComplianceRequest) -> Bool {
        a.recordingId == b.recordingId && a.correlationId == b.correlationId && a.conversationId == b.conversationId
            && a.media.uri == b.media.uri && a.media.expiresAt.isClose(to: b.media.expiresAt)
            && a.metadata == b.metadata && a.requestedAt.isClose(to: b.requestedAt)
    }

    private static func pendingRegisterReadExpire(
        _ store: any PendingVerdictStore, clock: TestClock,
        check: PropertyCheck
    ) async throws {
        let first = request(clock: clock)
        let expiresAt = clock.wallNow.addingTimeInterval(60)
        try await store.register(first, expiresAt: expiresAt)
        guard let entry = try await store.entry(for: first.recordingId) else { throw check.fail("a registered request is not found") }
        try check.require(same(entry.request, first), "the stored request differs from the registered one")
        try check.require(entry.expiresAt.isClose(to: expiresAt), "expiresAt changed: \(entry.expiresAt) ≠ \(expiresAt)")
        var second = first
        second.correlationId = CorrelationID("evt-conformance-2")!
        try await store.register(second, expiresAt: expiresAt)
        try check.require(
            try await store.entry(for: first.recordingId)?.request.correlationId == second.correlationId,
            "registering again must replace the entry")
        clock.advance(by: .seconds(59))
        try check.require(try await store.entry(for: first.recordingId) != nil, "an entry must live until expiresAt")
        clock.advance(by: .seconds(1))
        try check.require(try await store.entry(for: first.recordingId) == nil, "an entry must be absent from expiresAt on")
        try check.require(
            try await store.remove(first.recordingId, correlationId: second.correlationId) == nil,
            "an expired entry must not be removable")
    }

    private static func pendingRemoveMatchesCorrelation(
        _ store: any PendingVerdictStore, clock: TestClock,
        check: PropertyCheck
    ) async throws {
        let pending = request(clock: clock)
        try await store.register(pending, expiresAt: clock.wallNow.addingTimeInterval(600))
        try check.require(
            try await store.remove(pending.recordingId, correlationId: CorrelationID("evt-stale")!) == nil,
            "a stale correlation id removed the entry")
        try check.require(try await store.entry(for: pending.recordingId) != nil, "a stale removal must leave the entry")
        let removed = try await store.remove(pending.recordingId, correlationId: pending.correlationId)
        try check.require(removed.map { same($0.request, pending) } == true, "remove must return the entry")
        try check.require(
            try await store.remove(pending.recordingId, correlationId: pending.correlationId) == nil,
            "a second removal returned the entry again")
        try check.require(try await store.entry(for: pending.recordingId) == nil, "a removed recording is still awaited")
    }

    private static func pendingRemoveExactlyOnce(
        _ store: any PendingVerdictStore, clock: TestClock, concurrency: Int,
        check: PropertyCheck
    ) async throws {
        let pending = request(clock: clock)
        try await store.register(pending, expiresAt: clock.wallNow.addingTimeInterval(600))
        let winners = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<concurrency {
                group.addTask { try await store.remove(pending.recordingId, correlationId: pending.correlationId) == nil ? 0 : 1 }
            }
            return try await group.reduce(0, +)
        }
        try check.require(winners == 1, "\(winners) of \(concurrency) concurrent removals got the entry; exactly one must")
    }

    private static func deliveryIDsInsertOnceExpireRemove(
        _ store: any DeliveryIDStore, id: String, clock: TestClock,
        check: PropertyCheck
    ) async throws {
        let until = clock.wallNow.addingTimeInterval(300)
        try check.require(try await store.insertIfAbsent(id, until: until), "a new id must be fresh")
        try check.require(try await store.insertIfAbsent(id, until: until) == false, "a second insert must be a replay")
        try check.require(try await store.insertIfAbsent(id + "-other", until: until), "ids must be independent")
        clock.advance(by: .seconds(299))
        try check.require(try await store.insertIfAbsent(id, until: until) == false, "an id must be remembered until `until`")
        clock.advance(by: .seconds(1))
        try check.require(
            try await store.insertIfAbsent(id, until: clock.wallNow.addingTimeInterval(300)),
            "an expired id must be fresh again")
        try await store.remove(id)
        try check.require(
            try await store.insertIfAbsent(id, until: clock.wallNow.addingTimeInterval(300)),
            "a removed id must be fresh again")
    }

    private static func deliveryIDsExactlyOnce(
        _ store: any DeliveryIDStore, id: String, clock: TestClock,
        concurrency: Int, check: PropertyCheck
    ) async throws {
        let until = clock.wallNow.addingTimeInterval(3_600)
        let fresh = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<concurrency {
                group.addTask { try await store.insertIfAbsent(id, until: until) ? 1 : 0 }
            }
            return try await group.reduce(0, +)
        }
        try check.require(fresh == 1, "\(fresh) of \(concurrency) concurrent inserts were fresh; exactly one must be")
    }
}
