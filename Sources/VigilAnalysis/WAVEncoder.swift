/// Writes RIFF/WAVE files: 16-bit PCM, µ-law or A-law, any channel count. Used to write masked
/// evidence clips and synthetic test recordings.
public enum WAVEncoder {
    /// The header for a file whose `data` chunk holds `dataByteCount` bytes.
    ///
    /// PCM uses the 16-byte `fmt ` chunk; µ-law and A-law use the 18-byte form (`cbSize` = 0) followed
    /// by a `fact` chunk, as the WAV specification asks for non-PCM data. Pass `dataByteCount: nil` for a
    /// streaming header (`data` size 0xFFFFFFFF, "until end"). An odd `dataByteCount` needs a pad byte
    /// after the data, which ``encode(_:format:)`` adds.
    public static func header(format: AudioFormat, dataByteCount: Int?) -> [UInt8] {
        var bytes: [UInt8] = []
        let isPCM = format.encoding == .pcm16
        let fmtSize = isPCM ? 16 : 18
        let factSize = isPCM ? 0 : 12
        let dataSize = dataByteCount.map { UInt32($0) } ?? 0xFFFF_FFFF
        let padded = dataByteCount.map { $0 + ($0 & 1) }
        let riffSize = padded.map { UInt32(4 + 8 + fmtSize + factSize + 8 + $0) } ?? 0xFFFF_FFFF
        bytes.append(contentsOf: "RIFF".utf8)
        append32(&bytes, riffSize)
        bytes.append(contentsOf: "WAVE".utf8)
        bytes.append(contentsOf: "fmt ".utf8)
        append32(&bytes, UInt32(fmtSize))
        append16(&bytes, format.encoding.waveFormatTag)
        append16(&bytes, UInt16(format.channelCount))
        append32(&bytes, UInt32(format.sampleRate))
        append32(&bytes, UInt32(format.byteRate))
        append16(&bytes, UInt16(format.blockAlign))
        append16(&bytes, UInt16(8 * format.encoding.bytesPerSample))
        if !isPCM {
            append16(&bytes, 0)
            bytes.append(contentsOf: "fact".utf8)
            append32(&bytes, 4)
            append32(&bytes, UInt32((dataByteCount ?? 0) / max(1, format.blockAlign)))
        }
        bytes.append(contentsOf: "data".utf8)
        append32(&bytes, dataSize)
        return bytes
    }

    /// Interleaves and encodes `channels` (full scale ±1.0, clipped) as sample bytes without a header.
    /// All channels must have the same length.
    public static func encodeSamples(_ channels: [[Float]], encoding: AudioEncoding) -> [UInt8] {
        precondition(!channels.isEmpty, "at least one channel")
        let frames = channels[0].count
        precondition(channels.allSatisfy { $0.count == frames }, "channels of equal length")
        var bytes: [UInt8] = []
        bytes.reserveCapacity(frames * channels.count * encoding.bytesPerSample)
        for frame in 0..<frames {
            for channel in channels {
                let sample = channel[frame]
                switch encoding {
                case .pcm16:
                    let bits = UInt16(bitPattern: G711.linear(sample))
                    bytes.append(UInt8(bits & 0xFF))
                    bytes.append(UInt8(bits >> 8))
                case .muLaw:
                    bytes.append(G711.muLawEncode(sample))
                case .aLaw:
                    bytes.append(G711.aLawEncode(sample))
                }
            }
        }
        return bytes
    }

    /// A complete WAV file (header, data, pad byte if needed) holding `channels`.
    public static func encode(_ channels: [[Float]], format: AudioFormat) -> [UInt8] {
        precondition(channels.count == format.channelCount, "one sample array per channel")
        let data = encodeSamples(channels, encoding: format.encoding)
        var bytes = header(format: format, dataByteCount: data.count)
        bytes += data
        if data.count & 1 == 1 { bytes.append(0) }
        return bytes
    }

    private static func append16(_ bytes: inout [UInt8], _ value: UInt16) {
        bytes.append(UInt8(value & 0xFF))
        bytes.append(UInt8(value >> 8))
    }

    private static func append32(_ bytes: inout [UInt8], _ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8((value >> UInt32(shift)) & 0xFF)) }
    }
}
