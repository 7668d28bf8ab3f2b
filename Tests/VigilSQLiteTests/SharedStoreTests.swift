import Foundation
import Testing
import VigilCore
import VigilModels
import VigilRemediation
import VigilTesting
import VigilVerdict

@testable import VigilSQLite

@Suite("SQLite shared stores: pending verdicts, callback delivery ids, dead letters")
struct SharedStoreTests {
    @Test func callbackStoresConform() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("vigil.sqlite")
        try await CallbackStoreConformance.run(
            makePending: { now in try SQLitePendingVerdictStore(path: path, now: now) },
            makeDeliveryIDs: { now in try SQLiteDeliveryIDStore(path: path, now: now) },
            clock: TestClock())
    }

    /// The suite must catch a store that is not atomic: one that reads, then deletes.
    @Test func theSuiteCatchesARemoveThatIsNotAtomic() async throws {
        let clock = TestClock()
        await #expect(throws: ConformanceFailure.self) {
            try await CallbackStoreConformance.run(
                makePending: { now in ReadThenDeletePendingStore(now: now) },
                makeDeliveryIDs: { now in InMemoryDeliveryIDStore(now: now) },
                clock: clock, properties: [.pendingRemoveExactlyOnce])
        }
    }

    /// A request registered by one process is found and consumed by another that shares the file: the
    /// engine's callback may land on either.
    @Test func aCallbackRegisteredByOneProcessIsConsumedByAnother() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("vigil.sqlite")
        let clock = TestClock()
        let sender = try SQLitePendingVerdictStore(path: path, now: clock.wall)
        let receiver = try SQLitePendingVerdictStore(path: path, now: clock.wall)
        let request = CallbackStoreConformance.request(clock: clock)
        try await sender.register(request, expiresAt: clock.wallNow.addingTimeInterval(600))
        #expect(try await receiver.entry(for: request.recordingId)?.request.correlationId == request.correlationId)
        #expect(try await receiver.remove(request.recordingId, correlationId: request.correlationId) != nil)
        #expect(try await sender.entry(for: request.recordingId) == nil)

        let idsA = try SQLiteDeliveryIDStore(path: path, now: clock.wall)
        let idsB = try SQLiteDeliveryIDStore(path: path, now: clock.wall)
        #expect(try await idsA.insertIfAbsent("msg_1", until: clock.wallNow.addingTimeInterval(300)))
        #expect(try await idsB.insertIfAbsent("msg_1", until: clock.wallNow.addingTimeInterval(300)) == false)
    }

    @Test func deadLettersAreKeptWithTheirReasonAcrossReopening() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("vigil.sqlite")
        let letter = RemediationDeadLetter(
            flowName: "CompliancePipeline", blockId: "engine", action: "evaluate",
            conversationId: GenesysID(UUID()), recordingId: GenesysID(UUID()), correlationId: CorrelationID("evt-1")!,
            errorCode: "engine.rejected", reason: "the engine refused the request (422)", attempts: 3,
            occurredAt: Date(timeIntervalSince1970: 1_790_000_000.123))
        var sink: SQLiteDeadLetterSink? = try SQLiteDeadLetterSink(path: path)
        try await sink?.deadLetter(letter)
        await sink?.close()
        sink = nil
        let reopened = try SQLiteDeadLetterSink(path: path)
        #expect(try await reopened.letters() == [letter])
    }

    @Test func aVersion1FileIsMigratedInPlace() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("vigil.sqlite")
        let queue = try SQLiteJobQueue<String>(path: path)
        try await queue.enqueue("kept")
        await queue.close()
        // Roll the file back to version 1, as an earlier Vigil left it.
        let connection = try SQLiteConnection(path: path, configuration: .default)
        try connection.execute(
            """
            DROP TABLE vigil_pending_verdicts; DROP TABLE vigil_delivery_ids; DROP TABLE vigil_remediation_dead_letters;
            PRAGMA user_version = 1;
            """, operation: "roll back")
        connection.close()
        let clock = TestClock()
        let store = try SQLitePendingVerdictStore(path: path, now: clock.wall)
        let request = CallbackStoreConformance.request(clock: clock)
        try await store.register(request, expiresAt: clock.wallNow.addingTimeInterval(60))
        #expect(try await store.entry(for: request.recordingId) != nil)
        let reopened = try SQLiteJobQueue<String>(path: path)
        #expect(try await reopened.lease(max: 5, for: .seconds(10)).map(\.job) == ["kept"])
    }
}

/// Looks up, yields, then deletes: two callers can both "remove" the same entry.
private actor ReadThenDeletePendingStore: PendingVerdictStore {
    let now: @Sendable () -> Date
    var entries: [GenesysID: PendingVerdict] = [:]
    init(now: @escaping @Sendable () -> Date) { self.now = now }
    func register(_ request: ComplianceRequest, expiresAt: Date) {
        entries[request.recordingId] = PendingVerdict(request: request, expiresAt: expiresAt)
    }
    func entry(for recordingId: GenesysID) -> PendingVerdict? { entries[recordingId].flatMap { $0.expiresAt > now() ? $0 : nil } }
    func remove(_ recordingId: GenesysID, correlationId: CorrelationID) async -> PendingVerdict? {
        guard let found = entry(for: recordingId), found.request.correlationId == correlationId else { return nil }
        await Task.yield()
        entries[recordingId] = nil
        return found
    }
}
