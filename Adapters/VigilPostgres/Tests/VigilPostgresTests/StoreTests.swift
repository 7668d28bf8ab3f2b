import Foundation
import PostgresNIO
import Testing
import VigilModels
import VigilPostgres
import VigilRemediation
import VigilTesting
import VigilVerdict

extension PostgresTests {
    @Suite struct PendingVerdicts {
        static func request(
            clock: TestClock, recordingId: GenesysID = GenesysID(UUID()),
            correlationId: CorrelationID = .random()
        ) -> ComplianceRequest {
            ComplianceRequest(
                correlationId: correlationId, recordingId: recordingId, conversationId: GenesysID(UUID()),
                media: MediaLink(
                    uri: PresignedURL(string: "https://media.example.com/rec.wav?X-Amz-Signature=abc")!,
                    expiresAt: clock.wallNow.addingTimeInterval(1_800), format: .wav),
                metadata: ComplianceRequestMetadata(
                    channel: .voice, direction: .inbound, durationMs: 312_000,
                    language: "en-US"),
                requestedAt: clock.wallNow)
        }

        @Test func registerLookUpAndRemoveExactlyOnce() async throws {
            try await TestServer.withClient { first in
                try await TestServer.withClient { second in
                    let clock = TestClock()
                    let stores = [
                        PostgresPendingVerdictStore(client: first, now: clock.wall),
                        PostgresPendingVerdictStore(client: second, now: clock.wall)
                    ]
                    let request = Self.request(clock: clock)
                    let expiry = clock.wallNow.addingTimeInterval(600)
                    try await stores[0].register(request, expiresAt: expiry)
                    let found = try await stores[1].entry(for: request.recordingId)
                    #expect(found == PendingVerdict(request: request, expiresAt: expiry), "the request round-trips")

                    // A stale callback (another correlation id) removes nothing.
                    #expect(try await stores[1].remove(request.recordingId, correlationId: .random()) == nil)
                    #expect(try await stores[0].entry(for: request.recordingId) != nil)

                    // 40 concurrent removals over two pools: exactly one gets the entry.
                    let removed = try await withThrowingTaskGroup(of: Bool.self, returning: Int.self) { group in
                        for n in 0..<40 {
                            group.addTask {
                                try await stores[n % 2].remove(request.recordingId, correlationId: request.correlationId) != nil
                            }
                        }
                        var count = 0
                        for try await got in group where got { count += 1 }
                        return count
                    }
                    #expect(removed == 1)
                    #expect(try await stores[0].entry(for: request.recordingId) == nil)
                }
            }
        }

        @Test func expiryAndReplacementFollowTheInjectedClock() async throws {
            try await TestServer.withClient { client in
                let clock = TestClock()
                let store = PostgresPendingVerdictStore(client: client, now: clock.wall)
                let recording = GenesysID(UUID())
                let older = Self.request(clock: clock, recordingId: recording)
                try await store.register(older, expiresAt: clock.wallNow.addingTimeInterval(60))
                let newer = Self.request(clock: clock, recordingId: recording)
                try await store.register(newer, expiresAt: clock.wallNow.addingTimeInterval(60))
                #expect(
                    try await store.remove(recording, correlationId: older.correlationId) == nil,
                    "the replaced request cannot be consumed")
                #expect(try await store.entry(for: recording)?.request == newer)
                clock.advance(by: .seconds(59))
                #expect(try await store.entry(for: recording) != nil)
                clock.advance(by: .seconds(1))
                #expect(try await store.entry(for: recording) == nil, "an entry at its expiry is absent")
                #expect(try await store.remove(recording, correlationId: newer.correlationId) == nil)
                #expect(try await store.purgeExpired() >= 1)
            }
        }
    }

    @Suite struct DeliveryIDs {
        @Test func insertIfAbsentIsExactlyOnceAndExpires() async throws {
            try await TestServer.withClient { first in
                try await TestServer.withClient { second in
                    let clock = TestClock()
                    let stores = [
                        PostgresDeliveryIDStore(client: first, now: clock.wall),
                        PostgresDeliveryIDStore(client: second, now: clock.wall)
                    ]
                    let id = TestServer.unique("msg")
                    let until = clock.wallNow.addingTimeInterval(300)
                    let inserted = try await withThrowingTaskGroup(of: Bool.self, returning: Int.self) { group in
                        for n in 0..<40 { group.addTask { try await stores[n % 2].insertIfAbsent(id, until: until) } }
                        var count = 0
                        for try await fresh in group where fresh { count += 1 }
                        return count
                    }
                    #expect(inserted == 1, "of 40 concurrent inserts of one id exactly one is new")
                    clock.advance(by: .seconds(299))
                    #expect(try await stores[0].insertIfAbsent(id, until: until) == false, "a live id is a replay")
                    clock.advance(by: .seconds(1))
                    #expect(
                        try await stores[1].insertIfAbsent(id, until: clock.wallNow.addingTimeInterval(300)),
                        "an expired id is replaced")
                    #expect(try await stores[0].insertIfAbsent(id, until: until) == false)
                    try await stores[0].remove(id)
                    #expect(
                        try await stores[1].insertIfAbsent(id, until: clock.wallNow.addingTimeInterval(300)),
                        "a removed id is accepted again")
                }
            }
        }
    }
}

extension PostgresTests {
    @Suite struct RemediationDeadLetters {
        @Test func lettersAreStoredFoundByRecordingAndPruned() async throws {
            try await TestServer.withClient { client in
                let clock = TestClock()
                let sink = PostgresDeadLetterSink(client: client, now: clock.wall)
                let recording = GenesysID(UUID())
                func letter(_ block: String) -> RemediationDeadLetter {
                    RemediationDeadLetter(
                        flowName: "pci", blockId: block, action: "create_work_item",
                        conversationId: GenesysID(UUID()), recordingId: recording,
                        correlationId: .random(), errorCode: "platform.badRequest",
                        reason: "400 from the platform", attempts: 3, occurredAt: clock.wallNow)
                }
                let first = letter("work-item"), second = letter("tag")
                try await sink.deadLetter(first)
                clock.advance(by: .seconds(3_600))
                try await sink.deadLetter(second)
                #expect(try await sink.letters(for: recording) == [first, second])
                #expect(try await sink.letters(for: GenesysID(UUID())).isEmpty)
                #expect(try await sink.prune(olderThan: .seconds(1_800)) >= 1)
                #expect(try await sink.letters(for: recording) == [second])
            }
        }
    }
}

extension PostgresTests {
    @Suite struct IdempotencyMaintenance {
        @Test func expiredRecordsArePurgedAndLiveOnesKept() async throws {
            try await TestServer.withClient { client in
                let clock = TestClock()
                let store = PostgresIdempotencyStore(client: client, now: clock.wall)
                let prefix = TestServer.unique("purge")
                for n in 0..<5 { _ = try await store.claim("\(prefix)-short-\(n)", fingerprint: "fp", lease: .seconds(10)) }
                guard case .acquired = try await store.claim("\(prefix)-long", fingerprint: "fp", lease: .seconds(600)) else {
                    Issue.record("a fresh key must be acquired")
                    return
                }
                clock.advance(by: .seconds(10))
                #expect(try await store.purgeExpired() >= 5)
                let left = try await client.int("SELECT count(*)::bigint FROM vigil_idempotency WHERE key LIKE \(prefix + "%")")
                #expect(left == 1, "only the live record stays")
                guard case .inProgress = try await store.claim("\(prefix)-long", fingerprint: "fp", lease: .seconds(600)) else {
                    Issue.record("the live record must still be in progress")
                    return
                }
            }
        }
    }
}
