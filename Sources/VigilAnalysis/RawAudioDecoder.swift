/// A push decoder for headerless audio such as Genesys AudioHook media frames (`PCMU` or `L16` at
/// 8 000 Hz, channels interleaved external-first).
///
/// ```swift
/// var decoder = RawAudioDecoder(format: AudioFormat(encoding: .muLaw, sampleRate: 8000, channelCount: 2))
/// if let block = decoder.consume(frameBytes) { … }
/// ```
public struct RawAudioDecoder: Sendable {
    private var unpacker: FrameUnpacker

    /// The format the bytes are interpreted in.
    public var format: AudioFormat { unpacker.format }

    /// Creates a decoder.
    ///
    /// - Parameters:
    ///   - format: encoding, rate and channel count of the stream.
    ///   - bigEndian: for ``AudioEncoding/pcm16`` only: `true` when samples are in network byte order
    ///     (RFC 3551 `L16` on RTP). WAV data and AudioHook reference code use little-endian, the default.
    public init(format: AudioFormat, bigEndian: Bool = false) {
        unpacker = FrameUnpacker(format: format, bigEndian: bigEndian)
    }

    /// Frames (samples per channel) decoded so far.
    public var framesDecoded: Int { unpacker.framesEmitted }

    /// Decodes the next chunk; a trailing partial frame is kept for the next call.
    public mutating func consume(_ chunk: some Collection<UInt8>) -> PCMBlock? {
        chunk.withContiguousBytes { unpacker.unpack($0) }
    }

    /// Declares the end of the stream.
    ///
    /// - Throws: ``AudioDecodingError/Code/truncatedData`` when a partial frame is left over.
    public func finish() throws(AudioDecodingError) {
        if !unpacker.partial.isEmpty {
            throw .truncatedData(
                "the stream ends with a partial frame (\(unpacker.partial.count) of \(format.blockAlign) bytes)",
                at: unpacker.framesEmitted * format.blockAlign + unpacker.partial.count)
        }
    }
}
