/// How the samples of an audio stream are encoded.
public enum AudioEncoding: Sendable, Hashable, CustomStringConvertible {
    /// Signed 16-bit linear PCM, little-endian (WAV format tag 1; Genesys `formatId=WAV`).
    case pcm16
    /// ITU-T G.711 µ-law, 8 bits (WAV format tag 7; Genesys `WAV_ULAW`; AudioHook `PCMU`).
    case muLaw
    /// ITU-T G.711 A-law, 8 bits (WAV format tag 6).
    case aLaw

    /// Bytes per sample of one channel.
    public var bytesPerSample: Int {
        switch self {
        case .pcm16: 2
        case .muLaw, .aLaw: 1
        }
    }

    /// The WAV `wFormatTag` of this encoding.
    public var waveFormatTag: UInt16 {
        switch self {
        case .pcm16: 1
        case .aLaw: 6
        case .muLaw: 7
        }
    }

    /// The bytes of one silent sample of one channel: `00 00` for PCM, `FF` for µ-law, `D5` for A-law.
    public var silence: [UInt8] {
        switch self {
        case .pcm16: [0, 0]
        case .muLaw: [G711.muLawSilence]
        case .aLaw: [G711.aLawSilence]
        }
    }

    /// `"pcm16"`, `"mulaw"` or `"alaw"`.
    public var description: String {
        switch self {
        case .pcm16: "pcm16"
        case .muLaw: "mulaw"
        case .aLaw: "alaw"
        }
    }
}

/// The format of a decoded or raw audio stream.
///
/// Channel order follows the Genesys Cloud convention for stereo recordings and AudioHook: channel 0
/// is the *external* party (customer), channel 1 the *internal* party (agent).
public struct AudioFormat: Sendable, Hashable, CustomStringConvertible {
    /// The sample encoding.
    public var encoding: AudioEncoding
    /// Frames per second. Tested: 8 000 and 16 000 Hz; any rate from 4 000 to 192 000 Hz is accepted.
    public var sampleRate: Int
    /// Interleaved channels per frame (1 = mono, 2 = stereo; up to 8 accepted).
    public var channelCount: Int

    /// Creates a format description.
    public init(encoding: AudioEncoding, sampleRate: Int, channelCount: Int) {
        self.encoding = encoding
        self.sampleRate = sampleRate
        self.channelCount = channelCount
    }

    /// Bytes per interleaved frame (all channels of one sampling instant).
    public var blockAlign: Int { encoding.bytesPerSample * channelCount }

    /// Bytes per second of audio.
    public var byteRate: Int { blockAlign * sampleRate }

    /// The frame index at or after `milliseconds` from the start of the stream.
    public func frameIndex(atMilliseconds milliseconds: Double) -> Int {
        Int((milliseconds * Double(sampleRate) / 1000).rounded(.down))
    }

    /// e.g. `"mulaw 8000 Hz x2"`.
    public var description: String { "\(encoding) \(sampleRate) Hz x\(channelCount)" }
}

/// A block of decoded audio: one `Float` array per channel (full scale ±1.0, i.e. a 16-bit sample
/// divided by 32 768), all the same length.
public struct PCMBlock: Sendable, Equatable {
    /// The format of the stream these samples came from.
    public var format: AudioFormat
    /// The index of this block's first frame counted from the start of the stream.
    public var startFrame: Int
    /// De-interleaved samples, `channels[c][i]`; channel 0 = external/customer, 1 = internal/agent.
    public var channels: [[Float]]

    /// Creates a block.
    public init(format: AudioFormat, startFrame: Int, channels: [[Float]]) {
        self.format = format
        self.startFrame = startFrame
        self.channels = channels
    }

    /// The number of frames (samples per channel) in this block.
    public var frameCount: Int { channels.first?.count ?? 0 }
}
