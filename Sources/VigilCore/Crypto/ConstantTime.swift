/// Comparisons whose running time does not depend on secret data.
@_spi(VigilInternal) public enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes, in time independent of where they differ.
    ///
    /// Every byte pair is visited and the differences are OR-ed together, with no early exit.
    /// The lengths are not treated as secret: collections of different lengths return `false`
    /// straight away. Use this to compare MACs, tokens and other secrets; never `==` on arrays.
    public static func equals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        // Contiguous bytes (arrays, digests, `Data`) are compared over their buffers: a generic `zip`
        // called from another module ran unspecialized, with a metadata lookup per byte.
        let contiguous = a.withContiguousStorageIfAvailable { left in
            b.withContiguousStorageIfAvailable { right in accumulatedDifference(left, right) }
        }
        if let contiguous, let contiguous { return contiguous == 0 }
        var difference: UInt8 = 0
        var right = b.makeIterator()
        for x in a {
            guard let y = right.next() else { return false }
            difference |= x ^ y
        }
        return difference == 0
    }

    private static func accumulatedDifference(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> UInt8 {
        var difference: UInt8 = 0
        for index in 0..<a.count { difference |= a[index] ^ b[index] }
        return difference
    }
}
