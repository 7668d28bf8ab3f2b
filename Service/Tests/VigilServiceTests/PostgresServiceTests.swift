import Foundation
import Logging
import PostgresNIO
import Testing
import VigilCore
import VigilModels
import VigilPostgres
import VigilRemediation
import VigilTesting
@testable import VigilService

/// Runs only against a real server: `../Scripts/with-postgres.sh swift test` sets VIGIL_POSTGRES_URL.
@Suite("PostgreSQL store", .enabled(if: ProcessInfo.processInfo.environment["VIGIL_POSTGRES_URL"] != nil))
struct PostgresServiceTests {
    /// A fresh database on the server, so counts start at zero.
    static func freshDatabase() async throws -> String {
        let base = try #require(ProcessInfo.processInfo.environment["VIGIL_POSTGRES_URL"])
        let client = try VigilPostgresConfiguration(url: base).makeClient()
        let running = Task { await client.run() }
        let name = "vigil_service_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        _ = try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)")).collect()
        running.cancel()
        var components = try #require(URLComponents(string: base))
        components.path = "/" + name
        return try #require(components.string)
    }

    @Test("three processes' worth of runtimes on one database: a duplicate is seen across them and a worker elsewhere flags the recording")
    func shared() async throws {
        let url = try await Self.freshDatabase()
        let cloud = SimulatedGenesysCloud()
        var media = MediaSynthesis()
        let (cid, rid) = await cloud.addRecording(media: .bytes(media.wav("4111111111111111", variant: 1)))
        let values: (URL) -> [String: String] = { _ in Fixture.values(store: url) }
        let first = try await LiveService.start(role: .ingest, values: values, transport: cloud)
        let second = try await LiveService.start(role: .ingest, values: values, transport: cloud)

        let ready = try await http(.GET, first.url("/readyz"))
        #expect(ready.status == 200)
        #expect(ready.body.contains(#""store":"ok""#) && ready.body.contains(#""queue":"ok""#))

        let event = try Fixture.signedEvent(recordingId: rid, conversationId: cid)
        #expect(try await http(.POST, first.url("/webhooks/genesys"), headers: event.headers, body: event.body).status == 202)
        let again = try Fixture.signedEvent(recordingId: rid, conversationId: cid)
        let duplicate = try await http(.POST, second.url("/webhooks/genesys"), headers: again.headers, body: again.body)
        #expect(duplicate.status == 200)
        #expect(duplicate.body.contains(#""status":"duplicate""#))
        #expect(try await second.runtime.storage.queueDepth() == 1)

        let worker = try await LiveService.start(role: .worker, values: values, transport: cloud)
        #expect(await eventually(within: .seconds(30)) { await cloud.annotations(recordingId: rid).count == 1 })
        #expect(await eventually { (try? await first.runtime.storage.queueDepth()) == 0 })
        #expect(await cloud.workitems.count == 1)
        #expect(worker.runtime.statistics.snapshot.flagged == 1)
        // A worker has no ingest routes.
        #expect(try await http(.POST, worker.url("/webhooks/genesys"), headers: event.headers, body: event.body).status == 404)
        #expect(await worker.stop())
        #expect(await second.stop())
        #expect(await first.stop())
    }

    @Test("remediation dead letters are stored in the database")
    func deadLetters() async throws {
        let url = try await Self.freshDatabase()
        let client = try VigilPostgresConfiguration(url: url).makeClient()
        let running = Task { await client.run() }
        defer { running.cancel() }
        let sink = PostgresRemediationDeadLetterSink(client: client)
        let letter = RemediationDeadLetter(flowName: "flow", blockId: "create_work_item", action: "workitem",
                                           conversationId: GenesysID("1b4f3c2a-0d9e-4f7a-8b6c-5d4e3f2a1b0c")!,
                                           recordingId: GenesysID("2c5a4d3b-1e0f-4a8b-9c7d-6e5f4a3b2c1d")!,
                                           correlationId: CorrelationID("test-1")!, errorCode: "genesys.badRequest",
                                           reason: "refused", attempts: 3,
                                           occurredAt: Date(timeIntervalSince1970: 1_780_000_000))
        try await sink.deadLetter(letter)
        try await sink.deadLetter(letter)
        let stored = try await sink.letters()
        #expect(stored == [letter, letter])
    }
}
