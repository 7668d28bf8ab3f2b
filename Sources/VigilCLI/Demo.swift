import Foundation
import Vigil
import VigilAnalysis
@_spi(VigilInternal) import VigilCore
import VigilEventSub
import VigilIdempotency
import VigilModels
import VigilPlatformClient
import VigilRedaction
import VigilTesting

/// `vigil demo`: a guided, self-checking tour of what this version of Vigil does — the foundation, then
/// the whole pipeline on a simulated organisation — with every check run for real against the SDK
/// (nothing is pre-recorded). Exit code 1 when a check fails.
enum Demo {
    static func run(_ arguments: [String]) async -> Int32 {
        if arguments.contains("-h") || arguments.contains("--help") {
            print(PipelineDemo.usage, terminator: "")
            return 0
        }
        let options: PipelineDemo.Options
        switch PipelineDemo.parse(arguments, environment: ProcessInfo.processInfo.environment) {
        case let .success(parsed): options = parsed
        case let .failure(error):
            FileHandle.standardError.write(Data("vigil demo: \(error.message)\n\n\(PipelineDemo.usage)".utf8))
            return 2
        }
        let report = Report()
        if options.isLive {
            print("Vigil \(VigilBuild.version) — demo against a real organisation (this path cannot run in CI: it needs credentials)")
            await PipelineDemo.runLive(options, report)
            return report.finish()
        }
        print("Vigil \(VigilBuild.version) — demo: compliance flagging for Genesys Cloud recordings, end to end\n")
        if options.foundation {
            print("Part 1 — the foundation, one building block at a time")
            await strictVerdicts(report)
            await signedDeliveries(report)
            await retrySchedule(report)
            await breaker(report)
            await duplicateDeliveries(report)
            await recordingThroughTheTraps(report)
            await provisioning(report)
            await liveCall(report)
            print("")
        }
        await PipelineDemo.runSimulated(options, report)
        return report.finish()
    }

    /// `vigil provision`: the seed's subscription rendered into a Process Automation trigger, applied
    /// twice to the simulated organisation (created, then unchanged), a changed one updated in place.
    static func provisioning(_ report: Report) async {
        report.section("7. Provisioning the platform side (vigil provision: the seed's subscription made real)")
        do {
            let seed =
                #"{"name":"ComplianceRecordingIngestion","description":"Triggers external compliance validation","event":"recording:recordingAvailable","eventData":{"include":["recordingId","direction","channel"]},"destination":{"type":"webhook","url":"https://vigil.example.com/webhooks/genesys"}}"#
            let subscription = try VigilJSON.decode(EventSubscription.self, from: Data(seed.utf8))
            let workflowId = "5b7c3e1a-9d2f-4a6b-8c0e-1f2a3b4c5d6e"
            let plan = try ProvisioningPlan.render(
                subscription, workflowId: workflowId,
                audioHookURI: URL(string: "wss://vigil.example.com/audiohook/ws"))
            report.note(
                "trigger \(plan.trigger.name) on \(plan.trigger.topicName) → workflow \(plan.trigger.target.id); "
                    + "EventBridge filters \(plan.eventBridgeTopicFilters.joined(separator: ", "))")
            let cloud = SimulatedGenesysCloud()
            let applier = ProvisioningApplier(client: GenesysCloudClient(region: cloud.region, credentials: cloud.credentials, transport: cloud))
            let first = try await applier.apply(plan)
            let second = try await applier.apply(plan)
            var changed = plan
            changed.trigger.description = "Compliance validation, revised"
            let third = try await applier.apply(changed)
            let triggers = await cloud.processAutomationTriggers
            report.check(
                "applied: \(Provision.describe(first)); again: \(Provision.describe(second)); changed: "
                    + "\(Provision.describe(third)) — \(triggers.count) trigger, version \(triggers.first?.version ?? 0)",
                triggers.count == 1 && triggers.first?.version == 2 && second == .unchanged(triggerId: triggers[0].id ?? ""))
        } catch {
            report.check("provisioning on the simulated organisation (\(error))", false)
        }
    }

    /// The seed's verdict decodes; malformed or hostile ones are refused with a field path.
    static func strictVerdicts(_ report: Report) async {
        report.section("1. Strict verdict decoding (the seed's schema)")
        do {
            let verdict = try VigilJSON.decode(ComplianceVerdict.self, from: seedVerdict)
            report.check(
                "the seed's verdict decodes: \(verdict.verdict) \(verdict.violationType.map { "\($0)" } ?? "-") at \(verdict.timestampOffsetMs ?? 0) ms, confidence \(verdict.confidenceScore)",
                verdict.confidenceScore == 0.94 && verdict.timestampOffsetMs == 124_500)
        } catch {
            report.check("the seed's verdict decodes (\(error))", false)
        }
        let hostile: [(String, String, String)] = [
            ("confidence above 1", seedVerdictText.replacingOccurrences(of: "0.94", with: "1.2"), "confidenceScore"),
            (
                "recordingId that is not a UUID",
                seedVerdictText.replacingOccurrences(of: "a1b2c3d4-e5f6-7890-abcd-ef1234567890", with: "4111111111111111"), "recordingId"
            ),
            ("negative offset", seedVerdictText.replacingOccurrences(of: "124500", with: "-1"), "timestampOffsetMs"),
            ("card number where a number belongs", seedVerdictText.replacingOccurrences(of: "0.94", with: "\"4111111111111111\""), "confidenceScore")
        ]
        for (label, json, path) in hostile {
            do {
                _ = try VigilJSON.decode(ComplianceVerdict.self, from: Array(json.utf8))
                report.check("\(label): refused", false)
            } catch {
                let text = "\(error)"
                report.check(
                    "\(label): refused — \(error.code) at `\(error.path)`, value not echoed",
                    error.path == path && !text.contains("4111111111111111"))
            }
        }
    }

    /// Standard Webhooks signatures over the raw body: a tampered body or a wrong key is detected.
    static func signedDeliveries(_ report: Report) async {
        report.section("2. Signed deliveries (Standard Webhooks: HMAC-SHA256 over id.timestamp.body)")
        // The pinned vector from standard-webhooks/standard-webhooks (libraries/go/webhook_test.go).
        let secret = (try? StandardWebhooks.decodeSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")) ?? []
        func sign(_ body: String, key: [UInt8]) -> String {
            StandardWebhooks.signature(
                id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
                body: Array(body.utf8), keyed: HMACSHA256(key: key))
        }
        let expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        let body = #"{"test": 2432232314}"#
        report.check("reference vector reproduced: \(sign(body, key: secret))", sign(body, key: secret) == expected)
        report.check("tampered body detected", !ConstantTime.equals(Array(sign(#"{"test": 2432232315}"#, key: secret).utf8), Array(expected.utf8)))
        report.check("wrong key detected", !ConstantTime.equals(Array(sign(body, key: Array("other-key".utf8)).utf8), Array(expected.utf8)))
    }

    /// Full-jitter backoff and Retry-After, on a clock the demo controls.
    static func retrySchedule(_ report: Report) async {
        report.section("3. Retries: capped full jitter, Retry-After honoured (seeded, on a test clock)")
        let policy = ExponentialBackoffPolicy(base: .milliseconds(250), cap: .seconds(20), maxAttempts: 8, random: .seeded(2026))
        let delays = (1..<8).compactMap { policy.delay(afterAttempt: $0, failure: RetryableFailure(.status(503))) }
        let ceilings = (1..<8).map { policy.ceiling(afterAttempt: $0) }
        report.note("503 storm, waits: " + delays.map { String(format: "%.2fs", $0.seconds) }.joined(separator: " "))
        report.check(
            "each wait lies in [0, min(20 s, 250 ms · 2^(n-1)))",
            zip(delays, ceilings).allSatisfy { $0 >= .zero && $0 < $1 } && delays.count == 7)
        report.check(
            "429 with Retry-After: 30 waits exactly 30 s",
            policy.delay(afterAttempt: 1, failure: RetryableFailure(.status(429), retryAfter: .seconds(30))) == .seconds(30))
        report.check(
            "429 with Retry-After: 600 goes back to the queue instead of holding a worker",
            policy.delay(afterAttempt: 1, failure: RetryableFailure(.status(429), retryAfter: .seconds(600))) == nil)

        let clock = TestClock()
        let calls = Locked(0)
        let executor = RetryExecutor(policy: ExponentialBackoffPolicy(base: .seconds(1), random: .constant(0.5)), clock: clock)
        let task = Task {
            try await executor.run(classify: { _ in RetryableFailure(.status(503)) }) { attempt -> Int in
                calls.withLock { $0 += 1 }
                if attempt < 4 { throw DemoFailure() }
                return attempt
            }
        }
        let attempts = (try? await clock.drive(task)) ?? -1
        report.check(
            "a flaky call succeeds on attempt \(attempts) after \(clock.now.offset) of simulated waiting, no real sleep",
            attempts == 4 && calls.withLock { $0 } == 4 && clock.now.offset == .milliseconds(3500))
    }

    /// A failing compliance engine trips the breaker; calls then fail fast with a retry time.
    static func breaker(_ report: Report) async {
        report.section("4. Circuit breaker around a failing compliance engine")
        let clock = TestClock()
        let breaker = CircuitBreaker(
            name: "engine",
            configuration: .init(
                failureRateThreshold: 50, slidingWindowSize: 10,
                minimumNumberOfCalls: 10,
                waitDurationInOpenState: .seconds(30),
                permittedCallsInHalfOpenState: 2),
            clock: clock)
        for index in 0..<10 {
            _ = try? await breaker.execute { () async throws -> Int in
                if index % 2 == 0 { throw DemoFailure() }
                return index
            }
        }
        report.check("5 failures in 10 calls (50 %) open the breaker", await breaker.state == .open)
        do {
            _ = try await breaker.execute { 1 }
            report.check("an open breaker fails fast", false)
        } catch let error as CircuitBreakerOpenError {
            report.check(
                "an open breaker fails fast; the job is requeued with retryAfter \(error.retryAfter)",
                error.isRetryable && error.retryAfter == .seconds(30))
        } catch {
            report.check("an open breaker fails fast (\(error))", false)
        }
        clock.advance(by: .seconds(30))
        _ = try? await breaker.execute { 1 }
        _ = try? await breaker.execute { 2 }
        report.check("after 30 s two healthy probes close it again", await breaker.state == .closed)
    }

    /// A retry storm of one delivery: exactly one worker gets the recording.
    static func duplicateDeliveries(_ report: Report) async {
        report.section("5. Exactly once per recordingId under a retry storm")
        let clock = TestClock()
        let store = InMemoryIdempotencyStore(now: clock.wall)
        let key = "recording:a1b2c3d4-e5f6-7890-abcd-ef1234567890"
        let results = await withTaskGroup(of: ClaimResult?.self) { group in
            for _ in 0..<1_000 {
                group.addTask { try? await store.claim(key, fingerprint: "sha256:seed-event", lease: .seconds(60)) }
            }
            var all: [ClaimResult?] = []
            for await result in group { all.append(result) }
            return all
        }
        let winners = results.compactMap { result -> LeaseToken? in
            if case .acquired(let token) = result { return token }
            return nil
        }
        report.check(
            "1 000 concurrent deliveries → \(winners.count) claim acquired, \(results.count - winners.count) told it is in progress",
            winners.count == 1)
        if let token = winners.first {
            try? await store.complete(
                key, token: token, outcome: StoredOutcome(status: "accepted", details: [:], completedAt: clock.wallNow),
                retain: .seconds(86_400))
        }
        let again = try? await store.claim(key, fingerprint: "sha256:seed-event", lease: .seconds(60))
        if case .completed(let outcome) = again {
            report.check("a later duplicate gets the cached acknowledgement (\(outcome.status))", outcome.status == "accepted")
        } else {
            report.check("a later duplicate gets the cached acknowledgement", false)
        }
        let conflict = try? await store.claim(key, fingerprint: "sha256:different-payload", lease: .seconds(60))
        if case .conflict = conflict {
            report.check("the same recordingId with a different payload is flagged as a conflict", true)
        } else {
            report.check("the same recordingId with a different payload is flagged as a conflict", false)
        }
    }

    /// A call recorded as stereo µ-law (channel 0 customer, 1 agent); the customer keys a test card number
    /// as DTMF. It goes through the simulated organization's traps, then through the DTMF detector.
    static func recordingThroughTheTraps(_ report: Report) async {
        report.section("6. A recording through Genesys Cloud's traps, then Vigil's DTMF detector")
        let synthesizer = DTMFSynthesizer(sampleRate: 8000)
        let keyedAtMs = 12_000
        let customer =
            synthesizer.sequence("4111111111111111", leadingMilliseconds: Double(keyedAtMs))
            + synthesizer.generator.silence(milliseconds: 3_000)
        let agent = [Float](repeating: 0, count: customer.count)
        let wav = WAVEncoder.encode([customer, agent], format: AudioFormat(encoding: .muLaw, sampleRate: 8000, channelCount: 2))

        let clock = TestClock()
        let faults = SimulatedGenesysCloud.Faults(
            transcodingPolls: 3, truncatedMediaFetches: 1, expiredMediaURLs: 1,
            rateLimitBursts: .init(probability: 0.3, length: 2, statuses: [429], retryAfterSeconds: 3),
            tokenExpiresAfterRequests: 4)
        let cloud = SimulatedGenesysCloud(configuration: .init(seed: 2026, faults: faults), clock: clock)
        let (conversationId, recordingId) = await cloud.addRecording(media: .bytes(wav))
        let client = GenesysCloudClient(
            region: cloud.region, credentials: cloud.credentials, transport: cloud,
            clock: clock, now: clock.wall)
        let work = Task { () throws -> (events: [DTMFDigitEvent], refetched: Bool, bytes: Int) in
            let recording = try await client.awaitRecording(conversationId: conversationId, recordingId: recordingId)
            let download = try await client.downloadMedia(of: recording)
            var scanner = DTMFScanner()
            var events: [DTMFDigitEvent] = []
            var bytes = 0
            for try await chunk in download.body {
                bytes += chunk.count
                events += try scanner.consumeWAV(chunk)
            }
            events += try scanner.finish()
            return (events, download.refetchedURL, bytes)
        }
        do {
            let result = try await clock.drive(work)
            let log = await cloud.requests
            let transcoding = log.filter { $0.status == 202 }.count
            let throttled = log.filter { $0.status == 429 }.count
            let tokens = await cloud.tokenRequestCount
            report.note(
                "\(log.count) requests: \(transcoding)× 202 transcoding, \(throttled)× 429, \(tokens) token grants, "
                    + "\(clock.now.offset) of simulated waiting")
            report.check(
                "the recording is awaited through 202 transcoding, 429 Retry-After and token expiry",
                transcoding == 3 && throttled > 0 && tokens >= 2)
            report.check(
                "an expired media URL is refreshed once, then \(result.bytes) bytes stream in", result.refetched && result.bytes == wav.count)
            let ranges = await cloud.mediaRanges(recordingId: recordingId)
            report.check(
                "the download was cut half way and resumed with `Range: bytes=\(ranges.first ?? -1)-` — no byte read twice, "
                    + "the detector saw one unbroken stream", ranges == [Int64(wav.count / 2)])
            let digits = result.events.filter { $0.channel == 0 }.compactMap { $0.digit.rawValue.asciiValue }
            let first = result.events.first
            let masked =
                String(repeating: "*", count: max(0, digits.count - 4))
                + String(decoding: digits.suffix(4), as: UTF8.self)
            report.check(
                "DTMF on the customer channel: \(digits.count) digits from \(first?.startMilliseconds ?? -1) ms, "
                    + "card \(masked) (Luhn and IIN valid) — never printed in full",
                digits.count == 16 && PaymentCard.isValid(digits) && abs((first?.startMilliseconds ?? 0) - keyedAtMs) <= 20
                    && result.events.allSatisfy { $0.channel == 0 })
        } catch {
            report.check("the recording is fetched and analysed (\(error))", false)
        }
    }

    static let seedVerdictText = """
        {"recordingId":"a1b2c3d4-e5f6-7890-abcd-ef1234567890","verdict":"VIOLATION_DETECTED","violationType":"PCI_MID_CAPTURE",\
        "confidenceScore":0.94,"timestampOffsetMs":124500,"evidenceSnippet":"masked_audio_segment_uri",\
        "recommendedAction":"ROUTE_TO_COMPLIANCE_QUEUE","correlationId":"evt-sub-req-8847291"}
        """
    static var seedVerdict: [UInt8] { Array(seedVerdictText.utf8) }
}

struct DemoFailure: Error {}

/// Collects check results and prints them as they happen.
final class Report: @unchecked Sendable {
    private var passed = 0
    private var failed: [String] = []

    func section(_ title: String) { print("\n\(title)") }
    func note(_ text: String) { print("   · \(text)") }

    func check(_ label: String, _ ok: Bool) {
        if ok { passed += 1 } else { failed.append(label) }
        print("   \(ok ? "✓" : "✗") \(label)")
    }

    func finish() -> Int32 {
        print("\n\(passed) checks passed, \(failed.count) failed.")
        if !failed.isEmpty {
            for label in failed { print("   FAILED: \(label)") }
            return 1
        }
        print(
            """

            What you just saw runs the real SDK code paths: the same CompliancePipeline a host embeds
            (module `Vigil`), on a simulated organisation and simulated time. See README.md for embedding it.
            """)
        return 0
    }
}
