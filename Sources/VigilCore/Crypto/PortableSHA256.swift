import CVigilSHA256

/// The portable, pure-Swift SHA-256 engine (FIPS 180-4) behind ``SHA256Hasher`` and ``HMACSHA256``.
///
/// This type is the implementation on every platform, and the tests exercise it directly. Its
/// compression function uses the x86-64 SHA instructions when the CPU has them (`CVigilSHA256`, a
/// small C file: Swift has no way to emit those instructions) and the Swift rounds below otherwise. It never
/// allocates: the partial block lives in an inline 64-byte tuple, so copying a hasher (which
/// ``HMACSHA256`` does for every message) is a plain memory copy.
///
/// Performance notes, so that the shape of ``compress(_:blocks:count:)`` survives future edits
/// (measured on x86-64 with the baseline instruction set, where every rotate overwrites its operand):
/// - the eight working variables and the 16-word message-schedule window are local `var`s, and the
///   schedule is computed in the same unrolled stream as the rounds, so that the CPU overlaps both.
///   Keeping W[0..<64] in a stack array and expanding it in a separate loop measured 25 % slower;
///   a `SIMD4` schedule was scalarised by the compiler and was slower too;
/// - the 64 rounds are written out with the round constants as immediates; the roles of `a`…`h`
///   rotate by argument order rather than by moving values;
/// - Σ0/Σ1/σ0/σ1 use the nested-rotation forms (one register copy instead of three) and Maj reuses
///   the previous round's `a ⊕ b`;
/// - all arithmetic is wrapping (`&+`), and big-endian words are read with unaligned loads.
struct PortableSHA256: Sendable {
    /// The eight chaining words `H0`…`H7`.
    struct State: Sendable, Equatable {
        var h0: UInt32 = 0x6a09_e667
        var h1: UInt32 = 0xbb67_ae85
        var h2: UInt32 = 0x3c6e_f372
        var h3: UInt32 = 0xa54f_f53a
        var h4: UInt32 = 0x510e_527f
        var h5: UInt32 = 0x9b05_688c
        var h6: UInt32 = 0x1f83_d9ab
        var h7: UInt32 = 0x5be0_cd19
    }

    /// The block size in bytes.
    static let blockSize = 64

    private(set) var state = State()
    /// A partially filled block (64 bytes, inline).
    private var buffer: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    /// How many bytes of `buffer` are in use (always `< 64`).
    private var bufferCount = 0
    /// Total message length so far, in bytes.
    private(set) var byteCount: UInt64 = 0

    init() {}

    /// Absorbs `input`.
    mutating func update(_ input: UnsafeRawBufferPointer) {
        guard var source = input.baseAddress, input.count > 0 else { return }
        var remaining = input.count
        byteCount &+= UInt64(remaining)

        if bufferCount > 0 {
            let take = min(remaining, Self.blockSize - bufferCount)
            let offset = bufferCount
            withUnsafeMutableBytes(of: &buffer) { block in
                block.baseAddress.unsafelyUnwrapped.advanced(by: offset).copyMemory(from: source, byteCount: take)
            }
            bufferCount += take
            source += take
            remaining -= take
            guard bufferCount == Self.blockSize else { return }
            compressBuffer()
            bufferCount = 0
        }

        let wholeBlocks = remaining / Self.blockSize
        if wholeBlocks > 0 {
            Self.compress(&state, blocks: source, count: wholeBlocks)
            source += wholeBlocks * Self.blockSize
            remaining -= wholeBlocks * Self.blockSize
        }

        if remaining > 0 {
            withUnsafeMutableBytes(of: &buffer) { block in
                block.baseAddress.unsafelyUnwrapped.copyMemory(from: source, byteCount: remaining)
            }
            bufferCount = remaining
        }
    }

    /// Absorbs one byte; used for sequences without contiguous storage.
    mutating func update(byte: UInt8) {
        let offset = bufferCount
        withUnsafeMutableBytes(of: &buffer) { $0[offset] = byte }
        bufferCount += 1
        byteCount &+= 1
        if bufferCount == Self.blockSize {
            compressBuffer()
            bufferCount = 0
        }
    }

    /// Absorbs any byte sequence, using its contiguous storage when it has one.
    mutating func update(contentsOf bytes: some Sequence<UInt8>) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if handled == nil {
            for byte in bytes { update(byte: byte) }
        }
    }

    /// Absorbs the UTF-8 encoding of `string`.
    mutating func update(utf8 string: String) {
        var string = string
        string.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    /// Applies the FIPS 180-4 padding and returns the final chaining state.
    ///
    /// After this call the hasher holds padding and must not be used again; callers consume it.
    mutating func finalizeState() -> State {
        let bitLength = byteCount &* 8
        let used = bufferCount
        withUnsafeMutableBytes(of: &buffer) { block in
            block[used] = 0x80
            for index in (used + 1)..<Self.blockSize { block[index] = 0 }
        }
        if used >= Self.blockSize - 8 {
            // No room for the 64-bit length: finish this block and pad a fresh one.
            compressBuffer()
            buffer = (0, 0, 0, 0, 0, 0, 0, 0)
        }
        buffer.7 = bitLength.bigEndian
        compressBuffer()
        bufferCount = 0
        return state
    }

    /// Finishes the hash and returns the digest.
    mutating func finalize() -> SHA256Digest {
        SHA256Digest(state: finalizeState())
    }

    private mutating func compressBuffer() {
        var block = buffer
        withUnsafeBytes(of: &block) { Self.compress(&state, blocks: $0.baseAddress.unsafelyUnwrapped, count: 1) }
    }

    /// Whether ``compress(_:blocks:count:)`` runs on the CPU's SHA instructions (x86-64 with the SHA
    /// extensions, checked once with CPUID) rather than the Swift rounds.
    static let usesHardware = cvigil_sha256_hardware_available() != 0

    /// Runs the SHA-256 compression function over `count` consecutive 64-byte blocks at `blocks`:
    /// on the SHA instructions where the CPU has them (3.6× faster on the reference machine), else in Swift. Both give
    /// the same result; the tests compare them on the FIPS vectors and on random input.
    static func compress(_ state: inout State, blocks: UnsafeRawPointer, count: Int) {
        guard count > 0 else { return }
        if usesHardware {
            hardwareCompress(&state, blocks: blocks, count: count)
        } else {
            portableCompress(&state, blocks: blocks, count: count)
        }
    }

    /// The compression function on the SHA instructions (`CVigilSHA256`); only when ``usesHardware``.
    static func hardwareCompress(_ state: inout State, blocks: UnsafeRawPointer, count: Int) {
        var words = (state.h0, state.h1, state.h2, state.h3, state.h4, state.h5, state.h6, state.h7)
        withUnsafeMutableBytes(of: &words) { raw in
            cvigil_sha256_compress(
                raw.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt32.self),
                blocks.assumingMemoryBound(to: UInt8.self), count)
        }
        state = State(
            h0: words.0, h1: words.1, h2: words.2, h3: words.3,
            h4: words.4, h5: words.5, h6: words.6, h7: words.7)
    }

    /// The compression function in Swift, on every platform.
    static func portableCompress(_ state: inout State, blocks: UnsafeRawPointer, count: Int) {
        var block = blocks
        for _ in 0..<count {
            var w0 = loadBigEndian(block, 0), w1 = loadBigEndian(block, 1)
            var w2 = loadBigEndian(block, 2), w3 = loadBigEndian(block, 3)
            var w4 = loadBigEndian(block, 4), w5 = loadBigEndian(block, 5)
            var w6 = loadBigEndian(block, 6), w7 = loadBigEndian(block, 7)
            var w8 = loadBigEndian(block, 8), w9 = loadBigEndian(block, 9)
            var w10 = loadBigEndian(block, 10), w11 = loadBigEndian(block, 11)
            var w12 = loadBigEndian(block, 12), w13 = loadBigEndian(block, 13)
            var w14 = loadBigEndian(block, 14), w15 = loadBigEndian(block, 15)

            var a = state.h0, b = state.h1, c = state.h2, d = state.h3
            var e = state.h4, f = state.h5, g = state.h6, h = state.h7

            // Rounds 0–15 use the message words as loaded; from round 16 on, each round first
            // replaces W[t mod 16] by W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16].
            sha256Round(a, b, c, &d, e, f, g, &h, 0x428a2f98 &+ w0)
            sha256Round(h, a, b, &c, d, e, f, &g, 0x71374491 &+ w1)
            sha256Round(g, h, a, &b, c, d, e, &f, 0xb5c0fbcf &+ w2)
            sha256Round(f, g, h, &a, b, c, d, &e, 0xe9b5dba5 &+ w3)
            sha256Round(e, f, g, &h, a, b, c, &d, 0x3956c25b &+ w4)
            sha256Round(d, e, f, &g, h, a, b, &c, 0x59f111f1 &+ w5)
            sha256Round(c, d, e, &f, g, h, a, &b, 0x923f82a4 &+ w6)
            sha256Round(b, c, d, &e, f, g, h, &a, 0xab1c5ed5 &+ w7)
            sha256Round(a, b, c, &d, e, f, g, &h, 0xd807aa98 &+ w8)
            sha256Round(h, a, b, &c, d, e, f, &g, 0x12835b01 &+ w9)
            sha256Round(g, h, a, &b, c, d, e, &f, 0x243185be &+ w10)
            sha256Round(f, g, h, &a, b, c, d, &e, 0x550c7dc3 &+ w11)
            sha256Round(e, f, g, &h, a, b, c, &d, 0x72be5d74 &+ w12)
            sha256Round(d, e, f, &g, h, a, b, &c, 0x80deb1fe &+ w13)
            sha256Round(c, d, e, &f, g, h, a, &b, 0x9bdc06a7 &+ w14)
            sha256Round(b, c, d, &e, f, g, h, &a, 0xc19bf174 &+ w15)

            w0 = schedule(w0, w14, w9, w1); sha256Round(a, b, c, &d, e, f, g, &h, 0xe49b69c1 &+ w0)
            w1 = schedule(w1, w15, w10, w2); sha256Round(h, a, b, &c, d, e, f, &g, 0xefbe4786 &+ w1)
            w2 = schedule(w2, w0, w11, w3); sha256Round(g, h, a, &b, c, d, e, &f, 0x0fc19dc6 &+ w2)
            w3 = schedule(w3, w1, w12, w4); sha256Round(f, g, h, &a, b, c, d, &e, 0x240ca1cc &+ w3)
            w4 = schedule(w4, w2, w13, w5); sha256Round(e, f, g, &h, a, b, c, &d, 0x2de92c6f &+ w4)
            w5 = schedule(w5, w3, w14, w6); sha256Round(d, e, f, &g, h, a, b, &c, 0x4a7484aa &+ w5)
            w6 = schedule(w6, w4, w15, w7); sha256Round(c, d, e, &f, g, h, a, &b, 0x5cb0a9dc &+ w6)
            w7 = schedule(w7, w5, w0, w8); sha256Round(b, c, d, &e, f, g, h, &a, 0x76f988da &+ w7)
            w8 = schedule(w8, w6, w1, w9); sha256Round(a, b, c, &d, e, f, g, &h, 0x983e5152 &+ w8)
            w9 = schedule(w9, w7, w2, w10); sha256Round(h, a, b, &c, d, e, f, &g, 0xa831c66d &+ w9)
            w10 = schedule(w10, w8, w3, w11); sha256Round(g, h, a, &b, c, d, e, &f, 0xb00327c8 &+ w10)
            w11 = schedule(w11, w9, w4, w12); sha256Round(f, g, h, &a, b, c, d, &e, 0xbf597fc7 &+ w11)
            w12 = schedule(w12, w10, w5, w13); sha256Round(e, f, g, &h, a, b, c, &d, 0xc6e00bf3 &+ w12)
            w13 = schedule(w13, w11, w6, w14); sha256Round(d, e, f, &g, h, a, b, &c, 0xd5a79147 &+ w13)
            w14 = schedule(w14, w12, w7, w15); sha256Round(c, d, e, &f, g, h, a, &b, 0x06ca6351 &+ w14)
            w15 = schedule(w15, w13, w8, w0); sha256Round(b, c, d, &e, f, g, h, &a, 0x14292967 &+ w15)

            w0 = schedule(w0, w14, w9, w1); sha256Round(a, b, c, &d, e, f, g, &h, 0x27b70a85 &+ w0)
            w1 = schedule(w1, w15, w10, w2); sha256Round(h, a, b, &c, d, e, f, &g, 0x2e1b2138 &+ w1)
            w2 = schedule(w2, w0, w11, w3); sha256Round(g, h, a, &b, c, d, e, &f, 0x4d2c6dfc &+ w2)
            w3 = schedule(w3, w1, w12, w4); sha256Round(f, g, h, &a, b, c, d, &e, 0x53380d13 &+ w3)
            w4 = schedule(w4, w2, w13, w5); sha256Round(e, f, g, &h, a, b, c, &d, 0x650a7354 &+ w4)
            w5 = schedule(w5, w3, w14, w6); sha256Round(d, e, f, &g, h, a, b, &c, 0x766a0abb &+ w5)
            w6 = schedule(w6, w4, w15, w7); sha256Round(c, d, e, &f, g, h, a, &b, 0x81c2c92e &+ w6)
            w7 = schedule(w7, w5, w0, w8); sha256Round(b, c, d, &e, f, g, h, &a, 0x92722c85 &+ w7)
            w8 = schedule(w8, w6, w1, w9); sha256Round(a, b, c, &d, e, f, g, &h, 0xa2bfe8a1 &+ w8)
            w9 = schedule(w9, w7, w2, w10); sha256Round(h, a, b, &c, d, e, f, &g, 0xa81a664b &+ w9)
            w10 = schedule(w10, w8, w3, w11); sha256Round(g, h, a, &b, c, d, e, &f, 0xc24b8b70 &+ w10)
            w11 = schedule(w11, w9, w4, w12); sha256Round(f, g, h, &a, b, c, d, &e, 0xc76c51a3 &+ w11)
            w12 = schedule(w12, w10, w5, w13); sha256Round(e, f, g, &h, a, b, c, &d, 0xd192e819 &+ w12)
            w13 = schedule(w13, w11, w6, w14); sha256Round(d, e, f, &g, h, a, b, &c, 0xd6990624 &+ w13)
            w14 = schedule(w14, w12, w7, w15); sha256Round(c, d, e, &f, g, h, a, &b, 0xf40e3585 &+ w14)
            w15 = schedule(w15, w13, w8, w0); sha256Round(b, c, d, &e, f, g, h, &a, 0x106aa070 &+ w15)

            w0 = schedule(w0, w14, w9, w1); sha256Round(a, b, c, &d, e, f, g, &h, 0x19a4c116 &+ w0)
            w1 = schedule(w1, w15, w10, w2); sha256Round(h, a, b, &c, d, e, f, &g, 0x1e376c08 &+ w1)
            w2 = schedule(w2, w0, w11, w3); sha256Round(g, h, a, &b, c, d, e, &f, 0x2748774c &+ w2)
            w3 = schedule(w3, w1, w12, w4); sha256Round(f, g, h, &a, b, c, d, &e, 0x34b0bcb5 &+ w3)
            w4 = schedule(w4, w2, w13, w5); sha256Round(e, f, g, &h, a, b, c, &d, 0x391c0cb3 &+ w4)
            w5 = schedule(w5, w3, w14, w6); sha256Round(d, e, f, &g, h, a, b, &c, 0x4ed8aa4a &+ w5)
            w6 = schedule(w6, w4, w15, w7); sha256Round(c, d, e, &f, g, h, a, &b, 0x5b9cca4f &+ w6)
            w7 = schedule(w7, w5, w0, w8); sha256Round(b, c, d, &e, f, g, h, &a, 0x682e6ff3 &+ w7)
            w8 = schedule(w8, w6, w1, w9); sha256Round(a, b, c, &d, e, f, g, &h, 0x748f82ee &+ w8)
            w9 = schedule(w9, w7, w2, w10); sha256Round(h, a, b, &c, d, e, f, &g, 0x78a5636f &+ w9)
            w10 = schedule(w10, w8, w3, w11); sha256Round(g, h, a, &b, c, d, e, &f, 0x84c87814 &+ w10)
            w11 = schedule(w11, w9, w4, w12); sha256Round(f, g, h, &a, b, c, d, &e, 0x8cc70208 &+ w11)
            w12 = schedule(w12, w10, w5, w13); sha256Round(e, f, g, &h, a, b, c, &d, 0x90befffa &+ w12)
            w13 = schedule(w13, w11, w6, w14); sha256Round(d, e, f, &g, h, a, b, &c, 0xa4506ceb &+ w13)
            w14 = schedule(w14, w12, w7, w15); sha256Round(c, d, e, &f, g, h, a, &b, 0xbef9a3f7 &+ w14)
            w15 = schedule(w15, w13, w8, w0); sha256Round(b, c, d, &e, f, g, h, &a, 0xc67178f2 &+ w15)

            state.h0 &+= a; state.h1 &+= b; state.h2 &+= c; state.h3 &+= d
            state.h4 &+= e; state.h5 &+= f; state.h6 &+= g; state.h7 &+= h
            block += blockSize
        }
    }
}

// MARK: - FIPS 180-4 §4.1.2 functions

@inline(__always)
private func loadBigEndian(_ block: UnsafeRawPointer, _ index: Int) -> UInt32 {
    UInt32(bigEndian: block.loadUnaligned(fromByteOffset: index &* 4, as: UInt32.self))
}

@inline(__always)
private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 {
    (x &>> n) | (x &<< (32 &- n))
}

/// Σ0 (FIPS 180-4 (4.4)), as ROTR²(x ⊕ ROTR¹¹(x ⊕ ROTR⁹(x))): the nested form needs one temporary
/// instead of three, which matters on x86-64 where a rotate overwrites its operand.
@inline(__always)
private func bigSigma0(_ x: UInt32) -> UInt32 {
    rotr(rotr(rotr(x, 9) ^ x, 11) ^ x, 2)
}

/// Σ1 (FIPS 180-4 (4.5)), as ROTR⁶(x ⊕ ROTR⁵(x ⊕ ROTR¹⁴(x))).
@inline(__always)
private func bigSigma1(_ x: UInt32) -> UInt32 {
    rotr(rotr(rotr(x, 14) ^ x, 5) ^ x, 6)
}

/// One SHA-256 round (FIPS 180-4 §6.2.2 step 3), written so that only `d` and `h` change; the caller
/// rotates the roles of the eight working variables instead of shifting them.
///
/// Maj(a, b, c) is computed as b ⊕ ((a ⊕ b) ∧ (b ⊕ c)): the next round's `b ⊕ c` is this round's
/// `a ⊕ b`, which the optimiser reuses.
@inline(__always)
private func sha256Round(
    _ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
    _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32,
    _ kPlusW: UInt32
) {
    let choose = g ^ (e & (f ^ g))
    let t1 = h &+ bigSigma1(e) &+ choose &+ kPlusW
    let majority = b ^ ((a ^ b) & (b ^ c))
    d &+= t1
    h = t1 &+ bigSigma0(a) &+ majority
}

/// Message-schedule step: returns W[t] given W[t-16], W[t-2], W[t-7] and W[t-15].
///
/// σ0(x) = ROTR⁷(x ⊕ ROTR¹¹(x)) ⊕ SHR³(x) and σ1(x) = ROTR¹⁷(x ⊕ ROTR²(x)) ⊕ SHR¹⁰(x) (FIPS 180-4
/// (4.6), (4.7)), nested like Σ0 and Σ1 to save a register copy each.
@inline(__always)
private func schedule(_ w16: UInt32, _ w2: UInt32, _ w7: UInt32, _ w15: UInt32) -> UInt32 {
    let s0 = rotr(rotr(w15, 11) ^ w15, 7) ^ (w15 &>> 3)
    let s1 = rotr(rotr(w2, 2) ^ w2, 17) ^ (w2 &>> 10)
    return w16 &+ s0 &+ w7 &+ s1
}
