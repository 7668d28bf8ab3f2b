/// Turns interleaved encoded bytes into de-interleaved `Float` channels, carrying a partial frame
/// between calls. Shared by ``WAVStreamDecoder`` and ``RawAudioDecoder``.
struct FrameUnpacker: Sendable {
    let format: AudioFormat
    let bigEndian: Bool
    /// Bytes of an incomplete frame left over from the previous call (fewer than `blockAlign`).
    private(set) var partial: [UInt8] = []
    /// Frames emitted so far.
    private(set) var framesEmitted = 0
    /// The channel buffers of the last block, kept for reuse (see `reusableChannels`).
    private var recycled: [[Float]] = []

    init(format: AudioFormat, bigEndian: Bool = false) {
        self.format = format
        self.bigEndian = bigEndian
        partial.reserveCapacity(format.blockAlign)
    }

    /// Decodes `bytes` (continuing any partial frame) into a block, or `nil` when no full frame is ready.
    mutating func unpack(_ bytes: UnsafeBufferPointer<UInt8>) -> PCMBlock? {
        let blockAlign = format.blockAlign
        let total = partial.count + bytes.count
        let frames = total / blockAlign
        guard frames > 0 else {
            partial.append(contentsOf: bytes)
            return nil
        }
        let channelCount = format.channelCount
        var channels = reusableChannels(frames: frames, channelCount: channelCount)
        var consumed = 0
        var frameOffset = 0
        if !partial.isEmpty {
            consumed = blockAlign - partial.count
            partial.append(contentsOf: bytes[0..<consumed])
            partial.withUnsafeBufferPointer { head in
                decode(head, frames: 1, into: &channels, at: 0)
            }
            partial.removeAll(keepingCapacity: true)
            frameOffset = 1
        }
        let bulkFrames = frames - frameOffset
        if bulkFrames > 0 {
            let slice = UnsafeBufferPointer(rebasing: bytes[consumed..<(consumed + bulkFrames * blockAlign)])
            decode(slice, frames: bulkFrames, into: &channels, at: frameOffset)
            consumed += bulkFrames * blockAlign
        }
        if consumed < bytes.count {
            partial.append(contentsOf: bytes[consumed...])
        }
        let block = PCMBlock(format: format, startFrame: framesEmitted, channels: channels)
        framesEmitted += frames
        recycled = channels
        return block
    }

    /// Channel buffers for the next block. The previous block's buffers are reused when its holder
    /// has released it (the usual case: a block is processed and dropped before the next chunk) —
    /// a 64 KiB chunk decodes to 256 KiB per channel, and allocating that afresh for every chunk
    /// costs a fresh mapping and page faults each time. Every element is then overwritten by
    /// `decode`, so a buffer of the right size is not cleared first.
    private mutating func reusableChannels(frames: Int, channelCount: Int) -> [[Float]] {
        var channels = recycled
        recycled = []
        if channels.count != channelCount {
            channels = .init(repeating: [], count: channelCount)
        }
        for channel in 0..<channelCount where channels[channel].count != frames {
            channels[channel] = [Float](unsafeUninitializedCapacity: frames) { _, initialized in initialized = frames }
        }
        return channels
    }

    private func decode(
        _ bytes: UnsafeBufferPointer<UInt8>, frames: Int, into channels: inout [[Float]], at offset: Int
    ) {
        let channelCount = format.channelCount
        guard let base = bytes.baseAddress else { return }
        switch format.encoding {
        case .muLaw, .aLaw:
            let table = format.encoding == .muLaw ? G711.muLawToFloat : G711.aLawToFloat
            table.withUnsafeBufferPointer { table in
                for channel in 0..<channelCount {
                    channels[channel].withUnsafeMutableBufferPointer { out in
                        var source = base + channel
                        for index in offset..<(offset + frames) {
                            out[index] = table[Int(source.pointee)]
                            source += channelCount
                        }
                    }
                }
            }
        case .pcm16:
            let scale: Float = 1.0 / 32768
            let stride = 2 * channelCount
            let (lowByte, highByte) = bigEndian ? (1, 0) : (0, 1)
            for channel in 0..<channelCount {
                channels[channel].withUnsafeMutableBufferPointer { out in
                    var source = base + 2 * channel
                    for index in offset..<(offset + frames) {
                        let bits = UInt16(source[lowByte]) | UInt16(source[highByte]) << 8
                        out[index] = Float(Int16(bitPattern: bits)) * scale
                        source += stride
                    }
                }
            }
        }
    }
}

extension Collection<UInt8> {
    /// Runs `body` over contiguous storage, copying into a temporary array only when the collection
    /// has none (e.g. a lazy or linked collection).
    func withContiguousBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = withContiguousStorageIfAvailable(body) {
            return result
        }
        return Array(self).withUnsafeBufferPointer(body)
    }
}
