/// Analyses a WAV stream chunk by chunk, in constant memory, and reports compliance findings as soon
/// as the audio proves them: WAV decoding → per-channel DTMF detection (``DTMFScanner``) → digit runs
/// (``DTMFFindingAnalyzer``).
///
/// A card run is reported once the audio has run ``DTMFFindingAnalyzer/Configuration/maxDigitGapMs``
/// (+ slack) past its last digit, so a violation early in a long call is known long before the
/// download ends.
///
/// ```swift
/// var analyzer = StreamingAudioAnalyzer()
/// for try await chunk in body { for finding in try analyzer.consume(chunk) { print(finding) } }
/// let rest = try analyzer.finish()
/// ```
public struct StreamingAudioAnalyzer: Sendable {
    private var decoder = WAVStreamDecoder()
    private var scanner = DTMFScanner()
    private var analyzer: DTMFFindingAnalyzer?
    private let policy: AnalysisPolicy
    /// Every finding reported so far, in the order reported.
    public private(set) var findings: [ComplianceFinding] = []
    /// The number of DTMF digits detected so far.
    public private(set) var digitCount = 0
    /// Milliseconds of audio analysed so far.
    public private(set) var analysedMilliseconds = 0
    /// A second thread that detects the digits from its start frame on (file scans only).
    private var lookahead: LookaheadScan?
    private var handedOver = false

    /// Creates an analyser applying `policy`'s DTMF rules.
    public init(policy: AnalysisPolicy = AnalysisPolicy()) {
        self.policy = policy
    }

    /// The stream's format, once its header has been read.
    public var format: AudioFormat? { decoder.format }
    /// The offset of the WAV data chunk's first byte, once the header has been read.
    var dataStart: Int? { decoder.dataStartOffset }
    /// The data chunk's declared length (`nil` for a stream of unknown length).
    var declaredDataByteCount: Int? { decoder.declaredDataByteCount }

    /// Feeds the next chunk of the WAV stream; returns findings proven by it.
    ///
    /// - Throws: ``AudioDecodingError`` for a malformed header or a non-WAV container.
    public mutating func consume(_ chunk: some Collection<UInt8>) throws(AudioDecodingError) -> [ComplianceFinding] {
        guard let block = try decoder.consume(chunk) else {
            if handedOver, let format = decoder.format {
                analysedMilliseconds = milliseconds(decoder.dataBytesConsumed / format.blockAlign, format)
            }
            return []
        }
        if analyzer == nil {
            let labels = block.format.channelCount == 1 ? ["mixed"] : ["external", "internal"]
            analyzer = DTMFFindingAnalyzer(configuration: policy.dtmfConfiguration(channelLabels: labels))
        }
        var events: [DTMFDigitEvent]
        var endFrame = block.startFrame + block.frameCount
        if let lookahead, endFrame >= lookahead.startFrame {
            // The rest is the other thread's: detect up to its start frame, then only parse.
            let head = lookahead.startFrame - block.startFrame
            events = scanner.process(
                PCMBlock(
                    format: block.format, startFrame: block.startFrame,
                    channels: block.channels.map { Array($0.prefix(head)) }))
            events += (try? scanner.finish()) ?? []  // PCM blocks only: finish cannot throw
            decoder.decodesSamples = false
            handedOver = true
            endFrame = lookahead.startFrame
        } else {
            events = scanner.process(block)
        }
        digitCount += events.count
        analysedMilliseconds = milliseconds(endFrame, block.format)
        var found = analyzer!.consume(events)
        found += analyzer!.advance(toMilliseconds: analysedMilliseconds)
        findings += found
        return found
    }

    /// Lets a second thread detect the digits from `scan.startFrame` on; call before the stream reaches
    /// that frame. Findings are then completed at ``finish()``, with the other thread's digits.
    mutating func handOver(to scan: LookaheadScan) {
        precondition(decoder.framesDecoded <= scan.startFrame, "the stream is already past the hand-over frame")
        lookahead = scan
    }

    private func milliseconds(_ frames: Int, _ format: AudioFormat) -> Int {
        Int((Double(frames) * 1000 / Double(format.sampleRate)).rounded())
    }

    /// Ends the stream; returns the findings still pending (runs at the very end of the audio).
    ///
    /// - Throws: ``AudioDecodingError`` when the stream was truncated or held no audio header.
    public mutating func finish() throws(AudioDecodingError) -> [ComplianceFinding] {
        var events = try scanner.finish()
        if let lookahead {
            let tail = lookahead.events()  // waits for the other thread in every case
            if handedOver { events += tail }
        }
        try decoder.finish()
        digitCount += events.count
        guard var analyzer else { return [] }
        let found = analyzer.consume(events) + analyzer.finish()
        self.analyzer = analyzer
        findings += found
        return found
    }
}
