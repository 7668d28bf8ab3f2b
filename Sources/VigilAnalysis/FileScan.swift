import Foundation
@_spi(VigilInternal) import VigilCore
import VigilModels

/// Scans a local file — a WAV recording or a transcript JSON — and builds a verdict in the seed's
/// schema; the logic behind `vigil scan`.
///
/// A regular file is mapped read-only and hashed on a second thread while it is analysed in 64 KiB
/// steps (a recording of a minute or more also has its tail's digits detected on that second core,
/// `LookaheadScan`); a pipe or device is read in 64 KiB chunks and hashed on the way. Either way the
/// verdict's `recordingId` is deterministic: a UUID made from the first 16 bytes of the content's
/// SHA-256 (RFC 9562 version 8 layout). The `correlationId` is `scan-` and the first 16 hex digits of
/// the same digest.
public enum FileScan {
    /// The outcome of a scan.
    public struct Report: Sendable, Hashable {
        /// Whether the file was audio or a transcript.
        public var kind: ContentAnalyzer.Kind
        /// The audio format, for audio.
        public var audioFormat: AudioFormat?
        /// Milliseconds of audio analysed (0 for a transcript).
        public var analysedMilliseconds: Int
        /// All findings, by offset.
        public var findings: [ComplianceFinding]
        /// The verdict.
        public var verdict: ComplianceVerdict
        /// SHA-256 of the file's bytes, hex.
        public var contentDigest: String

        /// A few human-readable lines (masked evidence only), for stderr.
        public var summary: String {
            var lines: [String] = []
            switch kind {
            case .audio:
                let format = audioFormat.map { "\($0)" } ?? "audio"
                lines.append("audio: \(format), \(ComplianceFinding.seconds(analysedMilliseconds)) analysed")
            case .transcript, .unknown:
                lines.append("transcript: \(findings.count) finding\(findings.count == 1 ? "" : "s")")
            }
            var headline = "verdict: \(verdict.verdict.rawValue)"
            if let type = verdict.violationType { headline += " \(type.rawValue)" }
            headline += String(format: " (confidence %.2f", verdict.confidenceScore)
            if let offset = verdict.timestampOffsetMs { headline += ", at \(ComplianceFinding.seconds(Int(offset)))" }
            headline += ")"
            if let action = verdict.recommendedAction { headline += " → \(action.rawValue)" }
            lines.append(headline)
            for finding in findings { lines.append("  · \(finding)") }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// Scans the file at `path` with `policy`.
    ///
    /// - Throws: ``AnalysisError``: ``AnalysisError/Code/invalidInput`` when the file cannot be read,
    ///   is empty or is not a transcript; audio errors as for ``ContentAnalyzer``.
    public static func scan(fileAtPath path: String, policy: AnalysisPolicy = AnalysisPolicy()) throws(AnalysisError) -> Report {
        guard let file = try MappedFile(path: path) else {
            return try scanStream(atPath: path, policy: policy)  // a pipe or device: read it as it comes
        }
        // Hash on a second thread while this one analyses: both read the same mapped pages.
        let hashing = BackgroundWork { [file] in SHA256Hasher.hash(file.bytes) }
        var analyzer = ContentAnalyzer(policy: policy)
        var start = 0
        var splitConsidered = false
        while start < file.bytes.count {
            let end = min(file.bytes.count, start + (64 << 10))
            _ = try analyzer.consume(UnsafeRawBufferPointer(rebasing: file.bytes[start..<end]))
            start = end
            if !splitConsidered, let format = analyzer.audioFormat, let data = analyzer.audioData {
                // The header is read: let a second thread take the tail if it starts in a quiet stretch.
                splitConsidered = true
                let dataEnd = min(file.bytes.count, data.start + (data.declaredByteCount ?? file.bytes.count))
                let dataRange = data.start..<max(data.start, dataEnd)
                if let frame = LookaheadScan.plan(data: UnsafeRawBufferPointer(rebasing: file.bytes[dataRange]), format: format),
                    frame * format.blockAlign > end - data.start
                {
                    analyzer.handOver(to: LookaheadScan(file: file, dataRange: dataRange, format: format, startFrame: frame))
                }
            }
        }
        _ = try analyzer.finish()
        return report(analyzer, digest: hashing.wait())
    }

    /// Scans what is not a regular file (a named pipe, `/dev/stdin`) in 64 KiB reads, hashing on the way.
    private static func scanStream(atPath path: String, policy: AnalysisPolicy) throws(AnalysisError) -> Report {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .invalidInput("cannot open \(path)") }
        defer { try? handle.close() }
        var analyzer = ContentAnalyzer(policy: policy)
        var hasher = SHA256Hasher()
        while true {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: 64 << 10) ?? Data()
            } catch {
                throw .invalidInput("cannot read \(path)")
            }
            if chunk.isEmpty { break }
            hasher.update(chunk)
            _ = try analyzer.consume(chunk)
        }
        _ = try analyzer.finish()
        return report(analyzer, digest: hasher.finalize())
    }

    /// Scans bytes held in memory (same result as writing them to a file and scanning it).
    public static func scan(_ bytes: [UInt8], policy: AnalysisPolicy = AnalysisPolicy()) throws(AnalysisError) -> Report {
        var analyzer = ContentAnalyzer(policy: policy)
        var start = 0
        repeat {
            let end = min(bytes.count, start + (64 << 10))
            _ = try analyzer.consume(bytes[start..<end])
            start = end
        } while start < bytes.count
        _ = try analyzer.finish()
        return report(analyzer, digest: SHA256Hasher.hash(bytes))
    }

    /// Writes a masked evidence clip: a copy of the WAV at `inputPath` in which every finding's span
    /// (widened by `marginMs` on each side) is replaced by silence (``EvidenceClipMasker``). Streams in
    /// 64 KiB chunks.
    ///
    /// - Throws: ``AnalysisError``: unreadable input, unwritable output, or undecodable audio.
    public static func writeMaskedClip(
        from inputPath: String, to outputPath: String, findings: [ComplianceFinding],
        marginMs: Int = 100
    ) throws(AnalysisError) {
        let spans = findings.map { max(0, $0.maskedSpan.lowerBound - marginMs)..<($0.maskedSpan.upperBound + marginMs) }
        guard let input = FileHandle(forReadingAtPath: inputPath) else { throw .invalidInput("cannot open \(inputPath)") }
        defer { try? input.close() }
        guard FileManager.default.createFile(atPath: outputPath, contents: nil),
            let output = FileHandle(forWritingAtPath: outputPath)
        else {
            throw .invalidInput("cannot write \(outputPath)")
        }
        defer { try? output.close() }
        var masker = EvidenceClipMasker(maskedSpans: spans)
        do {
            while let chunk = try input.read(upToCount: 64 << 10), !chunk.isEmpty {
                try output.write(contentsOf: try masker.consume(chunk))
            }
        } catch let error as AudioDecodingError {
            throw .audio(error)
        } catch {
            throw .invalidInput("cannot copy \(inputPath) to \(outputPath)")
        }
        do {
            try masker.finish()
        } catch {
            throw .audio(error)
        }
    }

    /// The deterministic recording id for content with SHA-256 `digest`.
    @_spi(VigilInternal) public static func recordingId(for digest: SHA256Digest) -> GenesysID {
        var bytes = Array(digest.bytes.prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8 (custom)
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        let uuid = UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
        return GenesysID(uuid)
    }

    /// A 12-second synthetic stereo call (8 kHz µ-law WAV) for trying `vigil scan`: faint line noise on
    /// both channels, and on the customer channel (0) the test card `4111 1111 1111 1111` keyed at
    /// 3.0 s followed by the security code `123` at 7.0 s. Deterministic.
    public static func sampleCall() -> [UInt8] {
        let sampleRate = 8000
        let synth = DTMFSynthesizer(sampleRate: sampleRate)
        var rng = SplitMix64(seed: 2026)
        let count = 12 * sampleRate
        var customer = synth.generator.whiteNoise(count: count, levelDBm0: -50, using: &rng)
        let agent = synth.generator.whiteNoise(count: count, levelDBm0: -50, using: &rng)
        for (atMs, keys) in [(3000, "4111111111111111"), (7000, "123")] {
            let tones = synth.sequence(keys, onMilliseconds: 80, offMilliseconds: 90)
            let start = atMs * sampleRate / 1000
            for index in tones.indices where tones[index] != 0 { customer[start + index] += tones[index] }
        }
        return WAVEncoder.encode(
            [customer, agent],
            format: AudioFormat(encoding: .muLaw, sampleRate: sampleRate, channelCount: 2))
    }

    /// A small Speech & Text Analytics transcript for trying `vigil scan` on text: the agent never reads
    /// the recording notice, the customer reads the test card 4111 1111 1111 1111 over three phrases
    /// from 14.2 s, and the agent uses a prohibited phrase at 31.0 s.
    public static func sampleTranscript() -> [UInt8] {
        let phrases: [(String, String, Int)] = [
            ("internal", "Thank you for calling Example Bank, my name is Sam. How can I help?", 1200),
            ("external", "Hi, I'd like to pay my balance by card.", 6100),
            ("internal", "Of course. Go ahead with the card number whenever you're ready.", 9800),
            ("external", "Sure, it's four one one one", 14200),
            ("external", "one one one one, one one one one", 17400),
            ("external", "one one one one.", 20900),
            ("internal", "Thanks. And with this plan you get guaranteed approval.", 31000)
        ]
        let items = phrases.enumerated().map { index, phrase in
            "    {\"phraseIndex\": \(index), \"participantPurpose\": \"\(phrase.0)\", \"text\": \"\(phrase.1)\", "
                + "\"offset\": {\"milliseconds\": \(phrase.2)}, \"duration\": {\"milliseconds\": 2500}, \"confidence\": 0.93}"
        }
        let json = """
            {"conversationId": "2f7bf00a-0000-4000-8000-000000000001", "mediaType": "call",
             "transcripts": [{"language": "en-US", "phrases": [
            \(items.joined(separator: ",\n"))
            ]}]}

            """
        return Array(json.utf8)
    }

    private static func report(_ analyzer: ContentAnalyzer, digest: SHA256Digest) -> Report {
        let findings = analyzer.findings.sorted { $0.offsetMs < $1.offsetMs }
        let correlationId = CorrelationID("scan-" + digest.hex.prefix(16))!
        let verdict = VerdictBuilder.verdict(
            for: findings, recordingId: recordingId(for: digest),
            correlationId: correlationId,
            routeThreshold: analyzer.policy.routeToComplianceQueueAt)
        return Report(
            kind: analyzer.kind, audioFormat: analyzer.audioFormat,
            analysedMilliseconds: analyzer.analysedMilliseconds, findings: findings, verdict: verdict,
            contentDigest: digest.hex)
    }
}
