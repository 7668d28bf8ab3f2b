// Redaction throughput on transcript-like text, against the in-run baseline of a plain UTF-8
// validation scan of the same bytes (`String(validating:)`), so that the ratio is meaningful on a
// noisy shared machine.
//
// The input is ~64 KiB of agent/customer dialogue with about three card numbers per KiB (contiguous,
// space- and hyphen-separated), plus expiry dates, CVVs, phone numbers, e-mail addresses, order ids,
// GUIDs and timestamps. Read the `throughput` metric: one iteration processes the whole text, so
// MB/s = throughput × 65 536 / 10⁶.
//
// The text has ~4.3 card numbers and ~11.5 findings per KiB (~735 findings in all), which makes
// the token case HMAC-bound (one HMAC-SHA256 per finding).
//
// Measured 2026-11-28 on the project machine (x86-64, shared, 2 cores; p50 wall clock per 64 KiB):
//   UTF-8 validation (baseline)        2.6 µs  ~25 GB/s (stdlib, vectorised ASCII fast path)
//   PIIDetector.findings               159 µs  ~410 MB/s  (1.6 % of the baseline)
//   Redactor.redact, mask              300 µs  ~220 MB/s
//   Redactor.redact, token             908 µs   ~72 MB/s
//   Redactor.redact(transcript:), mask 1.05–1.4 ms ~45–60 MB/s (noisy)
//   JSONSanitizer, 1 KiB event with PII  18 µs  ~56 000 events/s
import Benchmark
import VigilRedaction

private let sentences: [String] = [
    "Agent: Thank you for calling, how can I help you today? ",
    "Customer: I would like to pay my bill with my card 4111 1111 1111 1111, it expires 12/27. ",
    "Agent: Sure, and the security code on the back? Customer: it is 737. ",
    "Agent: I can see order 20261128000123 from conversation 2f7bf00a-0fc2-4d6a-9b56-92238191433e. ",
    "Customer: Actually please use the Mastercard 5555-5555-5555-4444 instead. ",
    "Agent: No problem. Can I reach you on +44 20 7946 0958 or at jane.doe@example.com if needed? ",
    "Customer: Yes, or my mobile (317) 555-0123. The other card was 371449635398431. ",
    "Agent: The payment event was logged at 1748503543012 and will settle in two or three days. ",
    "Customer: Great, thanks very much for your help, have a nice day. "
]

private let transcript: [UInt8] = {
    var text = ""
    var index = 0
    while text.utf8.count < 64 * 1024 {
        text += sentences[index % sentences.count]
        index += 1
    }
    return Array(text.utf8.prefix(64 * 1024))
}()

private let transcriptString = String(decoding: transcript, as: UTF8.self)

/// A ~1 KiB recording event with participant PII, as the webhook receiver sees it.
private let event: [UInt8] = {
    var json = """
        {"id":"c03d300e-5c5a-4b58-9a5b-0f4c2d1e8a77","event":"recording:recordingAvailable","eventTime":1649237504949,
        "data":{"recordingId":"2f7bf00a-0fc2-4d6a-9b56-92238191433e","conversationId":"8d1f6c0e-3b2a-4f5d-9e8c-7a6b5c4d3e2f",
        "mediaUri":"https://api.mypurecloud.com/api/v2/conversations/8d1f6c0e/recordings/2f7bf00a","startTime":"2026-11-28T15:23:02.123Z",
        "endTime":"2026-11-28T15:31:47.456Z","direction":"inbound","channel":"voice","tags":["billing","payment"],
        "participants":[{"purpose":"customer","ani":"tel:+13175550123","dnis":"tel:+18005550199","name":"Jane Doe",
        "email":"jane.doe@example.com","externalCallerId":"Jane D","attributes":{"note":"paid with 4111 1111 1111 1111 exp 12/27",
        "ssn":"ssn 536-22-1234","callback":"(317) 555-0123"}},{"purpose":"agent","userId":"a1b2c3d4-e5f6-4789-abcd-ef0123456789",
        "queue":"Payments","wrapup":"RESOLVED"}],"durationMs":525333,"segments":[{"start":0,"end":262000},{"start":262000,"end":525333}]}}
        """
    while json.utf8.count < 1024 { json.insert(" ", at: json.index(before: json.endIndex)) }
    return Array(json.utf8)
}()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput],
        warmupIterations: 3,
        maxDuration: .seconds(2),
        maxIterations: 10_000
    )

    Benchmark("UTF-8 validation 64KiB (baseline)") { benchmark in
        let bytes = transcript
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            if #available(macOS 15, *) {
                blackHole(String(validating: bytes, as: UTF8.self))
            } else {
                blackHole(String(decoding: bytes, as: UTF8.self))
            }
        }
    }

    Benchmark("PIIDetector.findings 64KiB") { benchmark in
        let detector = PIIDetector()
        let bytes = transcript
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(detector.findings(inUTF8: bytes))
        }
    }

    Benchmark("Redactor.redact mask 64KiB") { benchmark in
        let redactor = try Redactor()
        let text = transcriptString
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(redactor.redact(text))
        }
    }

    Benchmark("Redactor.redact token 64KiB") { benchmark in
        let redactor = try Redactor(policy: .tokenizeAll, tokenKey: try TokenKey(Array(0..<32)))
        let text = transcriptString
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(redactor.redact(text))
        }
    }

    // Events per second; compare with the receiver's budget (issue 4 §7).
    Benchmark("JSONSanitizer.sanitize 1KiB event", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let sanitizer = try JSONSanitizer(tokenKey: try TokenKey(Array(0..<32)))
        let bytes = event
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try sanitizer.sanitize(bytes))
        }
    }

    Benchmark("Redactor.redact(transcript:) mask 64KiB") { benchmark in
        let redactor = try Redactor()
        let text = transcriptString
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(redactor.redact(transcript: text))
        }
    }
}
