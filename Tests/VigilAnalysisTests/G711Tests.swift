import Testing
@_spi(VigilInternal) import VigilAnalysis
@_spi(VigilInternal) import VigilCore

@Suite("G.711")
struct G711Tests {
    @Test func muLawKnownValues() {
        #expect(G711.muLawDecode(0xFF) == 0)
        #expect(G711.muLawDecode(0x7F) == 0)
        #expect(G711.muLawDecode(0x00) == -32124)
        #expect(G711.muLawDecode(0x80) == 32124)
        #expect(G711.muLawDecode(0xFE) == 8)
        #expect(G711.muLawDecode(0x7E) == -8)
        #expect(G711.muLawEncode(Int16(0)) == 0xFF)
        #expect(G711.muLawEncode(Int16.max) == 0x80)
        #expect(G711.muLawEncode(Int16.min) == 0x00)
    }

    @Test func aLawKnownValues() {
        #expect(G711.aLawDecode(0xD5) == 8)
        #expect(G711.aLawDecode(0x55) == -8)
        #expect(G711.aLawDecode(0xAA) == 32256)
        #expect(G711.aLawDecode(0x2A) == -32256)
        #expect(G711.aLawEncode(Int16(0)) == 0xD5)
        #expect(G711.aLawEncode(Int16.max) == 0xAA)
        #expect(G711.aLawEncode(Int16.min) == 0x2A)
    }

    @Test func everyCodeRoundTrips() {
        for code in 0...255 {
            let byte = UInt8(code)
            // 0x7F is µ-law "negative zero": it decodes to 0, which encodes as 0xFF.
            if byte != 0x7F {
                #expect(G711.muLawEncode(G711.muLawDecode(byte)) == byte, "µ-law \(code)")
            }
            #expect(G711.aLawEncode(G711.aLawDecode(byte)) == byte, "A-law \(code)")
        }
    }

    @Test func decodingIsMonotonicAndEncodingPicksNearestLevel() {
        let muLevels = Set((0...255).map { Int(G711.muLawDecode(UInt8($0))) }).sorted()
        let aLevels = Set((0...255).map { Int(G711.aLawDecode(UInt8($0))) }).sorted()
        #expect(muLevels.count == 255)
        #expect(aLevels.count == 256)
        for sample in stride(from: -32768, through: 32767, by: 97) {
            let value = Int16(sample)
            let mu = Int(G711.muLawDecode(G711.muLawEncode(value)))
            let nearestMu = muLevels.min { abs($0 - sample) < abs($1 - sample) }!
            // G.711 µ-law quantises to decision intervals whose reconstruction is the mid-point, so the
            // error is at most half a step: compare with the neighbour distance.
            #expect(abs(mu - sample) <= abs(nearestMu - sample) + segmentStep(sample) / 2 + 1, "µ \(sample)")
            let a = Int(G711.aLawDecode(G711.aLawEncode(value)))
            #expect(abs(a - sample) <= segmentStep(sample) + 16, "A \(sample)")
        }
    }

    private func segmentStep(_ sample: Int) -> Int {
        var step = 8
        var limit = 256
        while abs(sample) >= limit && step < 1024 {
            step *= 2
            limit *= 2
        }
        return step
    }

    @Test func floatConversionClipsAndRounds() {
        #expect(G711.linear(Float(1.5)) == Int16.max)
        #expect(G711.linear(Float(-1.5)) == Int16.min)
        #expect(G711.linear(Float(0.5)) == 16384)
        #expect(G711.muLawToFloat[0x00] == -32124.0 / 32768)
    }
}
