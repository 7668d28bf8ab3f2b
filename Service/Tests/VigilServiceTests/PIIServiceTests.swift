import Foundation
import Logging
import Testing
import VigilAnalysis
import VigilCore
import VigilEventSub
import VigilModels
import VigilService
import VigilTesting

/// Every line the service logs, at every level, kept for the test to search.
private final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var text: String { lock.withLock { lines.joined(separator: "\n") } }

    var logger: Logger {
        var logger = Logger(label: "test.vigil.pii") { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append("\(event.level) \(event.message) \(merged) \(event.source) \(event.function)")
        }
    }
}

/// Issue 14's PII property over the real service: webhook bodies with card numbers, SSNs, e-mail
/// addresses and phone numbers planted in every field (`VigilTesting.PIIPlanter`), signed and unsigned,
/// over real sockets. None of the planted values may reach an HTTP response, a log line (every level,
/// metadata included) or a metric name or label on `/metrics`.
@Suite("vigil-service: planted PII reaches no response, log line or metric label")
struct PIIServiceTests {
    @Test func plantedPersonalDataStaysOut() async throws {
        let cloud = SimulatedGenesysCloud()
        var recordings: [(GenesysID, GenesysID)] = []
        for _ in 0..<4 { recordings.append(await cloud.addRecording(media: .bytes(KeyedCallSynthesizer().wav(keying: "", variant: 0)))) }
        let capture = LogCapture()
        // Every component logs through the one logger given to the runtime, at the most verbose level.
        let service = try await LiveService.start(
            role: .all,
            values: { directory in
                Fixture.values(store: "sqlite:" + directory.appendingPathComponent("vigil.sqlite").path)
                    .merging([ServiceConfiguration.Key.logLevel: "trace"]) { $1 }
            }, transport: cloud, logger: capture.logger)
        let signer = try WebhookSigner(scheme: .standardWebhooks, secrets: [Fixture.webhookSecret])

        var planted: [PIIPlanter.Variant] = []
        var responses: [String] = []
        var statuses: [Int: Int] = [:]
        for (index, (conversation, recording)) in recordings.enumerated() {
            let body = LoadGenerator.event(recordingId: recording.rawValue, conversationId: conversation.rawValue, index: index)
            let planter = try PIIPlanter(document: body)
            for variant in planter.variants(count: 12, seed: UInt64(index + 1)) {
                planted.append(variant)
                let signed = signer.sign(body: variant.bytes, id: "msg_pii_\(index)_\(variant.index)", now: Date())
                // Signed (decoded, screened, maybe queued) and unsigned (refused before decoding).
                for headers in [signed, ["webhook-id": "msg_unsigned"]] as [VigilCore.HTTPFields] {
                    let exchange = try await http(.POST, service.url("/webhooks/genesys"), headers: headers, body: variant.bytes)
                    statuses[exchange.status, default: 0] += 1
                    responses.append(exchange.body + exchange.headers.map { "\($0.0): \($0.1)" }.joined(separator: "\n"))
                }
            }
        }
        #expect(statuses[202, default: 0] > 0 && statuses[401, default: 0] == planted.count, "\(statuses)")
        // Let the workers take what was queued (remediation and its logs included).
        _ = try await eventually(within: .seconds(30)) {
            try await service.runtime.storage.queueDepth() == 0 && service.runtime.statistics.inFlight == 0
        }
        try await Task.sleep(for: .milliseconds(250))  // one gauge refresh (100 ms in tests)
        let metrics = try await http(.GET, service.url("/metrics")).body
        #expect(metrics.contains("vigil_webhook_deliveries_total"))
        let logs = capture.text
        // The capture sees the pipeline's lines (every job's steps, at trace), not only the lifecycle's.
        #expect(logs.contains("pipeline step") && logs.contains("\"component\": pipeline"))
        for variant in planted {
            for (place, text) in [("a response", responses.joined(separator: "\n")), ("/metrics", metrics), ("the log", logs)] {
                for leak in variant.leaks(in: text) {
                    Issue.record("\(leak.kind) planted at \(variant.sites) reached \(place): \(leak.excerpt(in: text) ?? "")")
                }
            }
        }
        #expect(await service.stop())
    }
}
