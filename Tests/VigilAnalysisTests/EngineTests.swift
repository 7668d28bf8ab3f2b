import Foundation
import Testing
import VigilAnalysis
import VigilCore
import VigilModels
import VigilTesting
import VigilVerdict

@Suite("DTMF findings")
struct DTMFFindingTests {
    @Test func cardRunIsPCIMidCaptureAtFirstDigitWithMaskedEvidence() throws {
        let findings = DTMFFindingAnalyzer.findings(in: Calls.digitEvents("4111111111111111", atMs: 12000))
        let finding = try #require(findings.first)
        #expect(findings.count == 1)
        #expect(finding.type == .pciMidCapture)
        #expect(finding.offsetMs == 12000)
        #expect(finding.participant == "external")
        #expect(finding.confidence > 0.99)
        #expect(finding.evidence == "DTMF card ************1111 at 12.0 s (external)")
    }

    @Test func luhnInvalidOrSplitRunsGiveNothing() {
        #expect(DTMFFindingAnalyzer.findings(in: Calls.digitEvents("4111111111111112", atMs: 0)).isEmpty)
        // The same card keyed with a 3 s pause in the middle is two short runs.
        let split = Calls.digitEvents("41111111", atMs: 0) + Calls.digitEvents("11111111", atMs: 4000)
        #expect(DTMFFindingAnalyzer.findings(in: split).isEmpty)
        // ... unless the policy allows longer pauses.
        let lenient = DTMFFindingAnalyzer.Configuration(maxDigitGapMs: 5000)
        #expect(DTMFFindingAnalyzer.findings(in: split, configuration: lenient).map(\.type) == [.pciMidCapture])
        // A '#' ends a run.
        #expect(DTMFFindingAnalyzer.findings(in: Calls.digitEvents("41111111#11111111", atMs: 0)).isEmpty)
    }

    @Test func securityCodeAfterCardOnSameChannelWithinWindow() {
        let card = Calls.digitEvents("4111111111111111", atMs: 1000)
        let soon = DTMFFindingAnalyzer.findings(in: card + Calls.digitEvents("123", atMs: 8000))
        #expect(soon.map(\.type) == [.pciMidCapture, .pciCvvCapture])
        #expect(soon.last?.evidence == "DTMF security code *** at 8.0 s (external)")
        #expect(DTMFFindingAnalyzer.findings(in: card + Calls.digitEvents("1234", atMs: 40000)).count == 1)
        #expect(DTMFFindingAnalyzer.findings(in: card + Calls.digitEvents("123", channel: 1, atMs: 8000)).count == 1)
        #expect(DTMFFindingAnalyzer.findings(in: Calls.digitEvents("123", atMs: 8000)).isEmpty)
        // Keyed without a pause: one run, split into card + code.
        let joined = DTMFFindingAnalyzer.findings(in: Calls.digitEvents("4111111111111111" + "1234", atMs: 0))
        #expect(joined.map(\.type) == [.pciMidCapture, .pciCvvCapture])
        #expect(joined.first?.evidence.hasPrefix("DTMF card ************1111 ") == true)
        #expect(joined.last?.offsetMs == 16 * 120)
        // A menu choice keyed just before the card: skipped, the card starts at the second digit.
        let menu = DTMFFindingAnalyzer.findings(in: Calls.digitEvents("2" + "4111111111111111", atMs: 0))
        #expect(menu.map(\.type) == [.pciMidCapture])
        #expect(menu.first?.offsetMs == 120)
        #expect(DTMFFindingAnalyzer.findings(in: Calls.digitEvents("123" + "4111111111111111", atMs: 0)).isEmpty)
    }

    @Test func ssnRuns() throws {
        let found = DTMFFindingAnalyzer.findings(in: Calls.digitEvents("213554321", channel: 1, atMs: 500))
        #expect(found.map(\.type) == [.ssnDisclosure])
        #expect(found.first?.participant == "internal")
        #expect(found.first?.evidence.contains("4321") == false)
        for invalid in ["000123456", "666123456", "912345678", "123006789", "123450000", "123456789", "555555555"] {
            #expect(DTMFFindingAnalyzer.findings(in: Calls.digitEvents(invalid, atMs: 0)).isEmpty, "\(invalid)")
        }
    }

    @Test func advanceClosesRunsWhileAudioStreams() {
        var analyzer = DTMFFindingAnalyzer()
        // A 13-digit Visa (a rare length: only a run's end shows it is the whole card).
        #expect(analyzer.consume(Calls.digitEvents("4222222222222", atMs: 1000)).isEmpty)
        #expect(analyzer.advance(toMilliseconds: 3500).isEmpty)
        #expect(analyzer.advance(toMilliseconds: 6000).map(\.type) == [.pciMidCapture])
        #expect(analyzer.finish().isEmpty)
    }
}

@Suite("Reference compliance engine")
struct ReferenceEngineTests {
    static let card = "4111111111111111"

    @Test func cardKeyedOnChannelZeroIsPCIMidCaptureAtTheFirstDigit() async throws {
        let wav = Calls.stereo(seconds: 8, keys: [(1000, Self.card)])
        let engine = ReferenceComplianceEngine(transport: Calls.serving(wav))
        let request = Calls.request()
        guard case let .verdict(verdict) = try await engine.evaluate(request) else {
            Issue.record("expected a verdict")
            return
        }
        #expect(verdict.verdict == .violationDetected)
        #expect(verdict.violationType == .pciMidCapture)
        #expect(verdict.recordingId == request.recordingId)
        #expect(verdict.correlationId == request.correlationId)
        let offset = try #require(verdict.timestampOffsetMs)
        #expect(abs(offset - 1000) <= 20)
        #expect(verdict.confidenceScore >= 0.9)
        #expect(verdict.recommendedAction == .routeToComplianceQueue)
        let evidence = try #require(verdict.evidenceSnippet)
        #expect(evidence.hasPrefix("DTMF card ************1111 at 1.0 s (external)"))
        #expect(!evidence.contains(Self.card))
        #expect(!evidence.contains("41111"))
        // The verdict is valid on the wire.
        let decoded = try VigilJSON.decode(ComplianceVerdict.self, from: try VigilJSON.encode(verdict))
        #expect(decoded == verdict)
        // ... and passes Vigil's own verdict validator (ids, masked evidence) without review.
        #expect(try VerdictValidator().validate(verdict, for: request).reviewReasons.isEmpty)
    }

    @Test(arguments: [(AudioEncoding.pcm16, 16000, 1), (.aLaw, 8000, 2), (.pcm16, 8000, 2)])
    func otherFormats(encoding: AudioEncoding, sampleRate: Int, channels: Int) async throws {
        let synth = DTMFSynthesizer(sampleRate: sampleRate)
        var tones = synth.sequence("5555555555554444", leadingMilliseconds: 2000)
        tones += synth.generator.silence(milliseconds: 3000)
        let wav = WAVEncoder.encode(
            Array(repeating: tones, count: channels),
            format: AudioFormat(encoding: encoding, sampleRate: sampleRate, channelCount: channels))
        let found = Locked<[ComplianceFinding]>([])
        let engine = ReferenceComplianceEngine(transport: Calls.serving(wav, chunkSize: 999)) { finding in found.withLock { $0.append(finding) } }
        guard case let .verdict(verdict) = try await engine.evaluate(Calls.request(format: .wav)) else {
            Issue.record("expected a verdict"); return
        }
        #expect(verdict.violationType == .pciMidCapture)
        #expect(abs((verdict.timestampOffsetMs ?? 0) - 2000) <= 20)
        #expect(found.withLock { $0 }.count == channels)
        #expect(found.withLock { $0 }.first?.participant == (channels == 1 ? "mixed" : "external"))
    }

    @Test func aDownloadCutMidWayIsResumedAndTheCardAfterTheCutFound() async throws {
        // The card is keyed at 5 s of 8: past the cut at half the file.
        let wav = Calls.stereo(seconds: 8, keys: [(5000, Self.card)])
        let starts = Locked<[String]>([])
        let transport = StubTransport { request, _ in
            starts.withLock { $0.append(request.headerFields["Range"] ?? "-") }
            var headers = HTTPFields()
            if let range = request.headerFields["Range"], let from = Int(range.dropFirst(6).dropLast()) {
                headers["Content-Range"] = "bytes \(from)-\(wav.count - 1)/\(wav.count)"
                headers["Content-Length"] = String(wav.count - from)
                return (HTTPResponse(status: 206, headerFields: headers), HTTPBody(Array(wav[from...])))
            }
            headers["Content-Length"] = String(wav.count)  // announced whole, cut at half
            return (HTTPResponse(status: 200, headerFields: headers), HTTPBody(Array(wav[..<(wav.count / 2)])))
        }
        guard case let .verdict(verdict) = try await ReferenceComplianceEngine(transport: transport).evaluate(Calls.request()) else {
            Issue.record("expected a verdict"); return
        }
        #expect(verdict.violationType == .pciMidCapture)
        #expect(abs((verdict.timestampOffsetMs ?? 0) - 5000) <= 20)
        #expect(starts.withLock { $0 } == ["-", "bytes=\(wav.count / 2)-"])

        // A link that expires mid-way is the caller's to refresh.
        let expiring = StubTransport { request, _ in
            if request.headerFields["Range"] != nil { return (HTTPResponse(status: 403, headerFields: [:]), nil) }
            return (HTTPResponse(status: 200, headerFields: ["Content-Length": String(wav.count)]), HTTPBody(Array(wav[..<100])))
        }
        let error = await #expect(throws: ComplianceEngineError.self) {
            _ = try await ReferenceComplianceEngine(transport: expiring).evaluate(Calls.request())
        }
        #expect(error?.code == .mediaLinkExpired)
    }

    @Test func runsInProcessBehindTheEvaluator() async throws {
        let wav = Calls.stereo(seconds: 6, keys: [(1000, Self.card)])
        let evaluator = ComplianceEvaluator(engine: ReferenceComplianceEngine(transport: Calls.serving(wav)))
        guard case let .decided(validated, decision) = try await evaluator.evaluate(Calls.request()) else {
            Issue.record("expected a decision"); return
        }
        #expect(validated.verdict.violationType == .pciMidCapture)
        #expect(!validated.requiresHumanReview)
        #expect(!decision.escalatedForReview)
    }

    @Test func cleanAudioIsCompliant() async throws {
        let wav = Calls.stereo(seconds: 6, keys: [])
        let reply = try await ReferenceComplianceEngine(transport: Calls.serving(wav)).evaluate(Calls.request())
        guard case let .verdict(verdict) = reply else { Issue.record("expected a verdict"); return }
        #expect(verdict.verdict == .compliant)
        #expect(verdict.violationType == nil)
        #expect(verdict.confidenceScore == 0.9)
        #expect(verdict.recommendedAction == RecommendedAction.none)
        #expect(!verdict.requiresHumanReview)
    }

    @Test func luhnInvalidRunIsCompliant() async throws {
        let wav = Calls.stereo(seconds: 6, keys: [(500, "4111111111111112")])
        let reply = try await ReferenceComplianceEngine(transport: Calls.serving(wav)).evaluate(Calls.request())
        guard case let .verdict(verdict) = reply else { Issue.record("expected a verdict"); return }
        #expect(verdict.verdict == .compliant)
    }

    @Test func securityCodeAfterCardIsReported() async throws {
        let wav = Calls.stereo(seconds: 10, keys: [(500, Self.card), (6000, "737")], channel: 1)
        let found = Locked<[ComplianceFinding]>([])
        let engine = ReferenceComplianceEngine(transport: Calls.serving(wav)) { finding in found.withLock { $0.append(finding) } }
        _ = try await engine.evaluate(Calls.request())
        #expect(found.withLock { $0 }.map(\.type) == [.pciMidCapture, .pciCvvCapture])
        #expect(found.withLock { $0 }.allSatisfy { $0.participant == "internal" && $0.channel == 1 })
        #expect(found.withLock { $0 }.allSatisfy { !$0.evidence.contains("737") && !$0.evidence.contains(Self.card) })
    }

    @Test func findingArrivesBeforeTheLastChunk() async throws {
        let wav = Calls.stereo(seconds: 20, keys: [(1000, Self.card)])
        let pulled = Locked(0)
        let chunksAtFinding = Locked<[Int]>([])
        let engine = ReferenceComplianceEngine(transport: Calls.serving(wav, chunkSize: 4000, pulled: pulled)) { _ in
            let pulledSoFar = pulled.withLock { $0 }
            chunksAtFinding.withLock { $0.append(pulledSoFar) }
        }
        _ = try await engine.evaluate(Calls.request())
        let total = (wav.count + 3999) / 4000
        let atFinding = try #require(chunksAtFinding.withLock { $0 }.first)
        #expect(pulled.withLock { $0 } == total)
        #expect(atFinding < total / 2)
    }

    @Test func stopAtFirstHighConfidenceViolationAbandonsTheDownload() async throws {
        let wav = Calls.stereo(seconds: 20, keys: [(1000, Self.card)])
        let pulled = Locked(0)
        let engine = ReferenceComplianceEngine(
            transport: Calls.serving(wav, chunkSize: 4000, pulled: pulled),
            options: .init(stopAtFirstHighConfidenceViolation: true))
        guard case let .verdict(verdict) = try await engine.evaluate(Calls.request()) else {
            Issue.record("expected a verdict"); return
        }
        #expect(verdict.violationType == .pciMidCapture)
        #expect(pulled.withLock { $0 } < (wav.count + 3999) / 4000 / 2)
    }

    @Test func transcriptMediaIsAnalysedToo() async throws {
        let json = """
            {"transcripts":[{"phrases":[
              {"text":"thank you for calling","participantPurpose":"internal","offset":{"milliseconds":1000}},
              {"text":"my number is four one one one one one one one","participantPurpose":"external","offset":{"milliseconds":5000}},
              {"text":"one one one one one one one one","participantPurpose":"external","offset":{"milliseconds":8000}}]}]}
            """
        let reply = try await ReferenceComplianceEngine(transport: Calls.serving(Array(json.utf8), chunkSize: 50))
            .evaluate(Calls.request(format: nil))
        guard case let .verdict(verdict) = reply else { Issue.record("expected a verdict"); return }
        #expect(verdict.violationType == .pciMidCapture)
        #expect(verdict.timestampOffsetMs == 5000)
    }

    @Test func unusableMediaGivesTypedErrors() async throws {
        let wav = Calls.stereo(seconds: 1, keys: [])
        await #expect(throws: AnalysisError.self) {
            try await ReferenceComplianceEngine(transport: Calls.serving(wav)).evaluate(Calls.request(format: .webm))
        }
        do {
            _ = try await ReferenceComplianceEngine(transport: Calls.serving(wav, status: 404)).evaluate(Calls.request())
            Issue.record("expected an error")
        } catch let error as ComplianceEngineError {
            #expect(error.code == .mediaLinkExpired, "a refused pre-signed link asks the caller for a fresh one")
            #expect(!ComplianceEngineError.countsAgainstEngine(error))
        }
        do {
            _ = try await ReferenceComplianceEngine(transport: Calls.serving(wav, status: 400)).evaluate(Calls.request())
            Issue.record("expected an error")
        } catch let error as AnalysisError {
            #expect(error.code == .mediaFetchFailed)
            #expect(!error.isRetryable)
        }
        do {
            _ = try await ReferenceComplianceEngine(transport: Calls.serving(wav, status: 503)).evaluate(Calls.request())
            Issue.record("expected an error")
        } catch let error as AnalysisError {
            #expect(error.isRetryable)
        }
        let ogg = Array("OggS".utf8) + [UInt8](repeating: 0, count: 100)
        do {
            _ = try await ReferenceComplianceEngine(transport: Calls.serving(ogg)).evaluate(Calls.request(format: nil))
            Issue.record("expected an error")
        } catch let error as AnalysisError {
            #expect(error.code == .unsupportedMedia)
            #expect(error.description.contains("WAV_ULAW"))
        }
    }
}

@Suite("Transcript analysis and policy")
struct TranscriptAnalysisTests {
    static func document(_ phrases: [(String, String, Int64)]) -> STATranscriptDocument {
        STATranscriptDocument(transcripts: [
            STATranscript(
                phrases: phrases.map {
                    STAPhrase(
                        text: $0.1, participantPurpose: ParticipantPurpose(rawValue: $0.0),
                        offset: STADuration(milliseconds: $0.2), confidence: 0.95)
                })
        ])
    }

    @Test func spokenCardAcrossPhrasesOfOneParticipant() throws {
        let document = Self.document([
            ("internal", "This call may be recorded. How can I help?", 2000),
            ("external", "sure my card is four one one one", 10000),
            ("internal", "go on", 12000),
            ("external", "one one one one one one one one", 13000),
            ("external", "one one one one", 16000)
        ])
        let findings = TranscriptAnalyzer().findings(in: document)
        let finding = try #require(findings.first)
        #expect(findings.count == 1)
        #expect(finding.type == .pciMidCapture)
        #expect(finding.participant == "external")
        #expect(finding.offsetMs == 10000)
        #expect(!finding.evidence.contains("one"))
    }

    @Test func wordTimingsRefineTheOffset() throws {
        let text = "sure my card is four one one one"
        var first = STAPhrase(
            text: text, participantPurpose: .external, offset: STADuration(milliseconds: 10000),
            words: text.split(separator: " ").enumerated().map { index, word in
                STAWord(word: String(word), startTimeMs: 1_700_000_010_000 + Int64(index) * 300)
            })
        first.startTimeMs = 1_700_000_010_000
        let rest = STAPhrase(
            text: "one one one one one one one one one one one one", participantPurpose: .external,
            offset: STADuration(milliseconds: 13000))
        let document = STATranscriptDocument(transcripts: [
            STATranscript(phrases: [
                STAPhrase(text: "this call is recorded", participantPurpose: .internal, offset: STADuration(milliseconds: 0)),
                first, rest
            ])
        ])
        let finding = try #require(TranscriptAnalyzer().findings(in: document).first)
        #expect(finding.type == .pciMidCapture)
        #expect(finding.offsetMs == 11200)
    }

    @Test func missingDisclosureAndProhibitedPhrase() {
        let late = Self.document([
            ("internal", "Hello, this offer comes with guaranteed approval!", 3000),
            ("internal", "By the way this call is being recorded", 45000)
        ])
        let findings = TranscriptAnalyzer().findings(in: late)
        #expect(findings.map(\.type) == [.missingDisclosure, .prohibitedPhrase])
        #expect(findings.last?.offsetMs == 3000)
        #expect(findings.last?.participant == "internal")
        #expect(findings.last?.confidence == 0.95)

        var policy = AnalysisPolicy(prohibitedPhrases: [])
        policy.requiredDisclosures[0].withinSeconds = 60
        #expect(TranscriptAnalyzer(policy: policy).findings(in: late).isEmpty)
        // Wording split across two phrases of the same speaker still counts.
        let split = Self.document([("agent", "Hi, this call", 1000), ("agent", "may be recorded.", 2000)])
        #expect(TranscriptAnalyzer().findings(in: split).isEmpty)
        // Case, punctuation and small word gaps are forgiven; larger gaps and reordering are not.
        for (text, satisfied) in [
            ("THIS CALL -- may, uh, be RECORDED.", true),
            ("this call may also be recorded for quality", true),
            ("this call, you know, may be recorded", true),
            ("this call may, for training and quality purposes, be recorded", false),
            ("recorded this call may be", false)
        ] {
            let document = Self.document([("internal", text, 1500)])
            #expect(TranscriptAnalyzer().findings(in: document).isEmpty == satisfied, "\(text)")
        }
        var strict = AnalysisPolicy(prohibitedPhrases: [])
        strict.disclosureMaxWordGap = 0
        #expect(
            TranscriptAnalyzer(policy: strict).findings(
                in: Self.document([
                    ("internal", "this call may also be recorded", 1500)
                ])
            ).map(\.type) == [.missingDisclosure])
        // Said by the wrong participant.
        policy.requiredDisclosures[0].participant = "internal"
        let byCustomer = Self.document([("external", "this call may be recorded", 1000)])
        #expect(TranscriptAnalyzer(policy: policy).findings(in: byCustomer).map(\.type) == [.missingDisclosure])
    }

    @Test func spokenSSN() {
        let document = Self.document([
            ("internal", "this call is recorded", 0),
            ("external", "my social security number is two one three five five four three two one", 9000)
        ])
        #expect(TranscriptAnalyzer().findings(in: document).map(\.type) == [.ssnDisclosure])
    }

    @Test func policyDefaultsAndOverrides() throws {
        #expect(try AnalysisPolicy.decode(from: Array("{}".utf8)) == AnalysisPolicy())
        let policy = try AnalysisPolicy.decode(
            from: Array(
                """
                {"prohibitedPhrases":["act now"],"cvvWindowSeconds":10,
                 "requiredDisclosures":[{"name":"mini-miranda","phrases":["this is an attempt to collect a debt"],"withinSeconds":20}]}
                """.utf8))
        #expect(policy.prohibitedPhrases == ["act now"])
        #expect(policy.cvvWindowSeconds == 10)
        #expect(policy.dtmfDigitGapSeconds == 2)
        #expect(policy.requiredDisclosures.map(\.name) == ["mini-miranda"])
        #expect(policy.dtmfConfiguration().cvvWindowMs == 10000)
        // Round trip.
        let encoded = try JSONEncoder().encode(AnalysisPolicy())
        #expect(try AnalysisPolicy.decode(from: encoded) == AnalysisPolicy())
    }

    /// Found by the analysis-policy fuzz harness: an unknown key was quoted verbatim, so a key holding
    /// a card number was printed by the error. Keys are rendered like every decoding path (`<name>`).
    @Test func anUnknownKeyThatCouldHoldDigitsIsNotQuoted() {
        do {
            _ = try AnalysisPolicy.decode(from: Array(#"{"note4111111111111111": 1}"#.utf8))
            Issue.record("expected an error")
        } catch {
            #expect(error.key == "<name>")
            #expect(!error.description.contains("4111"))
        }
        #expect((try? AnalysisPolicy.decode(from: Array(#"{"colour": 1}"#.utf8))) == nil)
    }

    @Test(arguments: [
        (#"{"cvvWindowSeconds":"ten"}"#, "cvvWindowSeconds"),
        (#"{"requiredDisclosures":[{"name":"x","phrases":[]}]}"#, "requiredDisclosures[0].withinSeconds"),
        (#"{"prohibitedPhrase":["x"]}"#, "prohibitedPhrase"),
        (#"{"routeToComplianceQueueAt":2}"#, "routeToComplianceQueueAt"),
        (#"{"disclosureMaxWordGap":11}"#, "disclosureMaxWordGap"),
        (#"{"disclosureMaxWordGap":1.5}"#, "disclosureMaxWordGap"),
        (#"{"prohibitedPhrases":["x",3]}"#, "prohibitedPhrases[1]"),
        (#"{"requiredDisclosures":[{"name":"x","phrases":[" "],"withinSeconds":5}]}"#, "requiredDisclosures[0].phrases"),
        (#"{"requiredDisclosures":[{"name":"x","phrases":["hi"],"withinSeconds":-1}]}"#, "requiredDisclosures[0].withinSeconds"),
        ("not json", "")
    ])
    func malformedPolicyNamesTheKey(json: String, key: String) {
        do {
            _ = try AnalysisPolicy.decode(from: Array(json.utf8))
            Issue.record("expected an error for \(json)")
        } catch {
            #expect(error.code == .invalidPolicy)
            #expect(error.key == key)
        }
    }
}
