import Foundation
import Testing
import VigilCore

@testable import VigilAnalysis

/// `vigil scan` splits a long recording between two threads at a quiet stretch. These tests build
/// recordings where digits are keyed right up to both sides of every possible split, scan each file
/// with the two-thread path (`FileScan.scan(fileAtPath:)`) and the one-thread path
/// (`FileScan.scan(_:)` on the same bytes), and require identical reports.
@Suite("Two-thread file scan equals the one-thread scan")
struct LookaheadScanTests {
    private let sampleRate = 8000
    private let cards = ["4111111111111111", "5555555555554444", "378282246310005", "6011111111111117", "4012888888881881"]

    /// `seconds` of faint line noise; from 45 % of it to the end, cards and codes keyed one after the
    /// other with `gapMs` of quiet between groups.
    private func keyedToTheEnd(seconds: Int, gapMs: Double, seed: UInt64) -> [Float] {
        let synth = DTMFSynthesizer(sampleRate: sampleRate)
        var rng = SplitMix64(seed: seed)
        var samples = synth.generator.whiteNoise(count: seconds * sampleRate, levelDBm0: -60, using: &rng)
        var position = Int(Double(samples.count) * 0.45)
        var index = 0
        while true {
            let keys = index % 2 == 0 ? cards[(index / 2) % cards.count] : "737"
            let tones = synth.sequence(keys, onMilliseconds: 50, offMilliseconds: 45)
            guard position + tones.count < samples.count else { break }
            for offset in tones.indices { samples[position + offset] += tones[offset] }
            position += tones.count + Int(gapMs * Double(sampleRate) / 1000)
            index += 1
        }
        return samples
    }

    private func muLaw(_ channels: [[Float]]) -> [UInt8] {
        WAVEncoder.encode(channels, format: AudioFormat(encoding: .muLaw, sampleRate: sampleRate, channelCount: channels.count))
    }

    private func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-lookahead-\(UUID()).wav").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func splitFrame(_ wav: [UInt8]) throws -> Int? {
        var decoder = WAVStreamDecoder()
        _ = try decoder.consume(wav.prefix(4096))
        let format = try #require(decoder.format)
        let start = try #require(decoder.dataStartOffset)
        return wav.withUnsafeBytes { LookaheadScan.plan(data: UnsafeRawBufferPointer(rebasing: $0[start...]), format: format) }
    }

    private func expectSameReports(_ wav: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) throws -> FileScan.Report {
        let path = try temporaryFile(wav)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let twoThreads = try FileScan.scan(fileAtPath: path)
        let oneThread = try FileScan.scan(wav)
        #expect(twoThreads == oneThread, sourceLocation: sourceLocation)
        return twoThreads
    }

    @Test("Detector: digits keyed on both sides of the split, gaps of 170 to 400 ms", arguments: [170.0, 230.0, 400.0])
    func digitsAcrossTheSplit(gapMs: Double) throws {
        let wav = muLaw([keyedToTheEnd(seconds: 70, gapMs: gapMs, seed: UInt64(gapMs))])
        let splitAt = try #require(try splitFrame(wav), "the recording has quiet gaps: it must be split")
        var decoder = WAVStreamDecoder()
        _ = try decoder.consume(wav.prefix(4096))
        let format = try #require(decoder.format)
        let start = try #require(decoder.dataStartOffset)
        let sequential = wav.withUnsafeBytes {
            LookaheadScan.scan(UnsafeRawBufferPointer(rebasing: $0[start...]), format: format, firstFrame: 0)
        }
        let head = wav.withUnsafeBytes {
            LookaheadScan.scan(UnsafeRawBufferPointer(rebasing: $0[start..<(start + splitAt)]), format: format, firstFrame: 0)
        }
        let tail = wav.withUnsafeBytes {
            LookaheadScan.scan(UnsafeRawBufferPointer(rebasing: $0[(start + splitAt)...]), format: format, firstFrame: splitAt)
        }
        let split = head + tail
        let firstDifference = split.indices.first { $0 < sequential.count && split[$0] != sequential[$0] }
        #expect(split.count == sequential.count)
        #expect(
            firstDifference == nil,
            "first differing event: \(firstDifference.map { "\(split[$0]) vs \(sequential[$0]) (\(split[$0].startSample) vs \(sequential[$0].startSample)), split at \(head.count)" } ?? "")"
        )
        // The split fell between two keyed groups: digits end just before it and start just after it.
        let window = 450 * sampleRate / 1000
        #expect(head.last.map { splitAt - $0.endSample < window } == true)
        #expect(tail.first.map { $0.startSample - splitAt < window } == true)
        #expect(sequential.count > 200)
    }

    @Test("Mono file: the card before the split and its code after it are found as by one thread")
    func monoFile() throws {
        let wav = muLaw([keyedToTheEnd(seconds: 90, gapMs: 2_600, seed: 1)])
        let split = try #require(try splitFrame(wav))
        let report = try expectSameReports(wav)
        let splitMs = split * 1000 / sampleRate
        #expect(report.findings.contains { $0.offsetMs < splitMs && $0.offsetMs > splitMs - 8_000 })
        #expect(report.findings.contains { $0.offsetMs >= splitMs && $0.offsetMs < splitMs + 8_000 })
        #expect(report.findings.count >= 10)
    }

    @Test("Stereo 16-bit: speech on the agent channel, digits on the customer channel")
    func stereoWithSpeech() throws {
        let customer = keyedToTheEnd(seconds: 75, gapMs: 2_600, seed: 5)
        var agent = [Float](repeating: 0, count: customer.count)
        for start in stride(from: 0, to: agent.count - 3 * sampleRate, by: 6 * sampleRate) {
            let speech = TalkOffSignals.shaped(
                TalkOffSignals.speech(seconds: 2.5, seed: UInt64(start)), levelDBm0: -22,
                sampleRate: sampleRate)
            for (offset, value) in speech.enumerated() { agent[start + offset] = value }
        }
        let wav = WAVEncoder.encode([customer, agent], format: AudioFormat(encoding: .pcm16, sampleRate: sampleRate, channelCount: 2))
        #expect(try splitFrame(wav) != nil)
        let report = try expectSameReports(wav)
        #expect(report.findings.count >= 6)
    }

    @Test("No quiet stretch (a tone under everything): no split, one thread")
    func noQuietStretchNoSplit() throws {
        var samples = keyedToTheEnd(seconds: 70, gapMs: 2_600, seed: 9)
        let hum = ToneGenerator(sampleRate: sampleRate).tones([(120, -30)], milliseconds: 70_000)
        for index in samples.indices { samples[index] += hum[index] }
        let wav = muLaw([samples])
        #expect(try splitFrame(wav) == nil)
        #expect(try expectSameReports(wav).findings.count >= 6)
    }

    @Test("Recordings under a minute are not split")
    func shortRecordingsStayOnOneThread() throws {
        let wav = muLaw([keyedToTheEnd(seconds: 50, gapMs: 2_600, seed: 3)])
        #expect(try splitFrame(wav) == nil)
        _ = try expectSameReports(wav)
    }
}
