import Testing
@_spi(VigilInternal) import VigilCore

@Suite("Crypto: ConstantTime")
struct CryptoConstantTimeTests {
    @Test("equal collections compare equal, across collection types")
    func equal() {
        let bytes: [UInt8] = [1, 2, 3, 250]
        #expect(ConstantTime.equals(bytes, bytes))
        #expect(ConstantTime.equals(bytes, bytes[...]))
        #expect(ConstantTime.equals([UInt8](), [UInt8]()))
        #expect(ConstantTime.equals(SHA256Hasher.hash("x").bytes, SHA256Hasher.hash("x").bytes))
    }

    @Test("a difference anywhere makes them unequal")
    func unequal() {
        let bytes: [UInt8] = [1, 2, 3, 250]
        for index in bytes.indices {
            var changed = bytes
            changed[index] ^= 0x10
            #expect(!ConstantTime.equals(bytes, changed), "difference at \(index)")
            // A collection without contiguous storage takes the iterator path.
            #expect(!ConstantTime.equals(bytes.lazy.map { $0 }, changed), "difference at \(index), lazy")
            #expect(ConstantTime.equals(changed.lazy.map { $0 }, changed))
        }
    }

    @Test("a length mismatch returns false")
    func lengthMismatch() {
        #expect(!ConstantTime.equals([1, 2, 3] as [UInt8], [1, 2] as [UInt8]))
        #expect(!ConstantTime.equals([UInt8](), [0] as [UInt8]))
        #expect(!ConstantTime.equals([0, 0] as [UInt8], [0, 0, 0] as [UInt8]))
    }
}
