import Foundation
import Testing
@_spi(VigilInternal) import VigilAnalysis
@_spi(VigilInternal) import VigilCore
import VigilModels

@Suite("vigil scan (FileScan)")
struct FileScanTests {
    @Test func sampleCallIsAViolationWithDeterministicIds() throws {
        let sample = FileScan.sampleCall()
        var scanner = DTMFScanner()
        let events = try scanner.consumeWAV(sample) + scanner.finish()
        #expect(keys(events) == "4111111111111111123")
        let report = try FileScan.scan(sample)
        #expect(report.kind == .audio)
        #expect(report.findings.map(\.type) == [.pciMidCapture, .pciCvvCapture])
        #expect(report.verdict.verdict == .violationDetected)
        #expect(abs((report.verdict.timestampOffsetMs ?? 0) - 3000) <= 20)
        #expect(report.verdict.recordingId == FileScan.recordingId(for: SHA256Hasher.hash(sample)))
        #expect(report.verdict.recordingId.rawValue.dropFirst(14).first == "8")
        #expect(try FileScan.scan(sample).verdict == report.verdict)
        #expect(!report.summary.contains("4111111111111111"))
        #expect(report.summary.contains("PCI_MID_CAPTURE"))

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-scan-\(UUID()).wav").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(sample)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try FileScan.scan(fileAtPath: path) == report)

        // The masked evidence clip has the same size and no digits left.
        let clip = path + ".masked.wav"
        defer { try? FileManager.default.removeItem(atPath: clip) }
        try FileScan.writeMaskedClip(from: path, to: clip, findings: report.findings)
        let masked = try #require(FileManager.default.contents(atPath: clip))
        #expect(masked.count == sample.count)
        var rescan = DTMFScanner()
        #expect(try (rescan.consumeWAV(Array(masked)) + rescan.finish()).isEmpty)
        #expect(try FileScan.scan(fileAtPath: clip).verdict.verdict == .compliant)
    }

    @Test func findingsDoNotDependOnChunking() throws {
        let sample = FileScan.sampleCall()
        var oneShot = StreamingAudioAnalyzer()
        let expected = try oneShot.consume(sample) + oneShot.finish()
        #expect(expected.map(\.type) == [.pciMidCapture, .pciCvvCapture])
        var analyzer = StreamingAudioAnalyzer()
        var found: [ComplianceFinding] = []
        var start = 0, size = 1
        while start < sample.count {
            let end = min(sample.count, start + size)
            found += try analyzer.consume(sample[start..<end])
            start = end
            size = size * 7 % 1999 + 1
        }
        found += try analyzer.finish()
        #expect(found == expected)
        #expect(analyzer.findings == expected)
        #expect(analyzer.analysedMilliseconds == 12000)
        #expect(analyzer.digitCount == 19)
    }

    @Test func sampleTranscript() throws {
        let report = try FileScan.scan(FileScan.sampleTranscript())
        #expect(report.kind == .transcript)
        #expect(report.findings.map(\.type) == [.missingDisclosure, .pciMidCapture, .prohibitedPhrase])
        #expect(report.verdict.violationType == .pciMidCapture)
        #expect(report.verdict.timestampOffsetMs == 14200)
        #expect(report.findings[1].participant == "external")
        #expect(report.findings[2].offsetMs == 31000)
    }

    @Test func transcriptFileAndBadInput() throws {
        let json =
            #"{"transcripts":[{"phrases":[{"text":"this call is being recorded","participantPurpose":"internal","offset":{"milliseconds":500}}]}]}"#
        let report = try FileScan.scan(Array(json.utf8))
        #expect(report.kind == .transcript)
        #expect(report.verdict.verdict == .compliant)
        #expect(throws: AnalysisError.self) { try FileScan.scan(Array("{\"nope\":1}".utf8)) }
        #expect(throws: AnalysisError.self) { try FileScan.scan([]) }
        #expect(throws: AnalysisError.self) { try FileScan.scan(fileAtPath: "/nonexistent/file.wav") }
    }

    @Test("A named pipe is scanned as it is read, with the same report as the file; /dev/null is empty input")
    func namedPipe() throws {
        let bytes = FileScan.sampleCall()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-fifo-\(UUID())").path
        #expect(mkfifo(path, 0o600) == 0)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = Thread {
            guard let handle = FileHandle(forWritingAtPath: path) else { return }  // blocks until the scan opens it
            handle.write(Data(bytes))
            try? handle.close()
        }
        writer.start()
        let report = try FileScan.scan(fileAtPath: path)
        #expect(report == (try FileScan.scan(bytes)))
        #expect(report.findings.count == 2)
        do {
            _ = try FileScan.scan(fileAtPath: "/dev/null")
            Issue.record("empty input must be refused")
        } catch {
            #expect(error.description.contains("empty"))
        }
    }
}
