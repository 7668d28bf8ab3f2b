import Foundation
import Hummingbird
import ServiceLifecycle
import Testing
import VigilCore
import VigilModels
import VigilPlatformClient
import VigilService

/// `simulate-platform` served on a real port.
final class LivePlatform: @unchecked Sendable {
    let platform: SimulatedPlatform
    let group: ServiceGroup
    let running: Task<Void, any Error>
    let base: URL

    init(platform: SimulatedPlatform, group: ServiceGroup, running: Task<Void, any Error>, base: URL) {
        self.platform = platform
        self.group = group
        self.running = running
        self.base = base
    }

    static func start(faults: SimulatedPlatform.Faults = .none) async throws -> LivePlatform {
        let port = try await freePort()
        let platform = SimulatedPlatform(port: port, seed: 7, faults: faults)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = VigilServiceCommand.makePlatformApplication(platform, port: port) { continuation.yield($0) }
        let group = ServiceGroup(configuration: .init(services: [app], logger: .init(label: "test.platform")))
        let running = Task { try await group.run() }
        guard await first(of: ports, within: .seconds(20)) == port else {
            running.cancel()
            throw TestFailure("the platform did not start on port \(port)")
        }
        return LivePlatform(platform: platform, group: group, running: running, base: URL(string: "http://127.0.0.1:\(port)")!)
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await running.value
    }

    func state() async throws -> [String: Any] {
        let exchange = try await http(.GET, base.absoluteString + "/_sim/state")
        return try #require(try JSONSerialization.jsonObject(with: Data(exchange.body.utf8)) as? [String: Any])
    }
}

@Suite("simulate-platform and send over real sockets")
struct PlatformAndLoadTests {
    @Test("a GenesysCloudClient over AsyncHTTPClientTransport logs in, reads a recording and downloads its media")
    func forwarding() async throws {
        let live = try await LivePlatform.start()
        let created = try await http(
            .POST, live.base.absoluteString + "/_sim/recordings",
            body: Array(#"{"count":3,"violatingEvery":2,"seed":5}"#.utf8))
        #expect(created.status == 200)
        let recordings = try JSONDecoder().decode([SimulatedPlatform.Recording].self, from: Data(created.body.utf8))
        #expect(recordings.map(\.violating) == [true, false, true])

        let transport = AsyncHTTPClientTransport()
        let client = GenesysCloudClient(
            region: .custom(apiBase: live.base),
            credentials: GenesysCredentials(
                clientId: SimulatedPlatform.clientId,
                clientSecret: SimulatedPlatform.clientSecret),
            transport: transport)
        try await client.authenticate()
        let cid = try #require(GenesysID(recordings[0].conversationId))
        let rid = try #require(GenesysID(recordings[0].recordingId))
        let recording = try await client.awaitRecording(conversationId: cid, recordingId: rid)
        #expect(recording.id == rid)
        let media = try await client.downloadMedia(of: recording)
        var bytes: [UInt8] = []
        for try await chunk in media.body { bytes += chunk }
        #expect(bytes.prefix(4) == Array("RIFF".utf8)[...])
        #expect(bytes.count > 8_000)

        let state = try await live.state()
        let byStatus = try #require(state["requestsByStatus"] as? [String: Int])
        #expect((byStatus["200"] ?? 0) >= 3)  // token, recording, media
        let totals = try #require(state["totals"] as? [String: Any])
        #expect(totals["recordings"] as? Int == 3)
        #expect(totals["violating"] as? Int == 2)
        // Wrong credentials are refused by the served login.
        let wrong = GenesysCloudClient(
            region: .custom(apiBase: live.base),
            credentials: GenesysCredentials(clientId: "nobody", clientSecret: "wrong-secret-000000"),
            transport: transport)
        await #expect(throws: (any Error).self) { try await wrong.authenticate() }
        try await transport.shutdown()
        await live.stop()
    }

    @Test("--faults traps: transcoding answers 202 first; the client polls through and every recording is read")
    func traps() async throws {
        let live = try await LivePlatform.start(faults: .traps)
        let created = try await http(
            .POST, live.base.absoluteString + "/_sim/recordings",
            body: Array(#"{"count":20,"violatingEvery":10,"seed":11}"#.utf8))
        let recordings = try JSONDecoder().decode([SimulatedPlatform.Recording].self, from: Data(created.body.utf8))
        let transport = AsyncHTTPClientTransport()
        let client = GenesysCloudClient(
            region: .custom(apiBase: live.base),
            credentials: GenesysCredentials(
                clientId: SimulatedPlatform.clientId,
                clientSecret: SimulatedPlatform.clientSecret),
            transport: transport)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for recording in recordings {
                group.addTask {
                    let ready = try await client.awaitRecording(
                        conversationId: GenesysID(recording.conversationId)!,
                        recordingId: GenesysID(recording.recordingId)!)
                    #expect(ready.id.rawValue == recording.recordingId)
                }
            }
            try await group.waitForAll()
        }
        let byStatus = try #require(try await live.state()["requestsByStatus"] as? [String: Int])
        #expect((byStatus["202"] ?? 0) > 0)
        try await transport.shutdown()
        await live.stop()
    }

    @Test("send against a live service: every event accepted once, repeats and --replay come back as duplicates; violating recordings flagged")
    func send() async throws {
        let live = try await LivePlatform.start()
        let transport = AsyncHTTPClientTransport()
        let service = try await LiveService.start(
            role: .all,
            values: { directory in
                Fixture.values(store: "sqlite:" + directory.appendingPathComponent("vigil.sqlite").path, apiBase: live.base.absoluteString)
            }, transport: transport)
        let directory = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("sent.json").path
        let code = await VigilServiceCommand.run(
            [
                "send", "--url", service.url("/webhooks/genesys") + "," + service.url("/webhooks/genesys"),
                "--platform", live.base.absoluteString, "--recordings", "20", "--violating-every", "10",
                "--max-deliveries", "3", "--concurrency", "8", "--replay", "4", "--secret", Fixture.webhookSecret, "--out", out
            ], environment: [:])
        #expect(code == 0)
        let report = try JSONDecoder().decode(LoadGenerator.Report.self, from: Data(contentsOf: URL(fileURLWithPath: out)))
        #expect(report.recordings.count == 20)
        #expect(report.recordings.filter(\.violating).count == 2)
        #expect(report.recordings.allSatisfy { $0.firstSentAtMs > 1_700_000_000_000 })
        #expect(report.totals.accepted == 20)
        #expect(report.totals.duplicates == report.totals.deliveries - 20)
        #expect(report.totals.deliveries >= 20 && report.totals.deliveries <= 60)
        #expect(report.totals.rejected.isEmpty)
        #expect(report.replay?.requests == 4)
        #expect(report.replay?.duplicates == 4)
        #expect(report.replay?.other.isEmpty == true)
        // The service saw exactly what send reports, and queued nothing for the replays.
        let deliveries = service.runtime.statistics.snapshot.deliveries
        #expect(deliveries >= report.totals.deliveries + 4 && deliveries <= report.totals.deliveries + report.totals.retries + 4)

        // The two violating recordings end up with one annotation and one work item each; clean ones none.
        // Wait for the whole remediation (annotate, tag, work item), not just the first step: a recording
        // counts as flagged from its annotation, and its work item follows a moment later.
        let flagged = await eventually(within: .seconds(60)) {
            guard let totals = try? await live.state()["totals"] as? [String: Any] else { return false }
            return totals["flaggedViolating"] as? Int == 2 && totals["workItems"] as? Int ?? 0 >= 2
        }
        #expect(flagged)
        let state = try await live.state()
        let totals = try #require(state["totals"] as? [String: Any])
        #expect(totals["flaggedClean"] as? Int == 0)
        #expect(totals["annotations"] as? Int == 2)
        #expect(totals["workItems"] as? Int == 2)
        let perRecording = try #require(state["recordings"] as? [String: [String: Any]])
        for sent in report.recordings where sent.violating {
            let entry = try #require(perRecording[sent.recordingId])
            let annotatedAt = try #require(entry["firstAnnotationAtMs"] as? Int64 ?? (entry["firstAnnotationAtMs"] as? Int).map(Int64.init))
            #expect(annotatedAt >= sent.firstSentAtMs)
        }
        #expect(await service.stop())
        try await transport.shutdown()
        await live.stop()
    }
}
