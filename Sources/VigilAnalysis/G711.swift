/// ITU-T G.711 companding: µ-law (North America, Japan; Genesys `WAV_ULAW`, AudioHook `PCMU`) and A-law
/// (Europe), to and from 16-bit linear PCM.
///
/// Decoding is table-driven (256 entries each, built once). The decoded values follow the usual 16-bit
/// scaling of the 14-bit (µ-law) and 13-bit (A-law) G.711 ranges: µ-law spans ±32 124, A-law ±32 256.
/// `decode(encode(x))` is the nearest G.711 reconstruction level of `x`.
@_spi(VigilInternal) public enum G711 {
    /// The µ-law byte that decodes to 0 (digital silence).
    public static let muLawSilence: UInt8 = 0xFF
    /// The A-law byte that decodes to +8, the code conventionally used for silence.
    public static let aLawSilence: UInt8 = 0xD5

    /// µ-law byte → 16-bit linear sample.
    public static let muLawToLinear: [Int16] = (0...255).map { muLawDecodeSlow(UInt8($0)) }
    /// A-law byte → 16-bit linear sample.
    public static let aLawToLinear: [Int16] = (0...255).map { aLawDecodeSlow(UInt8($0)) }
    /// µ-law byte → sample scaled to `Float` full scale (linear / 32 768).
    public static let muLawToFloat: [Float] = muLawToLinear.map { Float($0) / 32768 }
    /// A-law byte → sample scaled to `Float` full scale (linear / 32 768).
    public static let aLawToFloat: [Float] = aLawToLinear.map { Float($0) / 32768 }

    /// Decodes one µ-law byte to a 16-bit linear sample.
    @inlinable public static func muLawDecode(_ byte: UInt8) -> Int16 { muLawToLinear[Int(byte)] }

    /// Decodes one A-law byte to a 16-bit linear sample.
    @inlinable public static func aLawDecode(_ byte: UInt8) -> Int16 { aLawToLinear[Int(byte)] }

    /// Encodes a 16-bit linear sample as µ-law (G.711 segment/mantissa coding with bias 0x84, clipped
    /// at ±32 635 before biasing).
    public static func muLawEncode(_ sample: Int16) -> UInt8 {
        var magnitude = Int(sample)
        var sign = 0
        if magnitude < 0 {
            sign = 0x80
            magnitude = -magnitude
        }
        magnitude = min(magnitude, 32635) + 0x84
        // magnitude is in 0x84 ... 0x7FFF: the segment is the position of its top bit minus 7.
        var segment = 0
        var probe = magnitude >> 8
        while probe != 0 {
            segment += 1
            probe >>= 1
        }
        let mantissa = (magnitude >> (segment + 3)) & 0x0F
        return ~UInt8(sign | (segment << 4) | mantissa)
    }

    /// Encodes a 16-bit linear sample as A-law (13-bit magnitude, 8 segments, even bits inverted).
    public static func aLawEncode(_ sample: Int16) -> UInt8 {
        var value = Int(sample) >> 3  // 13-bit
        let mask: Int
        if value >= 0 {
            mask = 0xD5
        } else {
            mask = 0x55
            value = -value - 1
        }
        var segment = 0
        var limit = 0x1F
        while segment < 8 && value > limit {
            segment += 1
            limit = (limit << 1) | 1
        }
        if segment >= 8 {
            return UInt8(0x7F ^ mask)
        }
        var code = segment << 4
        code |= segment < 2 ? (value >> 1) & 0x0F : (value >> segment) & 0x0F
        return UInt8(code ^ mask)
    }

    /// Encodes a `Float` sample (full scale ±1.0, clipped) as µ-law.
    public static func muLawEncode(_ sample: Float) -> UInt8 { muLawEncode(linear(sample)) }

    /// Encodes a `Float` sample (full scale ±1.0, clipped) as A-law.
    public static func aLawEncode(_ sample: Float) -> UInt8 { aLawEncode(linear(sample)) }

    /// Converts a `Float` sample (full scale ±1.0) to 16-bit linear with rounding and clipping.
    public static func linear(_ sample: Float) -> Int16 {
        let scaled = (sample * 32768).rounded()
        if scaled >= 32767 { return .max }
        if scaled <= -32768 { return .min }
        return Int16(scaled)
    }

    private static func muLawDecodeSlow(_ byte: UInt8) -> Int16 {
        let code = Int(~byte)
        let segment = (code & 0x70) >> 4
        let magnitude = ((((code & 0x0F) << 3) + 0x84) << segment) - 0x84
        return Int16(code & 0x80 != 0 ? -magnitude : magnitude)
    }

    private static func aLawDecodeSlow(_ byte: UInt8) -> Int16 {
        let code = Int(byte ^ 0x55)
        let segment = (code & 0x70) >> 4
        var magnitude = (code & 0x0F) << 4
        switch segment {
        case 0: magnitude += 8
        case 1: magnitude += 0x108
        default: magnitude = (magnitude + 0x108) << (segment - 1)
        }
        return Int16(code & 0x80 != 0 ? magnitude : -magnitude)
    }
}
