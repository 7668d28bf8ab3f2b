/// A push decoder for RIFF/WAVE streams: feed it byte chunks of any size as they arrive (an HTTP body,
/// a file read in 64 KiB pieces) and it returns decoded samples per channel, in constant memory.
///
/// Supported: format tag 1 (16-bit PCM), 7 (G.711 µ-law), 6 (G.711 A-law), and
/// `WAVE_FORMAT_EXTENSIBLE` (0xFFFE) with one of those sub-formats; any rate from 4 000 to 192 000 Hz
/// (8 000 and 16 000 Hz are the tested ones); 1 to 8 interleaved channels, returned de-interleaved
/// (channel 0 = external/customer, channel 1 = internal/agent, the Genesys convention).
///
/// Unknown chunks (`LIST`, `fact`, `cue `…) are skipped without buffering, odd-sized chunks honour the
/// RIFF pad byte, and a `data` size of 0 or 0xFFFFFFFF (streaming writers) means "until end of stream".
/// Bytes after the `data` chunk are ignored. WEBM, OGG, MP3 and RF64 inputs are recognised from their
/// first bytes and rejected with ``AudioDecodingError/Code/unsupportedContainer``.
///
/// ```swift
/// var decoder = WAVStreamDecoder()
/// for try await chunk in body {
///     if let block = try decoder.consume(chunk) { detector.process(block.channels[0]) }
/// }
/// try decoder.finish()
/// ```
public struct WAVStreamDecoder: Sendable {
    private enum State: Sendable {
        case riffHeader
        case chunkHeader
        case formatBody(size: Int, start: Int)
        case skip(remaining: Int)
        case data(remaining: Int?)
        case trailer
    }

    private var state: State = .riffHeader
    private var header: [UInt8] = []
    private var unpacker: FrameUnpacker?
    private var containerChecked = false
    /// When false, only the structure is parsed (used by the clip masker, which copies bytes).
    var decodesSamples = true

    /// The stream's format, once the `fmt ` chunk has been read.
    public private(set) var format: AudioFormat?
    /// Total bytes consumed so far.
    public private(set) var bytesConsumed = 0
    /// The absolute byte offset of the first sample byte, once the `data` chunk header has been read.
    public private(set) var dataStartOffset: Int?
    /// The `data` chunk's declared length in bytes, or `nil` for "until end of stream".
    public private(set) var declaredDataByteCount: Int?
    /// Sample bytes of the `data` chunk consumed so far (including any partial frame).
    public private(set) var dataBytesConsumed = 0

    /// Creates a decoder at the start of a stream.
    public init() {}

    /// Frames (samples per channel) decoded so far.
    public var framesDecoded: Int { unpacker?.framesEmitted ?? 0 }

    /// `true` once the declared `data` chunk has been read completely.
    public var isDataComplete: Bool {
        if case .trailer = state { return true }
        return false
    }

    /// Consumes the next chunk of the stream and returns the samples it completed, if any.
    ///
    /// - Throws: ``AudioDecodingError`` with code `malformedHeader`, `unsupportedFormat` or
    ///   `unsupportedContainer` as soon as the offending bytes arrive. After an error the decoder must
    ///   not be used further.
    public mutating func consume(_ chunk: some Collection<UInt8>) throws(AudioDecodingError) -> PCMBlock? {
        let result = chunk.withContiguousBytes { consumeBuffer($0) }
        return try result.get()
    }

    /// Declares the end of the stream.
    ///
    /// - Throws: ``AudioDecodingError/Code/truncatedHeader`` when the stream ended before the `data`
    ///   chunk began (including an empty stream), ``AudioDecodingError/Code/truncatedData`` when fewer
    ///   sample bytes arrived than declared or a partial frame is left over, and
    ///   `unsupportedContainer`/`malformedHeader` for a too-short stream of the wrong kind.
    public mutating func finish() throws(AudioDecodingError) {
        switch state {
        case .riffHeader:
            if !containerChecked, let error = Self.checkContainer(header, force: true) { throw error }
            throw .truncatedHeader(
                "the stream ended after \(bytesConsumed) bytes, inside the 12-byte RIFF header", at: bytesConsumed)
        case .chunkHeader, .formatBody, .skip:
            throw .truncatedHeader(
                "the stream ended after \(bytesConsumed) bytes, before the data chunk"
                    + (format == nil ? " and the fmt chunk" : ""), at: bytesConsumed)
        case .data(let remaining):
            if let remaining, remaining > 0 {
                throw .truncatedData(
                    "the data chunk declared \(declaredDataByteCount ?? 0) bytes but only \(dataBytesConsumed) arrived",
                    at: bytesConsumed)
            }
            try checkPartialFrame()
        case .trailer:
            try checkPartialFrame()
        }
    }

    private func checkPartialFrame() throws(AudioDecodingError) {
        if let unpacker, !unpacker.partial.isEmpty, let format {
            throw .truncatedData(
                "the data ends with a partial frame (\(unpacker.partial.count) of \(format.blockAlign) bytes)",
                at: bytesConsumed)
        }
    }

    // MARK: - Parsing

    private mutating func consumeBuffer(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<PCMBlock?, AudioDecodingError> {
        var index = 0
        var output: PCMBlock?
        while index < bytes.count {
            let available = bytes.count - index
            switch state {
            case .riffHeader:
                let take = min(12 - header.count, available)
                header.append(contentsOf: bytes[index..<(index + take)])
                index += take
                bytesConsumed += take
                if !containerChecked, header.count >= 4 {
                    containerChecked = true
                    if let error = Self.checkContainer(header, force: false) { return .failure(error) }
                }
                if header.count == 12 {
                    guard header[8..<12].elementsEqual("WAVE".utf8) else {
                        return .failure(.malformedHeader("RIFF form type is not WAVE", at: 8))
                    }
                    header.removeAll(keepingCapacity: true)
                    state = .chunkHeader
                }
            case .chunkHeader:
                let take = min(8 - header.count, available)
                header.append(contentsOf: bytes[index..<(index + take)])
                index += take
                bytesConsumed += take
                if header.count == 8 {
                    let chunkStart = bytesConsumed - 8
                    let size = Int(Self.le32(header, 4))
                    let id = header[0..<4]
                    header.removeAll(keepingCapacity: true)
                    if id.elementsEqual("fmt ".utf8) {
                        guard format == nil else {
                            return .failure(.malformedHeader("a second fmt chunk", at: chunkStart))
                        }
                        guard (16...1024).contains(size) else {
                            return .failure(.malformedHeader("fmt chunk size \(size) is not in 16...1024", at: chunkStart))
                        }
                        state = .formatBody(size: size, start: chunkStart + 8)
                    } else if id.elementsEqual("data".utf8) {
                        guard let format else {
                            return .failure(.malformedHeader("data chunk before the fmt chunk", at: chunkStart))
                        }
                        dataStartOffset = bytesConsumed
                        if size == 0 || size == 0xFFFF_FFFF {
                            declaredDataByteCount = nil
                            state = .data(remaining: nil)
                        } else {
                            declaredDataByteCount = size
                            state = .data(remaining: size)
                        }
                        unpacker = FrameUnpacker(format: format)
                    } else {
                        guard id.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
                            return .failure(.malformedHeader("chunk id is not printable ASCII", at: chunkStart))
                        }
                        state = .skip(remaining: size + (size & 1))
                    }
                }
            case .formatBody(let size, let start):
                let take = min(size - header.count, available)
                header.append(contentsOf: bytes[index..<(index + take)])
                index += take
                bytesConsumed += take
                if header.count == size {
                    switch Self.parseFormat(header, at: start) {
                    case .success(let parsed): format = parsed
                    case .failure(let error): return .failure(error)
                    }
                    header.removeAll(keepingCapacity: true)
                    state = size & 1 == 1 ? .skip(remaining: 1) : .chunkHeader
                }
            case .skip(let remaining):
                let take = min(remaining, available)
                index += take
                bytesConsumed += take
                state = remaining == take ? .chunkHeader : .skip(remaining: remaining - take)
            case .data(let remaining):
                let take = remaining.map { min($0, available) } ?? available
                let slice = UnsafeBufferPointer(rebasing: bytes[index..<(index + take)])
                index += take
                bytesConsumed += take
                dataBytesConsumed += take
                if decodesSamples, let block = unpacker?.unpack(slice) {
                    output = block
                }
                if let remaining {
                    state = remaining == take ? .trailer : .data(remaining: remaining - take)
                }
            case .trailer:
                bytesConsumed += available
                index = bytes.count
            }
        }
        return .success(output)
    }

    /// Recognises other containers from the first bytes. With `force`, also judges streams shorter
    /// than 4 bytes (at the end of input).
    private static func checkContainer(_ head: [UInt8], force: Bool) -> AudioDecodingError? {
        func starts(_ magic: [UInt8]) -> Bool { head.count >= magic.count && head.starts(with: magic) }
        if starts([0x1A, 0x45, 0xDF, 0xA3]) { return .unsupportedContainer("WEBM", at: 0) }
        if starts(Array("OggS".utf8)) { return .unsupportedContainer("OGG", at: 0) }
        if starts(Array("ID3".utf8)) { return .unsupportedContainer("MP3", at: 0) }
        if head.count >= 2, head[0] == 0xFF, head[1] & 0xE0 == 0xE0 { return .unsupportedContainer("MP3", at: 0) }
        if starts(Array("RF64".utf8)) { return .unsupportedContainer("RF64", at: 0) }
        if head.count >= 4 {
            if !starts(Array("RIFF".utf8)) {
                return .malformedHeader("the stream does not start with RIFF", at: 0)
            }
        } else if force, !head.isEmpty, !Array("RIFF".utf8).starts(with: head) {
            return .malformedHeader("the stream does not start with RIFF", at: 0)
        }
        return nil
    }

    private static let extensibleGUIDTail: [UInt8] = [
        0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71
    ]

    private static func parseFormat(_ body: [UInt8], at start: Int) -> Result<AudioFormat, AudioDecodingError> {
        var tag = le16(body, 0)
        let channels = Int(le16(body, 2))
        let sampleRate = Int(le32(body, 4))
        let blockAlign = Int(le16(body, 12))
        let bits = Int(le16(body, 14))
        if tag == 0xFFFE {
            guard body.count >= 40, le16(body, 16) >= 22 else {
                return .failure(.malformedHeader("WAVE_FORMAT_EXTENSIBLE fmt chunk shorter than 40 bytes", at: start))
            }
            guard body[26..<40].elementsEqual(extensibleGUIDTail) else {
                return .failure(.unsupportedFormat("WAVE_FORMAT_EXTENSIBLE with a non-standard sub-format GUID", at: start + 24))
            }
            tag = le16(body, 24)
        }
        let supported = "supported: PCM 16-bit (tag 1), µ-law (tag 7), A-law (tag 6), or WAVE_FORMAT_EXTENSIBLE with one of those"
        let encoding: AudioEncoding
        switch (tag, bits) {
        case (1, 16): encoding = .pcm16
        case (7, 8): encoding = .muLaw
        case (6, 8): encoding = .aLaw
        case (1, _):
            return .failure(.unsupportedFormat("PCM with \(bits) bits per sample; \(supported)", at: start + 14))
        case (6, _), (7, _):
            return .failure(.unsupportedFormat("G.711 with \(bits) bits per sample (expected 8); \(supported)", at: start + 14))
        case (3, _):
            return .failure(.unsupportedFormat("IEEE float samples (tag 3); \(supported)", at: start))
        default:
            return .failure(.unsupportedFormat("format tag \(tag); \(supported)", at: start))
        }
        guard (1...8).contains(channels) else {
            return .failure(.malformedHeader("channel count \(channels) is not in 1...8", at: start + 2))
        }
        guard (4000...192_000).contains(sampleRate) else {
            return .failure(.malformedHeader("sample rate \(sampleRate) Hz is not in 4000...192000", at: start + 4))
        }
        let format = AudioFormat(encoding: encoding, sampleRate: sampleRate, channelCount: channels)
        guard blockAlign == format.blockAlign else {
            return .failure(
                .malformedHeader(
                    "block align \(blockAlign) does not match \(channels) channel(s) of \(bits) bits", at: start + 12))
        }
        return .success(format)
    }

    private static func le16(_ bytes: [UInt8], _ offset: Int) -> UInt16 {
        UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    private static func le32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
            | UInt32(bytes[offset + 3]) << 24
    }
}
