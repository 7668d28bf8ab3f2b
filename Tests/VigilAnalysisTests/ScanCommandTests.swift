import Foundation
import Testing
import VigilAnalysis
import VigilCommandLine
import VigilCore
import VigilModels

@Suite("vigil scan (ScanCommand)")
struct ScanCommandTests {
    static let card = "4111111111111111"

    /// A temporary directory removed by `body`'s end.
    private func withDirectory(_ body: (URL) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-scan-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try body(directory)
    }

    @Test func wavWithACardIsAViolationAndFailOnViolationExitsOne() throws {
        try withDirectory { directory in
            let path = directory.appendingPathComponent("call.wav").path
            let generated = ScanCommand.run(["--generate-sample", path])
            #expect(generated.exitCode == 0)
            #expect(!generated.standardError.contains(Self.card))

            let plain = ScanCommand.run([path])
            #expect(plain.exitCode == 0)
            let verdict = try VigilJSON.decode(ComplianceVerdict.self, from: Data(plain.standardOutput))
            #expect(plain.standardOutput.last == 0x0A)
            #expect(verdict.verdict == .violationDetected)
            #expect(verdict.violationType == .pciMidCapture)
            #expect(abs((verdict.timestampOffsetMs ?? 0) - 3000) <= 20)
            #expect(verdict.evidenceSnippet?.hasPrefix("DTMF card ************1111 at 3.0 s (external)") == true)
            #expect(verdict == plain.report?.verdict)
            #expect(plain.standardError.contains("PCI_MID_CAPTURE"))
            #expect(plain.standardError.contains("PCI_CVV_CAPTURE"))
            // Neither stream ever holds the card number.
            #expect(!String(decoding: plain.standardOutput, as: UTF8.self).contains(Self.card))
            #expect(!plain.standardError.contains(Self.card))
            #expect(!plain.standardError.contains("41111"))

            #expect(ScanCommand.run([path, "--fail-on-violation"]).exitCode == 1)
            #expect(ScanCommand.run(["--fail-on-violation", path]).exitCode == 1)

            // Deterministic ids, or the caller's.
            #expect(ScanCommand.run([path]).standardOutput == plain.standardOutput)
            let id = "a1b2c3d4-e5f6-7890-abcd-ef1234567890"
            let given = ScanCommand.run([path, "--recording-id", id, "--correlation-id", "evt-1"])
            let givenVerdict = try VigilJSON.decode(ComplianceVerdict.self, from: Data(given.standardOutput))
            #expect(givenVerdict.recordingId == GenesysID(id))
            #expect(givenVerdict.correlationId == CorrelationID("evt-1"))

            // The evidence clip.
            let clip = directory.appendingPathComponent("masked.wav").path
            let clipped = ScanCommand.run([path, "--evidence-clip", clip])
            #expect(clipped.exitCode == 0)
            #expect(clipped.standardError.contains("masked evidence clip"))
            #expect(ScanCommand.run([clip, "--fail-on-violation"]).exitCode == 0)
        }
    }

    @Test func cleanRecordingIsCompliantEvenWithFailOnViolation() throws {
        try withDirectory { directory in
            let path = directory.appendingPathComponent("clean.wav").path
            #expect(FileManager.default.createFile(atPath: path, contents: Data(Calls.stereo(seconds: 3, keys: []))))
            let outcome = ScanCommand.run([path, "--fail-on-violation"])
            #expect(outcome.exitCode == 0)
            #expect(outcome.report?.verdict.verdict == .compliant)
            #expect(outcome.standardError.contains("verdict: COMPLIANT"))
        }
    }

    @Test func transcriptIsDetectedByContent() throws {
        try withDirectory { directory in
            // No .json suffix: the content decides.
            let path = directory.appendingPathComponent("transcript.txt").path
            #expect(FileManager.default.createFile(atPath: path, contents: Data(FileScan.sampleTranscript())))
            let outcome = ScanCommand.run(["--fail-on-violation", path])
            #expect(outcome.exitCode == 1)
            #expect(outcome.report?.kind == .transcript)
            let verdict = try VigilJSON.decode(ComplianceVerdict.self, from: Data(outcome.standardOutput))
            #expect(verdict.violationType == .pciMidCapture)
            #expect(verdict.timestampOffsetMs == 14200)
            #expect(outcome.standardError.contains("MISSING_DISCLOSURE"))
            #expect(outcome.standardError.contains("PROHIBITED_PHRASE"))

            // A policy without the disclosure and with other phrases.
            let policy = directory.appendingPathComponent("policy.json").path
            #expect(
                FileManager.default.createFile(
                    atPath: policy,
                    contents: Data(
                        """
                        {"requiredDisclosures": [], "prohibitedPhrases": ["act now"]}
                        """.utf8)))
            let custom = ScanCommand.run([path, "--policy", policy])
            #expect(custom.exitCode == 0)
            #expect(custom.report?.findings.map(\.type) == [.pciMidCapture])
        }
    }

    @Test(arguments: [
        ([String](), "missing FILE"),
        (["a.wav", "b.wav"], "unexpected argument 'b.wav'"),
        (["a.wav", "--frobnicate"], "unknown option '--frobnicate'"),
        (["a.wav", "--policy"], "--policy needs a value"),
        (["a.wav", "--recording-id", "nope"], "--recording-id must be a UUID"),
        (["a.wav", "--generate-sample", "b.wav"], "--generate-sample takes no FILE")
    ])
    func usageErrorsExitTwo(arguments: [String], message: String) {
        let outcome = ScanCommand.run(arguments)
        #expect(outcome.exitCode == 2)
        #expect(outcome.error?.code == .usage)
        #expect(outcome.error?.message.contains(message) == true)
        #expect(outcome.standardError.contains("USAGE: vigil scan"))
        #expect(outcome.standardOutput.isEmpty)
    }

    @Test func inputErrorsExitTwoWithATypedMessage() throws {
        try withDirectory { directory in
            let missing = ScanCommand.run([directory.appendingPathComponent("none.wav").path])
            #expect(missing.exitCode == 2)
            #expect(missing.error?.code == .input)
            #expect(missing.error?.cause?.code == .invalidInput)

            let mp3 = directory.appendingPathComponent("call.mp3").path
            #expect(FileManager.default.createFile(atPath: mp3, contents: Data("ID3\u{3}\0\0\0\0\0\0".utf8)))
            let unsupported = ScanCommand.run([mp3])
            #expect(unsupported.exitCode == 2)
            #expect(unsupported.error?.cause?.code == .unsupportedMedia)
            #expect(unsupported.standardError.contains("WAV_ULAW"))

            let wav = directory.appendingPathComponent("call.wav").path
            #expect(FileManager.default.createFile(atPath: wav, contents: Data(Calls.stereo(seconds: 1, keys: []))))
            let policy = directory.appendingPathComponent("policy.json").path
            #expect(FileManager.default.createFile(atPath: policy, contents: Data(#"{"cvvWindowSeconds": "ten"}"#.utf8)))
            let badPolicy = ScanCommand.run([wav, "--policy", policy, "--fail-on-violation"])
            #expect(badPolicy.exitCode == 2)
            #expect(badPolicy.error?.code == .input)
            #expect(badPolicy.error?.cause?.code == .invalidPolicy)
            #expect(badPolicy.error?.cause?.key == "cvvWindowSeconds")
            #expect(badPolicy.standardError.contains("cvvWindowSeconds"))
        }
    }

    @Test func helpGoesToStandardOutput() {
        let outcome = ScanCommand.run(["--help"])
        #expect(outcome.exitCode == 0)
        #expect(String(decoding: outcome.standardOutput, as: UTF8.self) == ScanCommand.usage)
    }
}

@Suite("Progressive findings stream")
struct FindingStreamTests {
    @Test func findingArrivesBeforeTheLastChunkIsFed() async throws {
        let wav = Calls.stereo(seconds: 12, keys: [(1000, "4111111111111111")])
        let chunks = stride(from: 0, to: wav.count, by: 4000).map { Array(wav[$0..<min(wav.count, $0 + 4000)]) }
        let (body, feed) = HTTPBody.makeStream()
        var findings = ContentAnalyzer.findings(in: body).makeAsyncIterator()
        // Feed the first half only: the card at 1 s closes once the audio reaches ~4.5 s.
        for chunk in chunks.prefix(chunks.count / 2) { feed.yield(chunk) }
        let first = try #require(try await findings.next())
        #expect(first.type == .pciMidCapture)
        #expect(abs(first.offsetMs - 1000) <= 20)
        #expect(first.participant == "external")
        for chunk in chunks.dropFirst(chunks.count / 2) { feed.yield(chunk) }
        feed.finish()
        #expect(try await findings.next() == nil)
    }

    @Test func undecodableBodyEndsTheStreamWithATypedError() async {
        let stream = ContentAnalyzer.findings(in: HTTPBody(Array("OggS\0\u{2}".utf8) + [UInt8](repeating: 0, count: 64)))
        do {
            for try await _ in stream {}
            Issue.record("expected an error")
        } catch let error as AnalysisError {
            #expect(error.code == .unsupportedMedia)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func maskedEvidenceUsesTheMaskOperatorForEveryCardLength() {
        // Amex (15), Visa (13, 16, 19): only the last four digits ever appear. (The 19-digit Visa's first
        // 16 digits are not a card: 4111111111111111110 would be read as 4111111111111111 and code 110.)
        for card in ["378282246310005", "4222222222222", "4111111111111111", "4000000000000000006"] {
            let findings = DTMFFindingAnalyzer.findings(in: Calls.digitEvents(card, atMs: 0))
            #expect(findings.map(\.type) == [.pciMidCapture], "\(card)")
            let expected = "DTMF card " + String(repeating: "*", count: card.count - 4) + card.suffix(4) + " at 0.0 s"
            #expect(findings.first?.evidence.hasPrefix(expected) == true, "\(card)")
            #expect(findings.first?.evidence.contains(card.prefix(6)) == false)
        }
    }
}
