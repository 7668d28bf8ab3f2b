// The streaming WAV decoder on fuzzed bytes, fed once whole and once in chunks cut at boundaries the
// input chooses (the first byte seeds them). Invariants:
// 1. Both feedings give the same outcome: the same samples per channel, or the same error code at the
//    same byte offset (an error is raised as soon as its bytes arrive, whatever the chunking).
// 2. Blocks are contiguous (each starts where the previous ended, `framesDecoded` counts them all),
//    have one array per channel of the stream's format, equal lengths, and samples in [-1, 1].
import VigilAnalysis

private struct Decoded: Equatable {
    var channels: [[Float]] = []
    var error: AudioDecodingError.Code?
    var errorOffset: Int?
}

private func decode(_ bytes: [UInt8], cuts: [Int]) -> Decoded {
    var decoder = WAVStreamDecoder()
    var result = Decoded()
    var start = 0
    do {
        for end in cuts + [bytes.count] where end >= start {
            if let block = try decoder.consume(bytes[start..<end]) { append(block, to: &result, decoder: decoder) }
            start = end
        }
        try decoder.finish()
    } catch {
        result.error = error.code
        result.errorOffset = error.byteOffset
    }
    return result
}

private func append(_ block: PCMBlock, to result: inout Decoded, decoder: WAVStreamDecoder) {
    guard block.channels.count == block.format.channelCount, block.format == decoder.format else {
        violated("a block's channels do not match the stream's format")
    }
    if result.channels.isEmpty { result.channels = Array(repeating: [], count: block.channels.count) }
    guard block.startFrame == result.channels[0].count else { violated("a block does not start where the previous ended") }
    for (index, samples) in block.channels.enumerated() {
        guard samples.count == block.frameCount else { violated("channels of one block differ in length") }
        guard samples.allSatisfy({ $0 >= -1 && $0 <= 1 }) else { violated("a sample outside [-1, 1]") }
        result.channels[index] += samples
    }
    guard decoder.framesDecoded == result.channels[0].count else { violated("framesDecoded disagrees with the blocks") }
}

func fuzzWAVStream(_ buffer: UnsafeBufferPointer<UInt8>) {
    let bytes = Array(buffer)
    var random = InputRandom(seed: bytes.prefix(16))
    var cuts: [Int] = [], position = 0
    while position < bytes.count {
        position += 1 + random.next(below: 64)
        if position < bytes.count { cuts.append(position) }
    }
    let whole = decode(bytes, cuts: []), chunked = decode(bytes, cuts: cuts)
    guard whole == chunked else { violated("one chunk and random chunks decoded differently") }
}
