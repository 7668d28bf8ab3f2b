/// A stored value kept inside a range: the initial value and every later assignment are clamped to it.
///
/// For configuration whose `init` bounds its inputs: with the bound on the property itself, assigning
/// the `public var` afterwards cannot bypass it.
///
/// ```swift
/// @Bounded(1...Int.max) public var attempts: Int = 3
/// ```
@propertyWrapper
public struct Bounded<Value: Comparable & Sendable & Hashable>: Sendable, Hashable {
    private var value: Value
    /// The values the property may hold.
    public let range: ClosedRange<Value>

    /// Clamps `wrappedValue` into `range`.
    public init(wrappedValue: Value, _ range: ClosedRange<Value>) {
        self.range = range
        value = Swift.min(Swift.max(wrappedValue, range.lowerBound), range.upperBound)
    }

    /// The value, always inside ``range``.
    public var wrappedValue: Value {
        get { value }
        set { value = Swift.min(Swift.max(newValue, range.lowerBound), range.upperBound) }
    }
}
