import Foundation
import Testing
import VigilAnalysis
import VigilCore
import VigilEvidence
import VigilModels
import VigilTesting
import VigilVerdict

/// Captures what the engine hands its evidence sink.
private final class CapturingSink: EvidenceClipSink, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [(clip: [UInt8], recordingId: GenesysID, finding: ComplianceFinding)] = []
    let failure: (any Error)?
    init(failure: (any Error)? = nil) { self.failure = failure }
    var clips: [(clip: [UInt8], recordingId: GenesysID, finding: ComplianceFinding)] { lock.withLock { stored } }
    func store(_ clip: [UInt8], recordingId: GenesysID, finding: ComplianceFinding) async throws -> String {
        if let failure { throw failure }
        lock.withLock { stored.append((clip, recordingId, finding)) }
        return EvidenceClipTests.link
    }
}

@Suite("Evidence clips: seconds around the finding, every finding silenced")
struct EvidenceClipTests {
    static let card = "4111111111111111"
    static let format = AudioFormat(encoding: .muLaw, sampleRate: 8000, channelCount: 2)
    static let base = "https://vigil.example.com/evidence"
    static let link = base + "/ev_0123456789abcdef0123456789abcdef?expires=1796000000&signature=" + String(repeating: "4111", count: 16)

    /// Runs the analyser and the recorder over `wav` in random chunks; returns the findings and the recorder.
    static func record(_ wav: [UInt8], options: EvidenceClipRecorder.Options = .init(), seed: UInt64 = 1)
        throws -> ([ComplianceFinding], EvidenceClipRecorder)
    {
        var analyzer = ContentAnalyzer()
        var recorder = EvidenceClipRecorder(options: options)
        var random = SplitMix(seed: seed)
        var start = 0
        while start < wav.count {
            let end = min(wav.count, start + Int.random(in: 1...6_000, using: &random))
            let found = try analyzer.consume(wav[start..<end])
            try recorder.consume(wav[start..<end])
            recorder.record(found)
            start = end
        }
        recorder.record(try analyzer.finish())
        return (analyzer.findings, recorder)
    }

    /// The clip's data bytes.
    static func data(of clip: [UInt8]) throws -> ArraySlice<UInt8> {
        let header = WAVEncoder.header(format: format, dataByteCount: 0).count
        var decoder = WAVStreamDecoder()
        _ = try decoder.consume(clip)
        try decoder.finish()
        #expect(decoder.format == format)
        #expect(decoder.dataStartOffset == header)
        return clip[header..<(header + (decoder.declaredDataByteCount ?? 0))]
    }

    @Test("The clip is 5 s before to 3 s after the card, byte-exact outside the card, silent over it, and holds no card")
    func clipAroundTheCard() throws {
        let wav = Calls.stereo(seconds: 40, keys: [(20_000, Self.card)])
        let original = wav[WAVEncoder.header(format: Self.format, dataByteCount: 0).count...]
        let (findings, recorder) = try Self.record(wav)
        let primary = try #require(VerdictBuilder.primary(of: findings))
        let clip = try #require(recorder.clip(for: primary, masking: findings))
        let data = try Self.data(of: clip)
        let bytesPerMs = 16  // 8 kHz stereo µ-law
        let startMs = primary.maskedSpan.lowerBound - 5_000
        #expect(data.count == (primary.maskedSpan.upperBound + 3_000 - startMs) * bytesPerMs)
        let maskedFrom = (primary.maskedSpan.lowerBound - 100 - startMs) * bytesPerMs
        let maskedTo = (primary.maskedSpan.upperBound + 100 - startMs) * bytesPerMs
        let bytes = Array(data)
        #expect(bytes[maskedFrom..<maskedTo].allSatisfy { $0 == 0xFF }, "the card's span is µ-law silence")
        let base = original.startIndex + startMs * bytesPerMs
        #expect(Array(bytes[0..<maskedFrom]) == Array(original[base..<(base + maskedFrom)]), "the pre-roll is the recording's audio")
        #expect(Array(bytes[maskedTo...]) == Array(original[(base + maskedTo)..<(base + bytes.count)]), "the post-roll is the recording's audio")
        #expect(try FileScan.scan(clip).findings.isEmpty, "the clip holds no keyed card")
        // Chunking does not change the clip.
        let (_, again) = try Self.record(wav, seed: 99)
        #expect(again.clip(for: primary, masking: findings) == clip)
        // A finding the recorder was not told about has no clip.
        var other = primary
        other.offsetMs += 1
        #expect(recorder.clip(for: other, masking: findings) == nil)
    }

    @Test("A second card keyed during the post-roll is silenced in the first card's clip too")
    func secondCardInThePostRoll() throws {
        let wav = Calls.stereo(seconds: 40, keys: [(5_000, Self.card), (12_000, "5555555555554444")])
        let (findings, recorder) = try Self.record(wav, options: .init(postRollMilliseconds: 15_000))
        #expect(findings.filter { $0.type == .pciMidCapture }.count == 2)
        let primary = try #require(VerdictBuilder.primary(of: findings))
        let clip = try #require(recorder.clip(for: primary, masking: findings))
        #expect(try FileScan.scan(clip).findings.isEmpty)
        // Masking only the primary would leave the second card in the clip: the test can fail.
        let leaky = try #require(recorder.clip(for: primary, masking: [primary]))
        #expect(try FileScan.scan(leaky).findings.count == 1)
    }

    @Test("Look-back bounds memory: a clip starts no earlier than the look-back, and is still masked")
    func lookbackBound() throws {
        let wav = Calls.stereo(seconds: 30, keys: [(10_000, Self.card)])
        let (findings, recorder) = try Self.record(wav, options: .init(lookbackMilliseconds: 1_000))
        let primary = try #require(VerdictBuilder.primary(of: findings))
        let clip = try #require(recorder.clip(for: primary, masking: findings))
        let data = try Self.data(of: clip)
        // Reported ≈ 2.5 s after the last digit at the earliest: the look-back no longer reaches the pre-roll.
        #expect(data.count < (primary.maskedSpan.upperBound + 3_000 - (primary.maskedSpan.lowerBound - 5_000)) * 16)
        #expect(try FileScan.scan(clip).findings.isEmpty)
    }

    @Test("The engine stores the primary finding's masked clip and the verdict carries the sink's link")
    func engineWithSink() async throws {
        let wav = Calls.stereo(seconds: 20, keys: [(6_000, Self.card)])
        let sink = CapturingSink()
        let engine = ReferenceComplianceEngine(transport: Calls.serving(wav, chunkSize: 777), evidence: sink)
        let request = Calls.request()
        guard case let .verdict(verdict) = try await engine.evaluate(request) else { Issue.record("expected a verdict"); return }
        #expect(verdict.evidenceSnippet == Self.link)
        #expect(try VerdictValidator(signedEvidenceLinkBases: [Self.base + "/"]).validate(verdict, for: request).reviewReasons.isEmpty)
        // Without the base, a signed link is a credential in a URI, as for any engine.
        #expect(throws: VerdictValidationError.self) { try VerdictValidator().validate(verdict, for: request) }
        let stored = try #require(sink.clips.first)
        #expect(sink.clips.count == 1)
        #expect(stored.recordingId == request.recordingId)
        #expect(Int64(stored.finding.offsetMs) == verdict.timestampOffsetMs)
        #expect(try FileScan.scan(stored.clip).findings.isEmpty)

        // A compliant recording stores nothing; a transcript stores nothing.
        let clean = ReferenceComplianceEngine(transport: Calls.serving(Calls.stereo(seconds: 5, keys: [])), evidence: sink)
        _ = try await clean.evaluate(request)
        #expect(sink.clips.count == 1)

        // A failing sink fails the evaluation: no verdict points at evidence that was not stored.
        let failing = ReferenceComplianceEngine(
            transport: Calls.serving(wav),
            evidence: CapturingSink(failure: EvidenceError(.storageFailure, "disk full")))
        await #expect(throws: EvidenceError.self) { _ = try await failing.evaluate(request) }
    }

    @Test("Only this host's own link form passes with its signature; near misses follow the ordinary rules")
    func signedLinkForm() throws {
        let validator = VerdictValidator(signedEvidenceLinkBases: [Self.base, "http://insecure.example.com/evidence"])
        let request = Calls.request()
        func verdict(_ snippet: String) -> ComplianceVerdict {
            ComplianceVerdict(
                recordingId: request.recordingId, verdict: .violationDetected, violationType: .pciMidCapture,
                confidenceScore: 0.97, timestampOffsetMs: 1_000, evidenceSnippet: snippet,
                recommendedAction: .routeToComplianceQueue, correlationId: request.correlationId)
        }
        #expect(throws: Never.self) { try validator.validate(verdict(Self.link), for: request) }
        let signature = String(repeating: "ab", count: 32)
        for nearMiss in [
            Self.base + "/ev_0123456789abcdef0123456789abcdef?expires=1796000000&signature=" + signature + "&token=x",
            Self.base + "/ev_0123456789ABCDEF0123456789abcdef?expires=1796000000&signature=" + signature,
            Self.base + "/ev_0123456789abcdef0123456789abcde?expires=1796000000&signature=" + signature,
            Self.base + "/ev_0123456789abcdef0123456789abcdef?expires=1796000000&signature=" + signature.dropLast(),
            Self.base + "/ev_0123456789abcdef0123456789abcdef?expires=-1&signature=" + signature,
            Self.base + "/../ev_0123456789abcdef0123456789abcdef?expires=1796000000&signature=" + signature,
            "https://attacker.example.com/evidence/ev_0123456789abcdef0123456789abcdef?expires=1796000000&signature=" + signature,
            "http://insecure.example.com/evidence/ev_0123456789abcdef0123456789abcdef?expires=1796000000&signature=" + signature
        ] {
            #expect(throws: VerdictValidationError.self, "\(nearMiss)") { try validator.validate(verdict(nearMiss), for: request) }
        }
    }

    #if os(Linux)
        @Test("End to end on libcrypto: the link verifies and the vault opens to the masked clip")
        func sealedSink() async throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-evidence-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let sealer = try SystemCryptoSealer.load()
            let vault = EvidenceVault(
                store: try FileSystemEvidenceStore(directory: directory), sealer: sealer,
                keys: try SealingKeyProvider(keys: ["kek": [UInt8](repeating: 3, count: 32)], current: "kek", sealer: sealer))
            let links = try EvidenceLinks(base: URL(string: "https://vigil.example.com/evidence")!, secret: [UInt8](repeating: 5, count: 32))
            let wav = Calls.stereo(seconds: 15, keys: [(4_000, Self.card)])
            let engine = ReferenceComplianceEngine(transport: Calls.serving(wav), evidence: SealedEvidenceSink(vault: vault, links: links))
            let request = Calls.request()
            guard case let .verdict(verdict) = try await engine.evaluate(request) else { Issue.record("expected a verdict"); return }
            let link = try #require(verdict.evidenceSnippet.flatMap(URLComponents.init(string:)))
            let objectId = String(link.path.split(separator: "/").last ?? "")
            let query = Dictionary(uniqueKeysWithValues: (link.queryItems ?? []).map { ($0.name, $0.value ?? "") })
            try links.verify(objectId: objectId, expires: query["expires"] ?? "", signature: query["signature"] ?? "")
            let evidence = try await vault.open(objectId)
            #expect(evidence.header.recordingId == request.recordingId.rawValue)
            #expect(evidence.header.contentType == "audio/wav")
            #expect(try FileScan.scan(evidence.bytes).findings.isEmpty)
            #expect(try FileScan.scan(evidence.bytes).kind == .audio)
        }
    #endif
}
