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

    /// Creates an analyser applying `policy`'s DTMF rules.
    public init(policy: AnalysisPolicy = AnalysisPolicy()) {
        self.policy = policy
    }

    /// The stream's format, once its header has been read.
    public var format: AudioFormat? { decoder.format }

    /// Feeds the next chunk of the WAV stream; returns findings proven by it.
    ///
    /// - Throws: ``AudioDecodingError`` for a malformed header or a non-WAV container.
    public mutating func consume(_ chunk: some Collection<UInt8>) throws(AudioDecodingError) -> [ComplianceFinding] {
        guard let block = try decoder.consume(chunk) else { return [] }
        if analyzer == nil {
            let labels = block.format.channelCount == 1 ? ["mixed"] : ["external", "internal"]
            analyzer = DTMFFindingAnalyzer(configuration: policy.dtmfConfiguration(channelLabels: labels))
        }
        let events = scanner.process(block)
        digitCount += events.count
        let endFrame = block.startFrame + block.frameCount
        analysedMilliseconds = Int((Double(endFrame) * 1000 / Double(block.format.sampleRate)).rounded())
        var found = analyzer!.consume(events)
        found += analyzer!.advance(toMilliseconds: analysedMilliseconds)
        findings += found
        return found
    }

    /// Ends the stream; returns the findings still pending (runs at the very end of the audio).
    ///
    /// - Throws: ``AudioDecodingError`` when the stream was truncated or held no audio header.
    public mutating func finish() throws(AudioDecodingError) -> [ComplianceFinding] {
        let events = try scanner.finish()
        try decoder.finish()
        digitCount += events.count
        guard var analyzer else { return [] }
        let found = analyzer.consume(events) + analyzer.finish()
        self.analyzer = analyzer
        findings += found
        return found
    }
}
