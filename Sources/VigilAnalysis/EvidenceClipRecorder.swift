import VigilCore

/// Keeps the audio around each finding while a WAV recording streams through, and cuts the masked
/// evidence clip a reviewer listens to: a few seconds before the finding, the finding itself silenced,
/// a few seconds after — never the whole recording, never in memory longer than it must be.
///
/// Feed it the same bytes as the analyser, and tell it about each finding as the analyser reports it:
///
/// ```swift
/// var recorder = EvidenceClipRecorder()
/// for try await chunk in body {
///     let found = try analyzer.consume(chunk)
///     try recorder.consume(chunk)
///     recorder.record(found)
/// }
/// let clip = recorder.clip(for: primary, masking: analyzer.findings)   // a WAV file's bytes
/// ```
///
/// Memory: the last ``Options/lookbackMilliseconds`` of sample bytes (a finding is reported after its
/// last digit, so its start lies in the past), plus each recorded finding's clip (at most
/// ``Options/maximumClips`` of them, each at most ``Options/maximumClipMilliseconds`` long). An 8 kHz
/// stereo µ-law call keeps ≈ 16 KB per second of look-back.
///
/// The clip has the input's encoding, rate and channels. Every finding's span that falls inside it —
/// widened by ``Options/marginMilliseconds`` — is digital silence on all channels (``EvidenceClipMasker``).
public struct EvidenceClipRecorder: Sendable {
    /// How much audio a clip holds.
    public struct Options: Sendable, Hashable {
        /// Audio kept before a finding's start (default 5 s).
        @Bounded(0...Int.max) public var preRollMilliseconds: Int = 5_000
        /// Audio kept after a finding's end (default 3 s).
        @Bounded(0...Int.max) public var postRollMilliseconds: Int = 3_000
        /// How far back the recorder keeps audio to start a clip from (default 45 s): a finding
        /// reported later than this after its start gets a clip that starts where the look-back does.
        @Bounded(0...Int.max) public var lookbackMilliseconds: Int = 45_000
        /// The longest clip (default 90 s); a longer finding's clip is cut at this length.
        @Bounded(1...Int.max) public var maximumClipMilliseconds: Int = 90_000
        /// Silence around each masked span (default 100 ms), covering detector timing error.
        @Bounded(0...Int.max) public var marginMilliseconds: Int = 100
        /// The most clips kept (default 8); past it, the clip of the least important finding (lowest
        /// confidence, then latest — the reverse of ``VerdictBuilder/primary(of:)``) is dropped.
        @Bounded(1...Int.max) public var maximumClips: Int = 8

        /// Creates options; negative values count as 0, `maximumClips` and `maximumClipMilliseconds` at
        /// least 1 — here and on every later assignment.
        public init(
            preRollMilliseconds: Int = 5_000, postRollMilliseconds: Int = 3_000, lookbackMilliseconds: Int = 45_000,
            maximumClipMilliseconds: Int = 90_000, marginMilliseconds: Int = 100, maximumClips: Int = 8
        ) {
            self.preRollMilliseconds = preRollMilliseconds
            self.postRollMilliseconds = postRollMilliseconds
            self.lookbackMilliseconds = lookbackMilliseconds
            self.maximumClipMilliseconds = maximumClipMilliseconds
            self.marginMilliseconds = marginMilliseconds
            self.maximumClips = maximumClips
        }
    }

    private struct Clip: Sendable {
        var finding: ComplianceFinding
        /// Offsets into the data chunk, whole frames.
        var startByte: Int
        var endByte: Int
        var bytes: [UInt8]
    }

    /// How clips are cut.
    public let options: Options
    private var parser = WAVStreamDecoder()
    /// Sample bytes from data offset `retainedStart` on.
    private var retained: [UInt8] = []
    private var retainedStart = 0
    /// Sample bytes received so far.
    private var dataReceived = 0
    private var clips: [Clip] = []

    /// Creates a recorder at the start of a stream.
    public init(options: Options = Options()) {
        self.options = options
        parser.decodesSamples = false
    }

    /// The input's format, once its header has been read.
    public var format: AudioFormat? { parser.format }

    /// Consumes the next input chunk.
    ///
    /// - Throws: the ``AudioDecodingError`` the WAV parser raises for the input.
    public mutating func consume(_ chunk: some Collection<UInt8>) throws(AudioDecodingError) {
        let chunkStart = parser.bytesConsumed
        let bytes = Array(chunk)
        _ = try parser.consume(bytes)
        guard let format = parser.format, let dataStart = parser.dataStartOffset else { return }
        let dataEnd = parser.declaredDataByteCount.map { dataStart + $0 } ?? Int.max
        let lower = max(chunkStart, dataStart), upper = min(chunkStart + bytes.count, dataEnd)
        guard lower < upper else { return }
        let samples = bytes[(lower - chunkStart)..<(upper - chunkStart)]
        let from = dataReceived
        dataReceived += samples.count
        for index in clips.indices where clips[index].endByte > from {
            let take = min(clips[index].endByte, dataReceived) - from
            clips[index].bytes += samples.prefix(take)
        }
        retained += samples
        let keep = byte(milliseconds: options.lookbackMilliseconds, format)
        if retained.count > 2 * keep + 65_536 {  // trim in batches, not per chunk
            let drop = (retained.count - keep) / format.blockAlign * format.blockAlign  // whole frames
            retained.removeFirst(drop)
            retainedStart += drop
        }
    }

    /// Starts a clip for each finding (findings without audio, e.g. from a transcript, are ignored).
    public mutating func record(_ findings: [ComplianceFinding]) {
        guard let format = parser.format else { return }
        for finding in findings where finding.source == .dtmf {
            let wantedStart = byte(milliseconds: finding.maskedSpan.lowerBound - options.preRollMilliseconds, format)
            let start = min(max(retainedStart, wantedStart), dataReceived / format.blockAlign * format.blockAlign)
            let wantedEnd = byte(milliseconds: finding.maskedSpan.upperBound + options.postRollMilliseconds, format)
            let end = max(start, min(wantedEnd, start + byte(milliseconds: options.maximumClipMilliseconds, format)))
            let available = min(end, dataReceived)
            let bytes = start < available ? Array(retained[(start - retainedStart)..<(available - retainedStart)]) : []
            clips.append(Clip(finding: finding, startByte: start, endByte: end, bytes: bytes))
        }
        if clips.count > options.maximumClips {
            // Keep the most important: the primary first (highest confidence, then earliest).
            clips.sort { ($0.finding.confidence, -$0.finding.offsetMs) > ($1.finding.confidence, -$1.finding.offsetMs) }
            clips.removeLast(clips.count - options.maximumClips)
        }
    }

    /// The masked clip of a recorded finding as a complete WAV file, or `nil` when no clip was kept for
    /// it (not recorded, dropped, or not from audio). What has arrived so far is used: a stream that
    /// ended (or was stopped) early gives a shorter clip.
    ///
    /// - Parameters:
    ///   - finding: the finding the clip was cut for.
    ///   - findings: every finding whose span must be silenced wherever it overlaps the clip (pass all
    ///     the analyser's findings, so a second card keyed during the post-roll is masked too).
    public func clip(for finding: ComplianceFinding, masking findings: [ComplianceFinding]) -> [UInt8]? {
        guard let format = parser.format, let clip = clips.first(where: { $0.finding == finding }), !clip.bytes.isEmpty else {
            return nil
        }
        // Clip-local milliseconds; the start is rounded down and each span widened by the margin, so a
        // frame of rounding can only silence more, never less.
        let startMs = Double(clip.startByte / format.blockAlign) * 1_000 / Double(format.sampleRate)
        let spans = findings.filter { $0.source == .dtmf }.map { other -> Range<Int> in
            let lower = Int((Double(other.maskedSpan.lowerBound - options.marginMilliseconds) - startMs).rounded(.down))
            let upper = Int((Double(other.maskedSpan.upperBound + options.marginMilliseconds) - startMs).rounded(.up))
            return max(0, lower)..<max(0, upper)
        }
        let frames = clip.bytes.prefix(clip.bytes.count / format.blockAlign * format.blockAlign)
        guard !frames.isEmpty else { return nil }
        let wav = WAVEncoder.header(format: format, dataByteCount: frames.count) + frames + (frames.count & 1 == 1 ? [0] : [])
        return try? EvidenceClipMasker.mask(wav, spans: spans)
    }

    /// The data-chunk offset of the whole frame at `milliseconds` (0 for negative times).
    private func byte(milliseconds: Int, _ format: AudioFormat) -> Int {
        guard milliseconds > 0 else { return 0 }
        let frames = Int((Double(milliseconds) * Double(format.sampleRate) / 1_000).rounded(.down))
        return frames * format.blockAlign
    }
}
