import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Testing
import Vigil
import VigilAnalysis
import VigilCore
import VigilEventSub
import VigilModels
import VigilTesting
import VigilVerdict

@testable import VigilService

@Suite("vigil-service routes on a live server")
struct ServiceRouteTests {
    @Test("signed event → 202 and one job queued; again → 200 duplicate; bad signature → 401")
    func webhook() async throws {
        let cloud = SimulatedGenesysCloud()
        let (cid, rid) = await cloud.addRecording()
        let service = try await LiveService.start(role: .ingest, transport: cloud)
        let event = try Fixture.signedEvent(recordingId: rid, conversationId: cid)

        let first = try await http(.POST, service.url("/webhooks/genesys"), headers: event.headers, body: event.body)
        #expect(first.status == 202)
        #expect(first.body.contains(#""status":"accepted""#))
        #expect(first.header("content-type") == "application/json")
        #expect(try await service.runtime.storage.queueDepth() == 1)

        let again = try await http(.POST, service.url("/webhooks/genesys"), headers: event.headers, body: event.body)
        #expect(again.status == 200)
        #expect(again.body.contains(#""status":"duplicate""#))
        let resent = try Fixture.signedEvent(recordingId: rid, conversationId: cid)  // same event, new delivery id
        #expect(try await http(.POST, service.url("/webhooks/genesys"), headers: resent.headers, body: resent.body).status == 200)
        #expect(try await service.runtime.storage.queueDepth() == 1)

        let forged = try Fixture.signedEvent(
            recordingId: rid, conversationId: cid,
            secret: "whsec_" + Base64.encode(Array("an-attacker-secret-of-32-bytes!!".utf8)))
        let refused = try await http(.POST, service.url("/webhooks/genesys"), headers: forged.headers, body: forged.body)
        #expect(refused.status == 401)
        #expect(try await service.runtime.storage.queueDepth() == 1)
        #expect(await service.stop())
    }

    @Test("a body over the limit → 413 while the client is still sending (the rest is never read)")
    func oversized() async throws {
        let service = try await LiveService.start(
            role: .ingest,
            values: { directory in
                var values = Fixture.values(store: "sqlite:" + directory.appendingPathComponent("vigil.sqlite").path)
                values[ServiceConfiguration.Key.maxBodyBytes] = "4096"
                return values
            }, transport: SimulatedGenesysCloud())

        // Declared too large: refused from the header alone.
        let declared = try await http(.POST, service.url("/webhooks/genesys"), body: Array(repeating: 0x20, count: 5_000))
        #expect(declared.status == 413)

        // Streamed without a length: 8 KiB, then the stream stalls and never ends. The answer must come
        // anyway, so the route stopped reading at limit + 1.
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
        continuation.yield(ByteBuffer(repeating: 0x20, count: 8_192))
        var request = HTTPClientRequest(url: service.url("/webhooks/genesys"))
        request.method = .POST
        request.body = .stream(stream, length: .unknown)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        #expect(response.status.code == 413)
        let text = String(buffer: try await response.body.collect(upTo: 1_000))
        #expect(text.contains("webhook.bodyTooLarge"))
        continuation.finish()
        #expect(try await service.runtime.storage.queueDepth() == 0)
        #expect(await service.stop())
    }

    @Test("healthz, readyz and metrics after traffic; a recording with a card keyed is flagged once")
    func healthAndMetrics() async throws {
        let cloud = SimulatedGenesysCloud()
        let (cid, rid) = await cloud.addRecording(media: .bytes(KeyedCallSynthesizer().wav(keying: "4111111111111111", variant: 0)))
        let service = try await LiveService.start(role: .all, transport: cloud)
        let health = try await http(.GET, service.url("/healthz"))
        #expect(health.status == 200)
        let ready = try await http(.GET, service.url("/readyz"))
        #expect(ready.status == 200)
        #expect(ready.body.contains(#""ready":true"#))
        #expect(ready.body.contains(#""queue":"ok""#) && ready.body.contains(#""store":"ok""#))
        #expect(ready.body.contains(#""breaker":"closed""#))

        let event = try Fixture.signedEvent(recordingId: rid, conversationId: cid)
        #expect(try await http(.POST, service.url("/webhooks/genesys"), headers: event.headers, body: event.body).status == 202)
        #expect(try await http(.POST, service.url("/webhooks/genesys"), headers: event.headers, body: event.body).status == 200)
        // The worker evaluates the recording with the reference engine and remediates it.
        let flagged = await eventually { service.runtime.statistics.snapshot.flagged == 1 && service.runtime.statistics.inFlight == 0 }
        #expect(flagged)
        #expect(await cloud.annotations(recordingId: rid).count == 1)
        #expect(await cloud.workitems.count == 1)
        try await Task.sleep(for: .milliseconds(250))  // one gauge refresh (100 ms in tests)
        let metrics = try await http(.GET, service.url("/metrics"))
        #expect(metrics.status == 200)
        #expect(metrics.header("content-type")?.hasPrefix("text/plain") == true)
        for name in [
            #"vigil_webhook_deliveries_total{status="202",outcome="accepted"} 1"#,
            #"vigil_webhook_deliveries_total{status="200",outcome="duplicate"} 1"#,
            "vigil_webhook_duplicates_total 1", "vigil_queue_depth 0", "vigil_queue_dead_letters 0", "vigil_jobs_in_flight 0",
            #"vigil_engine_breaker_state{state="closed"} 1"#, #"vigil_jobs_leased_total{kind="#,
            "vigil_time_to_flag_seconds_count 1", "vigil_recordings_flagged_total 1",
            #"vigil_verdicts_total{verdict="VIOLATION_DETECTED",type="PCI_MID_CAPTURE"} 1"#, "vigil_workers 2",
            #"vigil_dead_letters_total{source="remediation"} 0"#
        ] {
            #expect(metrics.body.contains(name), "missing \(name)")
        }
        #expect(await service.stop())
    }

    @Test("readyz answers 503 with the failing probe's code")
    func notReady() async throws {
        struct Down: VigilError {
            var errorCode: String { "sqlite.busy" }
            var isRetryable: Bool { true }
            var description: String { "down" }
        }
        let routes = VigilRoutes(
            pipeline: nil, callbacks: nil,
            readiness: Readiness(
                probes: [ReadinessProbe(name: "store") {}, ReadinessProbe(name: "queue") { throw Down() }],
                breakerState: { .open }, breakerGatesReadiness: true),
            metrics: nil, maxBodyBytes: 1_024)
        let router = Router()
        router.addVigilRoutes(routes)
        try await Application(router: router).test(.live) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let text = String(buffer: response.body)
                #expect(text.contains(#""ready":false"#))
                #expect(text.contains(#""queue":"sqlite.busy""#))
                #expect(text.contains(#""store":"ok""#))
                #expect(text.contains(#""breaker":"open""#))
            }
            // A worker-less router has no ingest routes.
            try await client.execute(uri: "/webhooks/genesys", method: .post) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("graceful shutdown: an in-flight job gives its lease back and the next process gets it")
    func gracefulShutdown() async throws {
        let cloud = SimulatedGenesysCloud()
        let (cid, rid) = await cloud.addRecording()
        let engine = BlockingEngine()
        let service = try await LiveService.start(role: .all, transport: cloud, engine: engine)
        let event = try Fixture.signedEvent(recordingId: rid, conversationId: cid)
        #expect(try await http(.POST, service.url("/webhooks/genesys"), headers: event.headers, body: event.body).status == 202)
        #expect(await eventually { await engine.calls == 1 })  // the job is in flight, inside the engine

        #expect(await service.shutdown(within: .seconds(15)))
        let statistics = service.runtime.statistics.snapshot
        #expect(statistics.released == 1)
        #expect(statistics.inFlight == 0)
        // The job is visible again at once, for whichever process leases next.
        let leased = try await service.runtime.storage.queue.lease(max: 1, for: .seconds(30))
        #expect(leased.count == 1)
        #expect(leased.first?.job.recordingId == rid)
        #expect(leased.first?.deliveryCount == 2)
        #expect(await service.stop(within: .seconds(5)))
    }

    @Test("callback route: a signed verdict for a pending request remediates once; a replay and a forgery are refused")
    func callback() async throws {
        let cloud = SimulatedGenesysCloud()
        let (cid, rid) = await cloud.addRecording()
        let engine = AcceptingEngine()
        let service = try await LiveService.start(
            role: .all,
            values: { directory in
                var values = Fixture.values(store: "sqlite:" + directory.appendingPathComponent("vigil.sqlite").path)
                values[ServiceConfiguration.Key.callbackSecrets] = Fixture.callbackSecret
                return values
            }, transport: cloud, engine: engine)
        let event = try Fixture.signedEvent(recordingId: rid, conversationId: cid)
        #expect(try await http(.POST, service.url("/webhooks/genesys"), headers: event.headers, body: event.body).status == 202)
        #expect(await eventually { await engine.requests.count == 1 && service.runtime.statistics.inFlight == 0 })
        let request = try #require(await engine.requests.first)

        let verdict = ComplianceVerdict(
            recordingId: request.recordingId, verdict: .violationDetected, violationType: .pciMidCapture,
            confidenceScore: 0.97, timestampOffsetMs: 3_000,
            evidenceSnippet: "DTMF card ************1111 at 3.0 s",
            recommendedAction: .routeToComplianceQueue, correlationId: request.correlationId)
        let body = try VigilJSON.encodeBytes(verdict)
        let signer = try WebhookSignerForTests(secret: Fixture.callbackSecret)
        let headers = signer.sign(body: body, id: "msg_callback_1")
        let accepted = try await http(.POST, service.url("/callbacks/verdict"), headers: headers, body: body)
        #expect(accepted.status == 200)
        #expect(accepted.body.contains(rid.rawValue))
        #expect(await cloud.annotations(recordingId: rid).count == 1)
        #expect(await cloud.workitems.count == 1)

        let replayed = try await http(.POST, service.url("/callbacks/verdict"), headers: headers, body: body)
        #expect(replayed.status >= 400 && replayed.status < 500)
        let forged = try WebhookSignerForTests(secret: Fixture.webhookSecret).sign(body: body, id: "msg_callback_2")
        #expect(try await http(.POST, service.url("/callbacks/verdict"), headers: forged, body: body).status == 401)
        #expect(await cloud.annotations(recordingId: rid).count == 1)
        #expect(await service.stop())
    }
}

/// Never answers: waits until cancelled (a slow engine, at shutdown).
actor BlockingEngine: ComplianceEngine {
    private(set) var calls = 0
    func evaluate(_ request: ComplianceRequest) async throws -> EngineReply {
        calls += 1
        try await Task.sleep(for: .seconds(3_600))
        throw CancellationError()
    }
}

/// An asynchronous engine: accepts every request; the verdict comes by callback.
actor AcceptingEngine: ComplianceEngine {
    private(set) var requests: [ComplianceRequest] = []
    func evaluate(_ request: ComplianceRequest) async throws -> EngineReply {
        requests.append(request)
        return .accepted(expectedBy: nil)
    }
}


/// Signs like an engine posting a callback (Standard Webhooks v1).
struct WebhookSignerForTests {
    let signer: WebhookSigner
    init(secret: String) throws { signer = try WebhookSigner(scheme: .standardWebhooks, secrets: [secret]) }
    func sign(body: [UInt8], id: String) -> VigilCore.HTTPFields { signer.sign(body: body, id: id, now: Date()) }
}
