/// Comparisons whose running time does not depend on secret data.
public enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes, in time independent of where they differ.
    ///
    /// Every byte pair is visited and the differences are OR-ed together, with no early exit.
    /// The lengths are not treated as secret: collections of different lengths return `false`
    /// straight away. Use this to compare MACs, tokens and other secrets; never `==` on arrays.
    public static func equals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) {
            difference |= x ^ y
        }
        return difference == 0
    }
}
