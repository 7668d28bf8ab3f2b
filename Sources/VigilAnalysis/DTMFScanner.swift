/// Runs one ``DTMFDetector`` per channel over decoded audio, so a stereo Genesys recording is analysed
/// as customer (channel 0) and agent (channel 1) separately, and tags each event with its channel.
///
/// Works with blocks from any decoder (``WAVStreamDecoder``, ``RawAudioDecoder``), or directly on WAV
/// bytes with ``consumeWAV(_:)``.
public struct DTMFScanner: Sendable {
    private var detectors: [DTMFDetector] = []
    private var configure: @Sendable (Int) -> DTMFDetector.Configuration
    private var decoder = WAVStreamDecoder()

    /// Creates a scanner with the default detector configuration for the stream's sample rate.
    public init() {
        configure = { DTMFDetector.Configuration(sampleRate: $0) }
    }

    /// Creates a scanner whose detectors are configured by `configuration(sampleRate)`.
    public init(configuration: @escaping @Sendable (Int) -> DTMFDetector.Configuration) {
        configure = configuration
    }

    /// The format of the WAV stream fed to ``consumeWAV(_:)``, once known.
    public var wavFormat: AudioFormat? { decoder.format }

    /// Analyses a decoded block; returns the digits that ended in it, ordered by start time.
    public mutating func process(_ block: PCMBlock) -> [DTMFDigitEvent] {
        if detectors.count != block.channels.count {
            let configuration = configure(block.format.sampleRate)
            detectors = block.channels.map { _ in DTMFDetector(configuration: configuration) }
        }
        var events: [DTMFDigitEvent] = []
        for channel in block.channels.indices {
            for var event in detectors[channel].process(block.channels[channel]) {
                event.channel = channel
                events.append(event)
            }
        }
        return events.sorted { ($0.startSample, $0.channel) < ($1.startSample, $1.channel) }
    }

    /// Feeds the next chunk of a WAV stream; returns the digits that ended in it.
    public mutating func consumeWAV(_ chunk: some Collection<UInt8>) throws(AudioDecodingError) -> [DTMFDigitEvent] {
        guard let block = try decoder.consume(chunk) else { return [] }
        return process(block)
    }

    /// Ends the stream: returns digits still sounding at the end. For WAV input, also checks that the
    /// stream was complete.
    ///
    /// - Throws: ``AudioDecodingError`` when WAV input was fed and it was truncated.
    public mutating func finish() throws(AudioDecodingError) -> [DTMFDigitEvent] {
        var events: [DTMFDigitEvent] = []
        for channel in detectors.indices {
            for var event in detectors[channel].finish() {
                event.channel = channel
                events.append(event)
            }
        }
        if decoder.bytesConsumed > 0 {
            try decoder.finish()
        }
        return events.sorted { ($0.startSample, $0.channel) < ($1.startSample, $1.channel) }
    }

    /// Scans a complete WAV file chunk by chunk (64 KiB reads, constant memory).
    ///
    /// - Returns: all digits on all channels, ordered by start time.
    public static func scanWAVFile(atPath path: String) throws -> [DTMFDigitEvent] {
        var scanner = DTMFScanner()
        var events: [DTMFDigitEvent] = []
        try WAVStreamDecoder.decodeFile(atPath: path) { block in
            events += scanner.process(block)
        }
        events += try scanner.finish()
        return events.sorted { ($0.startSample, $0.channel) < ($1.startSample, $1.channel) }
    }
}
