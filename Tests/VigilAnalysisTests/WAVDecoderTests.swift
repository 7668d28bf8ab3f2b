import Foundation
import Testing
@_spi(VigilInternal) import VigilAnalysis
@_spi(VigilInternal) import VigilCore

/// Builds WAV bytes by hand so that each header field can be broken on purpose.
struct WAVBuilder {
    var formatTag: UInt16 = 1
    var channels: UInt16 = 1
    var sampleRate: UInt32 = 8000
    var bitsPerSample: UInt16 = 16
    var blockAlign: UInt16?
    var extensibleSubformat: UInt16?
    var chunksBeforeFormat: [(String, [UInt8])] = []
    var chunksBeforeData: [(String, [UInt8])] = []
    var dataSizeOverride: UInt32?
    var formatFirst = true
    var trailingChunks: [(String, [UInt8])] = []

    static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
    static func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }

    static func chunk(_ id: String, _ body: [UInt8], sizeOverride: UInt32? = nil) -> [UInt8] {
        var bytes = Array(id.utf8) + le32(sizeOverride ?? UInt32(body.count)) + body
        if body.count & 1 == 1 { bytes.append(0) }
        return bytes
    }

    func formatBody() -> [UInt8] {
        let align = blockAlign ?? channels * bitsPerSample / 8
        var body =
            Self.le16(extensibleSubformat == nil ? formatTag : 0xFFFE) + Self.le16(channels)
            + Self.le32(sampleRate) + Self.le32(sampleRate * UInt32(align)) + Self.le16(align) + Self.le16(bitsPerSample)
        if let sub = extensibleSubformat {
            body += Self.le16(22) + Self.le16(bitsPerSample) + Self.le32(channels == 2 ? 3 : 4)
            body += Self.le16(sub) + [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]
        } else if formatTag != 1 {
            body += Self.le16(0)
        }
        return body
    }

    func build(data: [UInt8]) -> [UInt8] {
        var body = Array("WAVE".utf8)
        for (id, content) in chunksBeforeFormat { body += Self.chunk(id, content) }
        let fmt = Self.chunk("fmt ", formatBody())
        var dataChunk = Array("data".utf8) + Self.le32(dataSizeOverride ?? UInt32(data.count)) + data
        if data.count & 1 == 1 && dataSizeOverride == nil { dataChunk.append(0) }
        if formatFirst { body += fmt }
        for (id, content) in chunksBeforeData { body += Self.chunk(id, content) }
        if !formatFirst { body += dataChunk + fmt } else { body += dataChunk }
        for (id, content) in trailingChunks { body += Self.chunk(id, content) }
        return Array("RIFF".utf8) + Self.le32(UInt32(body.count)) + body
    }
}

func decodeAll(_ bytes: [UInt8], chunkSize: Int = .max) throws(AudioDecodingError) -> (AudioFormat?, [[Float]]) {
    var decoder = WAVStreamDecoder()
    var channels: [[Float]] = []
    var start = 0
    while start < bytes.count {
        let end = min(bytes.count, start + chunkSize)
        if let block = try decoder.consume(bytes[start..<end]) {
            if channels.isEmpty { channels = Array(repeating: [], count: block.channels.count) }
            #expect(block.startFrame == channels[0].count)
            for index in block.channels.indices { channels[index] += block.channels[index] }
        }
        start = end
    }
    try decoder.finish()
    return (decoder.format, channels)
}

func expectDecodingError(
    _ code: AudioDecodingError.Code, _ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation
) -> AudioDecodingError? {
    do {
        _ = try decodeAll(bytes)
        Issue.record("expected \(code), decoded fine", sourceLocation: sourceLocation)
        return nil
    } catch {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        return error
    }
}

@Suite("WAV stream decoder")
struct WAVDecoderTests {
    let ramp: [Int16] = (0..<200).map { Int16(truncatingIfNeeded: $0 * 331 - 30000) }

    func pcmBytes(_ samples: [Int16]) -> [UInt8] {
        samples.flatMap { WAVBuilder.le16(UInt16(bitPattern: $0)) }
    }

    @Test func decodesPCM16Mono() throws {
        let bytes = WAVBuilder().build(data: pcmBytes(ramp))
        let (format, channels) = try decodeAll(bytes)
        #expect(format == AudioFormat(encoding: .pcm16, sampleRate: 8000, channelCount: 1))
        #expect(channels == [ramp.map { Float($0) / 32768 }])
    }

    @Test func deinterleavesStereo() throws {
        var builder = WAVBuilder()
        builder.channels = 2
        builder.sampleRate = 16000
        let bytes = builder.build(data: pcmBytes(ramp))
        let (format, channels) = try decodeAll(bytes)
        #expect(format?.channelCount == 2)
        #expect(format?.sampleRate == 16000)
        #expect(channels[0] == stride(from: 0, to: 200, by: 2).map { Float(ramp[$0]) / 32768 })
        #expect(channels[1] == stride(from: 1, to: 200, by: 2).map { Float(ramp[$0]) / 32768 })
    }

    @Test(arguments: [(UInt16(7), AudioEncoding.muLaw), (6, .aLaw)])
    func decodesG711(tag: UInt16, encoding: AudioEncoding) throws {
        var builder = WAVBuilder()
        builder.formatTag = tag
        builder.bitsPerSample = 8
        builder.chunksBeforeData = [("fact", WAVBuilder.le32(255))]
        let data = (0..<255).map { UInt8($0) }  // odd length: pad byte follows
        let (format, channels) = try decodeAll(builder.build(data: data))
        #expect(format?.encoding == encoding)
        let table = encoding == .muLaw ? G711.muLawToFloat : G711.aLawToFloat
        #expect(channels == [data.map { table[Int($0)] }])
    }

    @Test(arguments: [(UInt16(1), UInt16(16), AudioEncoding.pcm16), (7, 8, .muLaw), (6, 8, .aLaw)])
    func decodesWaveFormatExtensible(subformat: UInt16, bits: UInt16, encoding: AudioEncoding) throws {
        var builder = WAVBuilder()
        builder.extensibleSubformat = subformat
        builder.bitsPerSample = bits
        builder.channels = 2
        let data = (0..<64).map { UInt8($0 * 3) }
        let (format, channels) = try decodeAll(builder.build(data: data))
        #expect(format?.encoding == encoding)
        #expect(channels.count == 2)
        #expect(channels[0].count == 64 / Int(bits / 8) / 2)
    }

    @Test func skipsUnknownAndOddSizedChunks() throws {
        var builder = WAVBuilder()
        builder.chunksBeforeFormat = [("JUNK", [UInt8](repeating: 0xAB, count: 27))]
        builder.chunksBeforeData = [("LIST", Array("INFOISFT\u{5}\0\0\0Vigil".utf8)), ("cue ", [1, 2, 3])]
        builder.trailingChunks = [("LIST", [9, 9, 9])]
        let (_, channels) = try decodeAll(builder.build(data: pcmBytes(ramp)))
        #expect(channels == [ramp.map { Float($0) / 32768 }])
    }

    @Test(arguments: [UInt32(0), 0xFFFF_FFFF])
    func streamingDataSizeMeansUntilEnd(size: UInt32) throws {
        var builder = WAVBuilder()
        builder.dataSizeOverride = size
        let (_, channels) = try decodeAll(builder.build(data: pcmBytes(ramp)))
        #expect(channels[0].count == ramp.count)
    }

    @Test func everyChunkSizeFrom1To64YieldsTheSameSamples() throws {
        var builder = WAVBuilder()
        builder.channels = 2
        builder.formatTag = 7
        builder.bitsPerSample = 8
        builder.chunksBeforeData = [("LIST", [UInt8](repeating: 1, count: 13))]
        var rng = SplitMix64(seed: 7)
        let data = (0..<1001).map { _ in UInt8.random(in: 0...255, using: &rng) } + [0x55]
        let bytes = builder.build(data: data)
        let oneShot = try decodeAll(bytes)
        for size in 1...64 {
            let chunked = try decodeAll(bytes, chunkSize: size)
            #expect(chunked.0 == oneShot.0 && chunked.1 == oneShot.1, "chunk size \(size)")
        }
        var pcm = WAVBuilder()
        pcm.channels = 2
        let pcmFile = pcm.build(data: pcmBytes(ramp))
        let pcmOneShot = try decodeAll(pcmFile)
        for size in 1...64 {
            #expect(try decodeAll(pcmFile, chunkSize: size).1 == pcmOneShot.1, "PCM chunk size \(size)")
        }
    }

    // MARK: errors

    @Test func emptyAndShortStreamsAreTruncatedHeaders() {
        _ = expectDecodingError(.truncatedHeader, [])
        _ = expectDecodingError(.truncatedHeader, Array("RIFF".utf8) + [0, 0])
        let error = expectDecodingError(.truncatedHeader, Array("RIFF\u{24}\0\0\0WAVEfmt ".utf8))
        #expect(error?.byteOffset == 16)
        let full = WAVBuilder().build(data: pcmBytes(ramp))
        _ = expectDecodingError(.truncatedHeader, Array(full.prefix(30)))  // inside fmt
        _ = expectDecodingError(.truncatedHeader, Array(full.prefix(40)))  // inside data header
    }

    @Test func malformedHeaders() {
        #expect(expectDecodingError(.malformedHeader, Array("RIFX\0\0\0\0WAVE".utf8))?.byteOffset == 0)
        #expect(expectDecodingError(.malformedHeader, Array("RIFF\0\0\0\0WAVX".utf8))?.byteOffset == 8)
        _ = expectDecodingError(.malformedHeader, Array("RI".utf8) + [0])
        var misaligned = WAVBuilder()
        misaligned.blockAlign = 3
        #expect(expectDecodingError(.malformedHeader, misaligned.build(data: [0, 0]))?.byteOffset == 32)
        var noChannels = WAVBuilder()
        noChannels.channels = 0
        noChannels.blockAlign = 2
        _ = expectDecodingError(.malformedHeader, noChannels.build(data: [0, 0]))
        var slow = WAVBuilder()
        slow.sampleRate = 100
        _ = expectDecodingError(.malformedHeader, slow.build(data: [0, 0]))
        var dataFirst = WAVBuilder()
        dataFirst.formatFirst = false
        #expect(expectDecodingError(.malformedHeader, dataFirst.build(data: [0, 0]))?.byteOffset == 12)
        let tinyFormat = Array("RIFF\u{30}\0\0\0WAVE".utf8) + WAVBuilder.chunk("fmt ", [1, 0, 1, 0, 0x40, 0x1F, 0, 0])
        _ = expectDecodingError(.malformedHeader, tinyFormat + [UInt8](repeating: 0, count: 16))
        let binaryID = Array("RIFF\u{30}\0\0\0WAVE".utf8) + [0x01, 0x02, 0x03, 0x04, 0, 0, 0, 0]
        _ = expectDecodingError(.malformedHeader, binaryID)
        let twoFormats = WAVBuilder().build(data: [])
        var doubled = Array(twoFormats.prefix(36))
        doubled += Array(twoFormats[12..<36]) + Array("data\0\0\0\0".utf8)
        _ = expectDecodingError(.malformedHeader, doubled)
    }

    @Test func unsupportedFormatsSayWhatIsSupported() {
        var float = WAVBuilder()
        float.formatTag = 3
        float.bitsPerSample = 32
        let floatError = expectDecodingError(.unsupportedFormat, float.build(data: [0, 0, 0, 0]))
        #expect(floatError?.description.contains("IEEE float") == true)
        #expect(floatError?.description.contains("PCM 16-bit") == true)
        var deep = WAVBuilder()
        deep.bitsPerSample = 24
        #expect(expectDecodingError(.unsupportedFormat, deep.build(data: [0, 0, 0]))?.description.contains("24 bits") == true)
        var extensibleFloat = WAVBuilder()
        extensibleFloat.extensibleSubformat = 3
        extensibleFloat.bitsPerSample = 32
        _ = expectDecodingError(.unsupportedFormat, extensibleFloat.build(data: [0, 0, 0, 0]))
        var gsm = WAVBuilder()
        gsm.formatTag = 0x31
        gsm.bitsPerSample = 0
        gsm.blockAlign = 65
        #expect(expectDecodingError(.unsupportedFormat, gsm.build(data: [0]))?.description.contains("tag 49") == true)
        var wideMuLaw = WAVBuilder()
        wideMuLaw.formatTag = 7
        wideMuLaw.bitsPerSample = 16
        _ = expectDecodingError(.unsupportedFormat, wideMuLaw.build(data: [0, 0]))
    }

    @Test func truncatedData() {
        let full = WAVBuilder().build(data: pcmBytes(ramp))
        let error = expectDecodingError(.truncatedData, Array(full.dropLast(100)))
        #expect(error?.byteOffset == full.count - 100)
        #expect(error?.description.contains("declared 400 bytes but only 300 arrived") == true)
        // Until-end data with half a sample frame left over.
        var streaming = WAVBuilder()
        streaming.dataSizeOverride = 0xFFFF_FFFF
        streaming.channels = 2
        _ = expectDecodingError(.truncatedData, streaming.build(data: pcmBytes(ramp) + [7, 7]))
        // A declared odd size that does not fill whole frames.
        var odd = WAVBuilder()
        odd.dataSizeOverride = 5
        _ = expectDecodingError(.truncatedData, odd.build(data: [1, 2, 3, 4, 5]) + [0])
    }

    @Test(arguments: [
        ([UInt8]([0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81]), "WEBM"),
        (Array("OggS\0\u{2}\0\0".utf8), "OGG"),
        (Array("ID3\u{4}\0\0\0\0".utf8), "MP3"),
        ([0xFF, 0xFB, 0x90, 0x64, 0, 0, 0, 0], "MP3"),
        ([0xFF, 0xF3, 0x48], "MP3"),
        (Array("RF64\u{FF}\u{FF}".utf8), "RF64")
    ])
    func otherContainersAreNamed(bytes: [UInt8], name: String) {
        let error = expectDecodingError(.unsupportedContainer, bytes + [UInt8](repeating: 0, count: 100))
        #expect(error?.detectedContainer == name)
        #expect(error?.description.contains("formatId=WAV") == true)
        #expect(error?.description.contains("WAV_ULAW") == true)
        // Recognised as soon as the magic arrives, before the rest of the download.
        if bytes.count >= 4 {
            var decoder = WAVStreamDecoder()
            #expect(throws: AudioDecodingError.self) { _ = try decoder.consume(bytes.prefix(4)) }
        }
        // And also when the whole stream is shorter than a RIFF header.
        _ = expectDecodingError(.unsupportedContainer, Array(bytes.prefix(4)))
    }

    @Test func errorsHaveStableCodesAndNoAudio() throws {
        #expect(AudioDecodingError.Code.truncatedData.rawValue == "truncated_data")
        #expect(AudioDecodingError.Code.unsupportedContainer.description == "unsupported_container")
        let full = WAVBuilder().build(data: [0x41, 0x42, 0x43, 0x44, 0x45, 0x46])
        let error = try #require(expectDecodingError(.truncatedData, Array(full.dropLast(3))))
        #expect(!error.description.contains("ABC"))
        #expect(error.description.hasPrefix("truncated_data at byte "))
    }

    // MARK: other inputs

    @Test func rawDecoderHandlesAudioHookFrames() throws {
        var mu = RawAudioDecoder(format: AudioFormat(encoding: .muLaw, sampleRate: 8000, channelCount: 2))
        let frame: [UInt8] = [0xFF, 0x00, 0x80, 0x7E, 0x12]
        let first = mu.consume(frame)
        let block = try #require(first)
        let expected: [[Float]] = [[0, 32124.0 / 32768], [-32124.0 / 32768, -8.0 / 32768]]
        #expect(block.channels == expected)
        #expect(throws: AudioDecodingError.self) { try mu.finish() }
        let second = mu.consume([0x34])
        let rest = try #require(second)
        #expect(rest.startFrame == 2)
        #expect(rest.channels == [[G711.muLawToFloat[0x12]], [G711.muLawToFloat[0x34]]])
        try mu.finish()

        var bigEndian = RawAudioDecoder(format: AudioFormat(encoding: .pcm16, sampleRate: 8000, channelCount: 1), bigEndian: true)
        let big1: [[Float]]? = bigEndian.consume([0x01, 0x02, 0xFF])?.channels
        #expect(big1 == [[Float(0x0102) / 32768]])
        let big2: [[Float]]? = bigEndian.consume([0xFE])?.channels
        #expect(big2 == [[Float(-2) / 32768]])
        var littleEndian = RawAudioDecoder(format: AudioFormat(encoding: .pcm16, sampleRate: 8000, channelCount: 1))
        let little: [[Float]]? = littleEndian.consume([0x01, 0x02])?.channels
        #expect(little == [[Float(0x0201) / 32768]])
    }

    @Test func decodesFilesInChunks() throws {
        let samples = (0..<50_000).map { Float(sin(Double($0) * 0.01) * 0.5) }
        let format = AudioFormat(encoding: .muLaw, sampleRate: 8000, channelCount: 1)
        let bytes = WAVEncoder.encode([samples], format: format)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-\(UInt64.random(in: 0...UInt64.max)).wav").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        var decoded: [Float] = []
        var blocks = 0
        let read = try WAVStreamDecoder.decodeFile(atPath: path, readSize: 4096) { block in
            decoded += block.channels[0]
            blocks += 1
        }
        #expect(read == format)
        #expect(blocks >= 12)
        #expect(decoded == ToneGenerator.muLawRoundTrip(samples))
        #expect(throws: AudioDecodingError.self) {
            try WAVStreamDecoder.decodeFile(atPath: path + ".missing") { _ in }
        }
    }

    @Test func decodesAsyncChunkSequences() async throws {
        let format = AudioFormat(encoding: .pcm16, sampleRate: 16000, channelCount: 2)
        let left = (0..<3000).map { Float($0 % 100) / 200 }
        let right = left.map { -$0 }
        let bytes = WAVEncoder.encode([left, right], format: format)
        let stream = AsyncStream<ArraySlice<UInt8>> { continuation in
            for start in stride(from: 0, to: bytes.count, by: 333) {
                continuation.yield(bytes[start..<min(bytes.count, start + 333)])
            }
            continuation.finish()
        }
        var channels: [[Float]] = [[], []]
        let decodedFormat = try await WAVStreamDecoder.decode(stream) { block in
            channels[0] += block.channels[0]
            channels[1] += block.channels[1]
        }
        #expect(decodedFormat == format)
        #expect(channels[0] == left.map { Float(G711.linear($0)) / 32768 })
        #expect(channels[1] == right.map { Float(G711.linear($0)) / 32768 })
    }

    @Test func writerRoundTripsEveryEncoding() throws {
        let samples = (0..<999).map { Float(sin(Double($0) * 0.05) * 0.3) }
        for encoding in [AudioEncoding.pcm16, .muLaw, .aLaw] {
            for channelCount in [1, 2] {
                let format = AudioFormat(encoding: encoding, sampleRate: 8000, channelCount: channelCount)
                let channels = Array(repeating: samples, count: channelCount)
                let bytes = WAVEncoder.encode(channels, format: format)
                #expect(bytes.count % 2 == 0)
                let (decodedFormat, decoded) = try decodeAll(bytes)
                #expect(decodedFormat == format)
                let expected: [Float] =
                    switch encoding {
                    case .pcm16: samples.map { Float(G711.linear($0)) / 32768 }
                    case .muLaw: ToneGenerator.muLawRoundTrip(samples)
                    case .aLaw: ToneGenerator.aLawRoundTrip(samples)
                    }
                #expect(decoded == channels.map { _ in expected })
            }
        }
        // A streaming header (size unknown) decodes until the end.
        let format = AudioFormat(encoding: .muLaw, sampleRate: 8000, channelCount: 1)
        let streamed = WAVEncoder.header(format: format, dataByteCount: nil) + WAVEncoder.encodeSamples([samples], encoding: .muLaw)
        #expect(try decodeAll(streamed).1[0].count == samples.count)
    }
}
