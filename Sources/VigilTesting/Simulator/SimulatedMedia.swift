import Foundation
import VigilCore

/// The bytes of a simulated recording: held in memory, or generated on demand so that a 1 GiB recording
/// never exists in memory at once.
public struct SimulatedMedia: Sendable {
    /// Total size in bytes.
    public let size: Int64
    /// Produces `count` bytes starting at `offset` (called once per streamed chunk).
    public let generate: @Sendable (_ offset: Int64, _ count: Int) -> [UInt8]

    /// Creates media from a generator.
    public init(size: Int64, generate: @escaping @Sendable (_ offset: Int64, _ count: Int) -> [UInt8]) {
        precondition(size >= 0, "size must not be negative")
        self.size = size
        self.generate = generate
    }

    /// Media held in memory.
    public static func bytes(_ bytes: [UInt8]) -> SimulatedMedia {
        SimulatedMedia(size: Int64(bytes.count)) { offset, count in
            let start = Int(offset)
            return Array(bytes[start..<min(bytes.count, start + count)])
        }
    }

    /// A synthetic recording of `size` bytes, generated chunk by chunk without per-byte work: a fixed
    /// 64 KiB pattern block repeated, with every 64 KiB boundary stamped with its own offset (8 bytes,
    /// big-endian) so a test can check that chunks arrive complete and in order.
    public static func synthetic(size: Int64, seed: UInt64 = 0) -> SimulatedMedia {
        let period = 1 << 16
        var state = seed &+ 0x9E37_79B9_7F4A_7C15
        var pattern = [UInt8](repeating: 0, count: period)
        var index = 0
        while index < period {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            withUnsafeBytes(of: state.bigEndian) { raw in
                for (i, byte) in raw.enumerated() where index + i < period { pattern[index + i] = byte }
            }
            index += 8
        }
        let block = pattern
        return SimulatedMedia(size: size) { offset, count in
            var chunk = [UInt8]()
            chunk.reserveCapacity(count)
            var position = offset
            let end = offset + Int64(count)
            while position < end {
                let inBlock = Int(position % Int64(period))
                let take = min(period - inBlock, Int(end - position))
                chunk.append(contentsOf: block[inBlock..<(inBlock + take)])
                position += Int64(take)
            }
            // Stamp each block start that falls inside this chunk with its offset.
            var stamp = (offset + Int64(period) - 1) / Int64(period) * Int64(period)
            while stamp + 8 <= end {
                let at = Int(stamp - offset)
                withUnsafeBytes(of: UInt64(stamp).bigEndian) { raw in
                    for i in 0..<8 { chunk[at + i] = raw[i] }
                }
                stamp += Int64(period)
            }
            return chunk
        }
    }
}

/// Streams `media[start..<end]` in chunks of `chunkSize`, generating each chunk when it is asked for.
struct GeneratedMediaSequence: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let media: SimulatedMedia
    var start: Int64 = 0
    let end: Int64
    let chunkSize: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        let media: SimulatedMedia
        let end: Int64
        let chunkSize: Int
        var position: Int64 = 0

        mutating func next() async throws -> [UInt8]? {
            try Task.checkCancellation()
            guard position < end else { return nil }
            let count = Int(Swift.min(Int64(chunkSize), end - position))
            let chunk = media.generate(position, count)
            position += Int64(count)
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(media: media, end: end, chunkSize: chunkSize, position: start)
    }
}
