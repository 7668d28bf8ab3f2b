import Foundation
import VigilAnalysis
import VigilCore
import VigilModels
import VigilRedaction
import VigilVerdict

/// The demo's in-process compliance engine: fetches the recording through the request's pre-signed
/// media link (no bearer token), runs Vigil's DTMF detector on every channel while the bytes stream in,
/// and reports a `PCI_MID_CAPTURE` violation when a run of keyed digits holds a payment card number
/// (13–19 digits, known IIN, Luhn-valid) — at the offset of its first digit, with no digits in the
/// evidence.
///
/// It stands in for `ReferenceComplianceEngine` (VigilAnalysis: DTMF and transcript analysis) until
/// that engine is merged; the pipeline sees only the `ComplianceEngine` protocol either way.
struct DTMFComplianceEngine: ComplianceEngine {
    /// The transport that reaches the media host (the simulator, or `URLSessionTransport`).
    let transport: any HTTPTransport
    /// Digits further apart than this belong to different runs.
    var maxGapMilliseconds = 1_500

    func evaluate(_ request: ComplianceRequest) async throws -> EngineReply {
        let (response, body) = try await transport.send(HTTPRequest(method: .get, url: request.media.uri.url), body: nil)
        if response.status == 403 || response.status == 404 {
            throw ComplianceEngineError(code: .mediaLinkExpired, status: response.status,
                                        correlationId: request.correlationId, detail: "the media host refused the link")
        }
        guard response.isSuccess, let body else {
            throw ComplianceEngineError(code: .unavailable, status: response.status, correlationId: request.correlationId,
                                        detail: "the media host failed")
        }
        var scanner = DTMFScanner()
        var events: [DTMFDigitEvent] = []
        do {
            for try await chunk in body { events += try scanner.consumeWAV(chunk) }
            events += try scanner.finish()
        } catch let error as AudioDecodingError {
            throw ComplianceEngineError(code: .rejected, correlationId: request.correlationId,
                                        detail: "the media is not a readable WAV (\(error.code))")
        }
        if let offset = Self.cardOffset(events, maxGapMilliseconds: maxGapMilliseconds) {
            return .verdict(ComplianceVerdict(recordingId: request.recordingId, verdict: .violationDetected,
                                              violationType: .pciMidCapture, confidenceScore: 0.97,
                                              timestampOffsetMs: Int64(offset), evidenceSnippet: nil,
                                              recommendedAction: .routeToComplianceQueue,
                                              correlationId: request.correlationId))
        }
        return .verdict(ComplianceVerdict(recordingId: request.recordingId, verdict: .compliant, confidenceScore: 0.95,
                                          recommendedAction: RecommendedAction.none, correlationId: request.correlationId))
    }

    /// The start (ms) of the first card number keyed on any channel, if any.
    static func cardOffset(_ events: [DTMFDigitEvent], maxGapMilliseconds: Int) -> Int? {
        var best: Int?
        for channel in Set(events.map(\.channel)) {
            var run: [DTMFDigitEvent] = []
            func check() {
                let digits = run.compactMap { $0.digit.rawValue.asciiValue }.filter { $0 >= 0x30 && $0 <= 0x39 }
                guard digits.count == run.count, digits.count >= 13 else { return }
                for length in 13...min(19, digits.count) {
                    for start in 0...(digits.count - length) where PaymentCard.isValid(digits[start..<(start + length)]) {
                        let offset = run[start].startMilliseconds
                        best = min(best ?? offset, offset)
                        return
                    }
                }
            }
            for event in events where event.channel == channel {
                if let last = run.last, event.startMilliseconds - (last.startMilliseconds + last.durationMilliseconds) > maxGapMilliseconds {
                    check()
                    run = []
                }
                run.append(event)
            }
            check()
        }
        return best
    }
}
