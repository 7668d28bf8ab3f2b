import Foundation
import Logging
import PostgresNIO
import Testing
import VigilAnalysis
import VigilCore
import VigilModels
import VigilPostgres
import VigilRemediation
import VigilTesting

@testable import VigilService

/// Against a real server: `../Scripts/with-postgres.sh swift test` sets VIGIL_POSTGRES_URL (without it these fail).
@Suite("PostgreSQL store")
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
        let (cid, rid) = await cloud.addRecording(media: .bytes(KeyedCallSynthesizer().wav(keying: "4111111111111111", variant: 1)))
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
}
