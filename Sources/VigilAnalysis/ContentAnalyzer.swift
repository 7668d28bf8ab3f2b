import Foundation
import VigilCore
import VigilModels

/// Analyses either a WAV recording or a Speech & Text Analytics transcript JSON, chosen from the first
/// bytes: a document starting with `{` is a transcript, anything else is treated as audio (the WAV
/// decoder names WEBM, OGG and MP3 and asks for `formatId=WAV` or `WAV_ULAW`).
///
/// Audio is analysed progressively (``StreamingAudioAnalyzer``); a transcript is buffered (up to
/// ``maxTranscriptBytes``) and analysed at ``finish()`` by ``TranscriptAnalyzer``.
public struct ContentAnalyzer: Sendable {
    /// What the input turned out to be.
    public enum Kind: String, Sendable, Hashable {
        /// Not known yet (no non-whitespace byte seen).
        case unknown
        /// A WAV recording.
        case audio
        /// A transcript JSON document.
        case transcript
    }

    /// The largest transcript accepted (32 MiB).
    public static let maxTranscriptBytes = 32 << 20

    /// The rules applied.
    public let policy: AnalysisPolicy
    /// What the input is, once known.
    public private(set) var kind: Kind = .unknown
    /// Every finding so far.
    public private(set) var findings: [ComplianceFinding] = []
    private var audio: StreamingAudioAnalyzer
    private var buffer: [UInt8] = []

    /// Creates an analyser.
    public init(policy: AnalysisPolicy = AnalysisPolicy()) {
        self.policy = policy
        audio = StreamingAudioAnalyzer(policy: policy)
    }

    /// The audio format, for audio input whose header has been read.
    public var audioFormat: AudioFormat? { audio.format }
    /// Milliseconds of audio analysed so far.
    public var analysedMilliseconds: Int { audio.analysedMilliseconds }

    /// Where the WAV data chunk starts and how long it says it is, once the header has been read.
    var audioData: (start: Int, declaredByteCount: Int?)? {
        audio.dataStart.map { ($0, audio.declaredDataByteCount) }
    }

    /// See ``StreamingAudioAnalyzer/handOver(to:)``.
    mutating func handOver(to scan: LookaheadScan) {
        audio.handOver(to: scan)
    }

    /// Feeds the next chunk; returns the findings it proved (always empty for transcripts).
    ///
    /// - Throws: ``AnalysisError`` for undecodable audio or an oversized transcript.
    public mutating func consume(_ chunk: some Collection<UInt8>) throws(AnalysisError) -> [ComplianceFinding] {
        switch kind {
        case .audio:
            return try consumeAudio(chunk)
        case .transcript:
            guard buffer.count + chunk.count <= Self.maxTranscriptBytes else {
                throw .invalidInput("transcript larger than \(Self.maxTranscriptBytes) bytes")
            }
            buffer += chunk
            return []
        case .unknown:
            buffer += chunk
            guard let first = buffer.first(where: { !Self.isWhitespace($0) }) else { return [] }
            if first == UInt8(ascii: "{") {
                kind = .transcript
                return []
            }
            kind = .audio
            let pending = buffer
            buffer = []
            return try consumeAudio(pending)
        }
    }

    /// Ends the input; returns the remaining findings.
    ///
    /// - Throws: ``AnalysisError``: truncated audio, a transcript that does not decode, empty input.
    public mutating func finish() throws(AnalysisError) -> [ComplianceFinding] {
        switch kind {
        case .unknown:
            throw .invalidInput("the input is empty")
        case .audio:
            do {
                let found = try audio.finish()
                findings += found
                return found
            } catch {
                throw .audio(error)
            }
        case .transcript:
            let document: STATranscriptDocument
            do {
                document = try VigilJSON.decode(STATranscriptDocument.self, from: Data(buffer))
            } catch {
                throw .invalidInput("not a Speech & Text Analytics transcript: \(error)")
            }
            buffer = []
            let found = TranscriptAnalyzer(policy: policy).findings(in: document)
            findings += found
            return found
        }
    }

    private mutating func consumeAudio(_ chunk: some Collection<UInt8>) throws(AnalysisError) -> [ComplianceFinding] {
        do {
            let found = try audio.consume(chunk)
            findings += found
            return found
        } catch {
            throw .audio(error)
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0xEF || byte == 0xBB || byte == 0xBF
    }
}

extension ContentAnalyzer {
    /// Analyses a body (an HTTP download, file chunks) progressively and yields each finding as soon as
    /// the content proves it, long before the body ends for audio.
    ///
    /// The stream finishes after the last finding, or throws ``AnalysisError`` (or the body's error).
    /// Stopping iteration early — for example at the first high-confidence violation — cancels the
    /// analysis and stops reading the body.
    ///
    /// ```swift
    /// for try await finding in ContentAnalyzer.findings(in: body) {
    ///     if finding.confidence >= 0.9 { break }   // verdict before the download finishes
    /// }
    /// ```
    public static func findings(in body: HTTPBody, policy: AnalysisPolicy = AnalysisPolicy())
        -> AsyncThrowingStream<ComplianceFinding, any Error>
    {
        let (stream, continuation) = AsyncThrowingStream.makeStream(
            of: ComplianceFinding.self,
            throwing: (any Error).self)
        let task = Task {
            do {
                var analyzer = ContentAnalyzer(policy: policy)
                for try await chunk in body {
                    try Task.checkCancellation()
                    for finding in try analyzer.consume(chunk) { continuation.yield(finding) }
                }
                for finding in try analyzer.finish() { continuation.yield(finding) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
