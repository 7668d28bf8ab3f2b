// The cost of Vigil's engine-boundary machinery — circuit breaker + verdict validation + policy —
// against the in-run baseline of decoding the same verdict's JSON with VigilJSON (work every
// verdict goes through anyway). Goal: the machinery costs at most 25 % of the decode.
//
// "Evaluate" runs `ComplianceEvaluator.evaluate` around an in-process engine that returns a pre-built
// verdict, behind a `CircuitBreakingComplianceEngine` on the `ContinuousClock`: one breaker permit
// (actor hop + two clock reads + window update), the existential engine call, every validator rule
// (ids, ranges, evidence URI parsing and the PAN/SSN scan) and the policy lookup. The three
// "only" benchmarks split that cost. Read the p50 of `wallClock` (per iteration of 1,000 calls).
//
// Measured 2026-11-28 on the project machine (2 shared x86-64 cores, release, p50 per call), with
// VigilRedaction's detectors as the evidence scanner:
//   Baseline decode of the verdict JSON:       6.65 µs
//   Evaluate (breaker + validator + policy):   1.36 µs  -> 20.4 % of the decode (goal <= 25 %)
//     only breaker 0.52 µs, only validator 0.38 µs, only policy 0.16 µs
//   Validator with digit-heavy masked text:    0.43 µs
// An earlier run on a noisier machine gave decode 7.3 µs and evaluate 1.37 µs (18.8 %).
import Benchmark
import Foundation
import VigilCore
import VigilModels
import VigilVerdict

private let recordingId = GenesysID("a1b2c3d4-e5f6-7890-abcd-ef1234567890")!
private let correlationId = CorrelationID("evt-sub-req-8847291")!

private let verdict = ComplianceVerdict(
    recordingId: recordingId, verdict: .violationDetected, violationType: .pciMidCapture, confidenceScore: 0.94,
    timestampOffsetMs: 124_500, evidenceSnippet: "https://evidence.example.com/segments/masked-7f3a?start=124500",
    recommendedAction: .routeToComplianceQueue, correlationId: correlationId)

private let verdictJSON: Data = try! VigilJSON.encode(verdict)

private let request = ComplianceRequest(
    correlationId: correlationId, recordingId: recordingId,
    conversationId: GenesysID("2f7bf00a-0fc2-4d6a-9b56-92238191433e")!,
    media: MediaLink(
        uri: PresignedURL(string: "https://media.example.com/rec.wav?sig=abc")!,
        expiresAt: Date().addingTimeInterval(3_000), format: .wav),
    metadata: ComplianceRequestMetadata(channel: .voice, direction: .inbound, durationMs: 312_000),
    requestedAt: Date())

/// An in-process engine with its answer ready.
private struct PrebuiltEngine: ComplianceEngine {
    let reply: EngineReply
    func evaluate(_ request: ComplianceRequest) async throws -> EngineReply { reply }
}

private func makeEvaluator() -> ComplianceEvaluator {
    let breaker = CircuitBreaker(
        name: "engine",
        configuration: .init(
            slowCallDurationThreshold: .seconds(20), slidingWindowSize: 100, minimumNumberOfCalls: 20,
            recordFailure: ComplianceEngineError.countsAgainstEngine))
    let engine = CircuitBreakingComplianceEngine(base: PrebuiltEngine(reply: .verdict(verdict)), breaker: breaker)
    return ComplianceEvaluator(engine: engine, validator: VerdictValidator(), policy: .default)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput],
        warmupIterations: 3,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 2_000
    )

    Benchmark("Baseline: decode verdict JSON (VigilJSON)") { benchmark in
        let bytes = verdictJSON
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try VigilJSON.decode(ComplianceVerdict.self, from: bytes))
        }
    }

    Benchmark("Evaluate: breaker + validator + policy") { benchmark in
        let evaluator = makeEvaluator()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try await evaluator.evaluate(request))
        }
    }

    Benchmark("Only breaker (in-process engine)") { benchmark in
        let breaker = CircuitBreaker(name: "engine", configuration: .init(slidingWindowSize: 100, minimumNumberOfCalls: 20))
        let engine = CircuitBreakingComplianceEngine(base: PrebuiltEngine(reply: .verdict(verdict)), breaker: breaker)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try await engine.evaluate(request))
        }
    }

    Benchmark("Only validator") { benchmark in
        let validator = VerdictValidator()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try validator.validate(verdict, for: request))
        }
    }

    // The evidence above has no long digit run, so the PAN/SSN scan takes its fast path; this one
    // (masked card, a Luhn-failing number, a UUID) runs the full scan.
    Benchmark("Only validator (digit-heavy masked text)") { benchmark in
        let validator = VerdictValidator()
        var heavy = verdict
        heavy.evidenceSnippet =
            "card **** **** **** 1111 read at 02:04; ref 4111 1111 1111 1112; "
            + "segment a1b2c3d4-e5f6-7890-abcd-ef1234567890"
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try validator.validate(heavy, for: request))
        }
    }

    Benchmark("Only policy") { benchmark in
        let policy = VerdictPolicy.default
        let validated = try VerdictValidator().validate(verdict, for: request)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(policy.decide(validated))
        }
    }
}
