/// Writes a masked evidence clip: the input WAV, byte for byte, except that every sample frame inside
/// the given time spans is replaced by digital silence (`00 00` for PCM, `FF` for µ-law, `D5` for
/// A-law) on all channels. Streaming: each input chunk produces an output chunk of the same length, so
/// memory stays constant and the output has exactly the input's header and format.
///
/// ```swift
/// var masker = EvidenceClipMasker(maskedSpans: [1_200..<2_960])   // milliseconds
/// for try await chunk in body { output.write(try masker.consume(chunk)) }
/// try masker.finish()
/// ```
public struct EvidenceClipMasker: Sendable {
    private var parser = WAVStreamDecoder()
    private let spans: [Range<Int>]

    /// Creates a masker for spans given in milliseconds from the start of the recording (start
    /// inclusive, end exclusive). A frame is silenced when any part of it falls inside a span.
    public init(maskedSpans: [Range<Int>]) {
        spans = maskedSpans.filter { !$0.isEmpty }
        parser.decodesSamples = false
    }

    /// The input's format, once its header has been read.
    public var format: AudioFormat? { parser.format }

    /// Consumes the next input chunk and returns the corresponding output bytes (same length).
    ///
    /// - Throws: the ``AudioDecodingError`` the WAV parser raises for the input.
    public mutating func consume(_ chunk: some Collection<UInt8>) throws(AudioDecodingError) -> [UInt8] {
        let chunkStart = parser.bytesConsumed
        var output = Array(chunk)
        _ = try parser.consume(output)
        guard let format = parser.format, let dataStart = parser.dataStartOffset else { return output }
        let dataEnd = parser.declaredDataByteCount.map { dataStart + $0 } ?? Int.max
        let chunkEnd = chunkStart + output.count
        let silence = format.encoding.silence[0]
        for span in spans {
            let firstFrame = Int((Double(span.lowerBound) * Double(format.sampleRate) / 1000).rounded(.down))
            let endFrame = Int((Double(span.upperBound) * Double(format.sampleRate) / 1000).rounded(.up))
            let lower = max(chunkStart, dataStart + max(0, firstFrame) * format.blockAlign)
            let upper = min(chunkEnd, dataEnd, dataStart + max(0, endFrame) * format.blockAlign)
            guard lower < upper else { continue }
            for index in (lower - chunkStart)..<(upper - chunkStart) {
                output[index] = silence
            }
        }
        return output
    }

    /// Declares the end of the input.
    ///
    /// - Throws: ``AudioDecodingError`` if the input was truncated.
    public mutating func finish() throws(AudioDecodingError) {
        try parser.finish()
    }

    /// Masks a complete WAV held in memory.
    public static func mask(_ wav: [UInt8], spans: [Range<Int>]) throws(AudioDecodingError) -> [UInt8] {
        var masker = EvidenceClipMasker(maskedSpans: spans)
        let output = try masker.consume(wav)
        try masker.finish()
        return output
    }
}
