import Foundation
import HummingbirdWSClient
import Logging
import NIOConcurrencyHelpers
import Testing
import VigilAnalysis
import VigilAudioHook
import VigilCore
import VigilIdempotency
import VigilModels
import VigilPlatformClient
import VigilRemediation
import VigilTesting

@testable import VigilService

/// AudioHook Monitor over a real loopback WebSocket: the service's endpoint, the platform played by
/// `AudioHookPlatformClient` (signed upgrade, open, PCMU frames, pings, close), live work items on an
/// in-process simulated organisation.
@Suite("AudioHook over a real WebSocket")
struct AudioHookTests {
    static let apiKey = "vigil-test-api-key"
    static let clientSecret = Base64.encode((0..<32).map { UInt8($0 * 7 + 3) })
    static let organizationId = "d7934305-0972-4844-938e-9060eef73d05"

    final class Harness: Sendable {
        let sim = SimulatedGenesysCloud()
        let flags = NIOLockedValueBox([AudioHookEndpoint.LiveFlag]())
        let endpoint: AudioHookEndpoint
        let service: LiveService

        init() async throws {
            let verifier = try AudioHookSignatureVerifier(
                clientSecrets: [AudioHookTests.apiKey: AudioHookTests.clientSecret],
                store: InMemoryIdempotencyStore())
            let client = GenesysCloudClient(region: sim.region, credentials: sim.credentials, transport: sim)
            let reporter = LiveViolationReporter(
                actions: client, store: InMemoryIdempotencyStore(),
                workitem: WorkitemSettings(typeId: "wt-compliance", queueId: "q-review", name: try RemediationTemplate("Compliance")))
            let flags = self.flags
            endpoint = AudioHookEndpoint(
                verifier: verifier, reporter: reporter, logger: LiveService.quiet,
                onFlag: { flag in flags.withLockedValue { $0.append(flag) } })
            service = try await LiveService.start(transport: sim, audioHook: endpoint)
        }

        func client() throws -> AudioHookPlatformClient {
            let url = URL(string: service.url("/audiohook/ws").replacingOccurrences(of: "http://", with: "ws://"))!
            return AudioHookPlatformClient(
                url: url,
                signer: try AudioHookRequestSigner(
                    apiKey: AudioHookTests.apiKey,
                    clientSecret: AudioHookTests.clientSecret),
                organizationId: AudioHookTests.organizationId, logger: LiveService.quiet)
        }

        func stop() async {
            _ = await service.stop()
        }
    }

    /// `seconds` of stereo PCMU with `keys` keyed by the customer.
    static func call(seconds: Int, keys: [(atMs: Int, digits: String)]) -> [UInt8] {
        KeyedCallSynthesizer.liveCall(seconds: Double(seconds), keys: keys)
    }

    @Test("A keyed card is flagged mid-call at its offset; one work item; opened, pongs and closed come back")
    func fullCall() async throws {
        let harness = try await Harness()
        let conversationId = "2f7bf00a-0000-4000-8000-0000000000aa"
        // Card at 3 s (16 digits × 150 ms: last digit ends at 5.33 s), code at 8 s; 20 s call at 4× real time.
        let result = try await harness.client().stream(
            conversationId: conversationId,
            audio: Self.call(seconds: 20, keys: [(3_000, "4111111111111111"), (8_000, "737")]),
            speed: 4)
        let types = result.received.map(\.message.body.type)
        #expect(types.first == "opened")
        #expect(types.filter { $0 == "pong" }.count == 4)  // a ping every 5 s of audio
        #expect(types.last == "closed")
        // Reports finish after the socket work; wait briefly for the last one.
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline, harness.flags.withLockedValue({ $0.count }) < 2 {
            try await Task.sleep(for: .milliseconds(10))
        }
        let flags = harness.flags.withLockedValue { $0 }
        let card = try #require(flags.first { $0.finding.type == .pciMidCapture })
        #expect(card.finding.offsetMs >= 2_990 && card.finding.offsetMs <= 3_010)
        #expect(card.conversationId == conversationId)
        guard case .created? = card.outcome else {
            Issue.record("the live card must open its work item, got \(String(describing: card.outcome))")
            await harness.stop()
            return
        }
        // Mid-call: the card's work item existed before the call's last frame was sent.
        let lastFrame = try #require(result.frameSentAt.last)
        #expect(card.reportedAt < lastFrame)
        // From the frame holding the last digit's end (5.33 s → frame 53) to the work item: a complete card
        // is reported by the frame the detector confirms the tone's end in (the next one at most), then the
        // work item is created — no run gap to wait for.
        let lastDigitFrame = result.frameSentAt[53]
        let latency = card.reportedAt - lastDigitFrame
        #expect(latency < .milliseconds(500))
        print("audiohook time-to-flag from the last digit's frame (4× real time): \(latency)")
        #expect(flags.contains { $0.finding.type == .pciCvvCapture })
        let workitems = await harness.sim.workitems
        #expect(workitems.count == 2)
        #expect(
            Set(workitems.compactMap(\.externalTag)) == [
                "vigil-live-\(conversationId)-PCI_MID_CAPTURE",
                "vigil-live-\(conversationId)-PCI_CVV_CAPTURE"
            ])
        #expect(harness.endpoint.openSessions == 0)
        await harness.stop()
    }

    @Test("A reconnect of the same conversation streams the card again: still one work item")
    func reconnectKeepsOneWorkItem() async throws {
        let harness = try await Harness()
        let conversationId = "2f7bf00a-0000-4000-8000-0000000000bb"
        let audio = Self.call(seconds: 8, keys: [(1_000, "4111111111111111")])
        _ = try await harness.client().stream(conversationId: conversationId, audio: audio, speed: 0)
        _ = try await harness.client().stream(conversationId: conversationId, audio: audio, speed: 0)
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline, harness.flags.withLockedValue({ $0.count }) < 2 {
            try await Task.sleep(for: .milliseconds(10))
        }
        let outcomes = harness.flags.withLockedValue { $0.map(\.outcome) }
        #expect(outcomes.count == 2)
        #expect(outcomes.filter { if case .created? = $0 { true } else { false } }.count == 1)
        #expect(await harness.sim.workitems.count == 1)
        await harness.stop()
    }

    @Test("Bad, stale and replayed signatures are refused before the upgrade; a probe is opened")
    func refusedUpgradesAndProbe() async throws {
        let harness = try await Harness()
        let client = try harness.client()
        let audio = Self.call(seconds: 1, keys: [])
        // Tampered: the organization header differs from what was signed.
        let signer = try AudioHookRequestSigner(apiKey: Self.apiKey, clientSecret: Self.clientSecret)
        var headers = signer.headers(
            target: "/audiohook/ws", authority: "\(client.url.host!):\(client.url.port!)",
            organizationId: Self.organizationId,
            sessionId: UUID().uuidString.lowercased(), correlationId: "c", nonce: UUID().uuidString,
            created: Date())
        headers = headers.map { $0.name == "Audiohook-Organization-Id" ? ($0.name, "11111111-2222-4333-8444-555555555555") : $0 }
        await #expect(throws: WebSocketClientError.webSocketUpgradeFailed) {
            _ = try await client.stream(conversationId: UUID().uuidString.lowercased(), audio: audio, speed: 0, headers: headers)
        }
        // Stale: created a minute ago.
        let stale = signer.headers(
            target: "/audiohook/ws", authority: "\(client.url.host!):\(client.url.port!)",
            organizationId: Self.organizationId, sessionId: UUID().uuidString.lowercased(),
            correlationId: "c", nonce: UUID().uuidString, created: Date().addingTimeInterval(-60))
        await #expect(throws: WebSocketClientError.webSocketUpgradeFailed) {
            _ = try await client.stream(conversationId: UUID().uuidString.lowercased(), audio: audio, speed: 0, headers: stale)
        }
        // Replayed: the same nonce twice — the first is accepted, the second refused.
        let nonce = UUID().uuidString
        _ = try await client.stream(conversationId: UUID().uuidString.lowercased(), audio: audio, speed: 0, nonce: nonce)
        await #expect(throws: WebSocketClientError.webSocketUpgradeFailed) {
            _ = try await client.stream(conversationId: UUID().uuidString.lowercased(), audio: audio, speed: 0, nonce: nonce)
        }
        // A probe is answered and closed like a call, and flags nothing.
        let probe = try await client.stream(conversationId: AudioHookMessage.Open.probeConversationId, audio: audio, speed: 0)
        #expect(probe.received.map(\.message.body.type) == ["opened", "closed"])
        #expect(harness.flags.withLockedValue { $0.isEmpty })
        #expect(harness.endpoint.openSessions == 0, "a refused upgrade must not hold a session slot")
        await harness.stop()
    }

    /// Waits (≤ 5 s) until `count` findings were reported.
    static func flags(_ harness: Harness, atLeast count: Int) async throws -> [AudioHookEndpoint.LiveFlag] {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline, harness.flags.withLockedValue({ $0.count }) < count {
            try await Task.sleep(for: .milliseconds(10))
        }
        return harness.flags.withLockedValue { $0 }
    }

    @Test("A skipped sequence number is answered with disconnect; the session is gone")
    func outOfOrderSequence() async throws {
        let harness = try await Harness()
        var script = AudioHookPlatformClient.Script()
        script.skipSequenceAfterFrame = 10
        let result = try await harness.client().stream(
            conversationId: "2f7bf00a-0000-4000-8000-0000000000cc",
            audio: Self.call(seconds: 30, keys: []), speed: 20, script: script)
        let bodies = result.received.map(\.message.body)
        #expect(bodies.first.map { if case .opened = $0 { true } else { false } } == true)
        guard case .disconnect(let reason, _)? = bodies.last else {
            Issue.record("expected disconnect, got \(bodies.map(\.type))")
            await harness.stop()
            return
        }
        #expect(reason == "error")
        #expect(!bodies.contains(.closed))
        #expect(result.frameSentAt.count < 100, "the platform stops sending once disconnected (\(result.frameSentAt.count) of 300 frames)")
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline, harness.endpoint.openSessions > 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(harness.endpoint.openSessions == 0)
        await harness.stop()
    }

    @Test("A secure pause: the card keyed while paused is never sent; the one after it is flagged in conversation time")
    func pausedSpan() async throws {
        let harness = try await Harness()
        var script = AudioHookPlatformClient.Script()
        script.pauses = [(afterFrame: 20, milliseconds: 6_000)]  // 2 s … 8 s not sent
        let conversationId = "2f7bf00a-0000-4000-8000-0000000000dd"
        let audio = Self.call(seconds: 16, keys: [(3_000, "4111111111111111"), (10_000, "5555555555554444")])
        let result = try await harness.client().stream(conversationId: conversationId, audio: audio, speed: 8, script: script)
        #expect(result.received.last?.message.body == .closed)
        let flags = try await Self.flags(harness, atLeast: 1)
        #expect(flags.count == 1)
        let card = try #require(flags.first)
        #expect(card.finding.type == .pciMidCapture)
        #expect(card.finding.evidence.contains("4444"))
        // 2 s received + 6 s paused + 2 s more: the second card's first digit at 10 s of conversation.
        #expect(card.finding.offsetMs >= 9_990 && card.finding.offsetMs <= 10_010)
        #expect(await harness.sim.workitems.count == 1)
        await harness.stop()
    }

    @Test("A dropped connection and a reconnect with continuedSessions: offsets continue, still one work item")
    func dropAndContinue() async throws {
        let harness = try await Harness()
        let conversationId = "2f7bf00a-0000-4000-8000-0000000000ee"
        let firstSession = UUID().uuidString.lowercased()
        var drop = AudioHookPlatformClient.Script()
        drop.dropAfterFrames = 60  // 6 s, no close
        // The card is complete at 1 s + 16 × 150 ms − 80 ms = 3.32 s: flagged before the drop.
        _ = try await harness.client().stream(
            conversationId: conversationId, sessionId: firstSession,
            audio: Self.call(seconds: 10, keys: [(1_000, "4111111111111111")]), speed: 0,
            script: drop)
        let first = try #require(try await Self.flags(harness, atLeast: 1).first)
        #expect(first.finding.offsetMs >= 990 && first.finding.offsetMs <= 1_010)
        guard case .created? = first.outcome else {
            Issue.record("the first session must open the work item, got \(String(describing: first.outcome))")
            await harness.stop()
            return
        }
        // The server has seen the connection go (the platform's reconnect takes longer than that).
        let gone = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < gone, harness.endpoint.openSessions > 0 { try await Task.sleep(for: .milliseconds(10)) }
        // The platform reconnects: `open` at PT0S naming the dropped session; the customer keys the card again 2 s in.
        var resume = AudioHookPlatformClient.Script()
        resume.continuedSessions = [.init(id: firstSession, serverSeq: 1, clientSeq: 1)]
        _ = try await harness.client().stream(
            conversationId: conversationId,
            audio: Self.call(seconds: 6, keys: [(2_000, "4111111111111111")]), speed: 0,
            script: resume)
        let flags = try await Self.flags(harness, atLeast: 2)
        #expect(flags.count == 2)
        let second = try #require(flags.last)
        // The dropped session reached 6 s: the re-keyed card is at 6 + 2 = 8 s of conversation.
        #expect(second.finding.offsetMs >= 7_990 && second.finding.offsetMs <= 8_010)
        #expect(second.outcome == .alreadyReported(workitemId: { if case .created(let id)? = first.outcome { id } else { "" } }()))
        #expect(await harness.sim.workitems.count == 1)
        await harness.stop()
    }

    @Test("serve with VIGIL_AUDIOHOOK_CLIENTS: the runtime's own endpoint, nonces and live work items in its store")
    func configuredByServe() async throws {
        let sim = SimulatedGenesysCloud()
        let service = try await LiveService.start(
            values: { directory in
                var values = Fixture.values(
                    store: "sqlite:" + directory.appendingPathComponent("vigil.sqlite").path,
                    apiBase: sim.region.apiBaseURL.absoluteString)
                values[ServiceConfiguration.Key.audioHookClients] = "\(Self.apiKey):\(Self.clientSecret)"
                return values
            }, transport: sim)
        let endpoint = try #require(service.runtime.audioHook)
        #expect(endpoint.configuration.maximumSessions == 500)
        let url = URL(string: service.url("/audiohook/ws").replacingOccurrences(of: "http://", with: "ws://"))!
        let client = AudioHookPlatformClient(
            url: url, signer: try AudioHookRequestSigner(apiKey: Self.apiKey, clientSecret: Self.clientSecret),
            organizationId: Self.organizationId, logger: LiveService.quiet)
        let conversationId = "2f7bf00a-0000-4000-8000-0000000000ff"
        let nonce = UUID().uuidString
        _ = try await client.stream(
            conversationId: conversationId, audio: Self.call(seconds: 6, keys: [(1_000, "4111111111111111")]),
            speed: 0, nonce: nonce)
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline, await sim.workitems.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        let workitems = await sim.workitems
        #expect(workitems.count == 1)
        // The default flow's worktype and queue: the recording's flow will find this work item.
        #expect(workitems.first?.type?.id == "4c7a1f0e-2b3d-4e5f-8a9b-0c1d2e3f4a5b")
        #expect(workitems.first?.externalTag == "vigil-live-\(conversationId)-PCI_MID_CAPTURE")
        // The nonce was recorded in the service's store: replaying it is refused.
        await #expect(throws: WebSocketClientError.webSocketUpgradeFailed) {
            _ = try await client.stream(conversationId: conversationId, audio: Self.call(seconds: 1, keys: []), speed: 0, nonce: nonce)
        }
        let metrics = try await http(.GET, service.url("/metrics")).body
        #expect(
            metrics.contains("vigil_live_violations_total{type=\"PCI_MID_CAPTURE\",outcome=\"created\"} 1")
                || metrics.contains("vigil_live_violations_total{outcome=\"created\",type=\"PCI_MID_CAPTURE\"} 1"))
        _ = await service.stop()
    }

    @Test("vigil-service live: concurrent calls flagged while live, time-to-flag read from the simulated platform")
    func liveCommand() async throws {
        // The simulated organisation as the service's transport and on its router, as `serve --simulate` has it.
        let platform = SimulatedPlatform(port: 1)
        let service = try await LiveService.start(
            values: { directory in
                var values = Fixture.values(
                    store: "sqlite:" + directory.appendingPathComponent("vigil.sqlite").path,
                    apiBase: platform.origin.absoluteString)
                values[ServiceConfiguration.Key.audioHookClients] = "\(Self.apiKey):\(Self.clientSecret)"
                return values
            }, transport: platform, extraRoutes: { router in platform.addRoutes(to: router) })
        var options = LiveCalls.Options(
            url: URL(string: service.url("/audiohook/ws").replacingOccurrences(of: "http://", with: "ws://"))!,
            apiKey: Self.apiKey, clientSecret: Self.clientSecret)
        options.platform = service.baseURL
        options.calls = 3
        options.seconds = 12
        options.cardAtSeconds = 1
        options.speed = 8
        options.rampSeconds = 0.2
        let report = try await LiveCalls.run(options, logger: LiveService.quiet)
        #expect(report.calls.count == 3)
        #expect(report.flagsMeasured)
        #expect(report.succeeded, "\(report.summary)")
        #expect(report.calls.filter(\.flaggedWhileLive).count == 3)
        let p95 = try #require(report.timeToFlagMs(percentile: 0.95))
        #expect(p95 >= 0 && p95 < 500, "\(report.summary)")
        #expect(report.summary.contains("flagged: 3 of 3 (3 while the call was still live)"))
        let opened = try #require(report.openedAfterMs(percentile: 1))
        #expect(opened >= 0 && opened < 5_000, "opened must come well inside the platform's 5 s")
        #expect(
            LiveCalls.Report.percentile([1, 2, 3, 4], 0) == 1 && LiveCalls.Report.percentile([1, 2, 3, 4], 0.5) == 2
                && LiveCalls.Report.percentile([1, 2, 3, 4], 1) == 4 && LiveCalls.Report.percentile([Int](), 0.5) == nil)
        #expect(Set(await platform.cloud.workitems.compactMap(\.externalTag)).count == 6)  // card + code per call

        // Usage errors name the flag.
        let missing = #expect(throws: VigilServiceCommand.UsageError.self) {
            _ = try VigilServiceCommand.parseLive(["--url", "ws://127.0.0.1:1/audiohook/ws"])
        }
        #expect(missing?.message == "live needs --api-key and --client-secret")
        let scheme = #expect(throws: VigilServiceCommand.UsageError.self) {
            _ = try VigilServiceCommand.parseLive(["--url", "http://127.0.0.1:1/audiohook/ws"])
        }
        #expect(scheme?.message == "--url needs the service's ws:// or wss:// AudioHook URL")
        _ = await service.stop()
    }

    @Test("The continued-session ledger keeps the latest position of the last 10 000 sessions")
    func sessionPositionsAreBounded() {
        var positions = SessionPositions()
        for index in 0..<(SessionPositions.capacity + 5) { positions.record("s\(index)", index) }
        #expect(positions["s0"] == nil && positions["s4"] == nil)
        #expect(positions["s5"] == 5)
        positions.record("s5", 99)  // an update moves nothing and keeps one entry
        #expect(positions["s5"] == 99)
        #expect(positions["s\(SessionPositions.capacity + 4)"] == SessionPositions.capacity + 4)
        for index in 0..<(3 * SessionPositions.capacity) { positions.record("t\(index)", index) }
        #expect(positions["s5"] == nil)
        #expect(positions["t\(3 * SessionPositions.capacity - 1)"] == 3 * SessionPositions.capacity - 1)
        #expect(positions["t\(2 * SessionPositions.capacity - 1)"] == nil)
        #expect(positions["t\(2 * SessionPositions.capacity)"] == 2 * SessionPositions.capacity)
    }
}
