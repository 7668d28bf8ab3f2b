/// An ordered list of HTTP header fields with case-insensitive name lookup.
///
/// Names keep the case they were set with (so a request goes out as written), but lookups ignore ASCII
/// case, as HTTP requires: `fields["content-type"]` finds a `Content-Type` field.
///
/// Values of credential-bearing fields (``sensitiveNames``) are replaced by `<redacted>` in
/// ``description``, so a header dump in a log or error message never leaks a token or signature.
public struct HTTPFields: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// One header field.
    public struct Field: Sendable, Hashable {
        /// The field name as set (its case is preserved on the wire).
        public var name: String
        /// The field value.
        public var value: String

        /// Creates a field.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Field names whose values ``description`` never prints (compared case-insensitively).
    public static let sensitiveNames: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key",
        "webhook-signature", "stripe-signature", "signature", "signature-input", "x-vigil-signature"
    ]

    private var fields: [Field]

    /// Creates an empty field list.
    public init() { fields = [] }

    /// Creates a field list from `(name, value)` pairs, keeping their order.
    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    /// Creates a field list from a dictionary literal, keeping the literal's order.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// The value of the first field named `name` (case-insensitive), or `nil`. Setting a value replaces
    /// every field of that name with one field; setting `nil` removes them all.
    public subscript(name: String) -> String? {
        get {
            fields.first { Self.equalsIgnoringCase($0.name, name) }?.value
        }
        set {
            if let index = fields.firstIndex(where: { Self.equalsIgnoringCase($0.name, name) }) {
                fields.removeAll { Self.equalsIgnoringCase($0.name, name) }
                if let newValue { fields.insert(Field(name: name, value: newValue), at: index) }
            } else if let newValue {
                fields.append(Field(name: name, value: newValue))
            }
        }
    }

    /// Every value of the fields named `name` (case-insensitive), in order.
    public func values(for name: String) -> [String] {
        fields.filter { Self.equalsIgnoringCase($0.name, name) }.map(\.value)
    }

    /// Whether a field named `name` (case-insensitive) is present.
    public func contains(_ name: String) -> Bool {
        fields.contains { Self.equalsIgnoringCase($0.name, name) }
    }

    /// Adds a field after the existing ones, even when one of the same name exists.
    public mutating func append(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Removes every field named `name` (case-insensitive).
    public mutating func removeAll(named name: String) {
        fields.removeAll { Self.equalsIgnoringCase($0.name, name) }
    }

    /// The number of fields.
    public var count: Int { fields.count }

    /// Whether there are no fields.
    public var isEmpty: Bool { fields.isEmpty }

    /// Iterates the fields in order.
    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    /// The first field that would make a request unsafe to send: a name that is not an RFC 9110 token,
    /// or a value containing CR, LF or NUL (header injection). `nil` when all fields are valid.
    public var firstInvalidFieldName: String? {
        for field in fields {
            if field.name.isEmpty || !field.name.utf8.allSatisfy(Self.isTokenByte) { return "<invalid name>" }
            if field.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) { return field.name }
        }
        return nil
    }

    /// The fields as `Name: value` lines, with sensitive values replaced by `<redacted>`.
    public var description: String {
        fields.map { field in
            let value = Self.sensitiveNames.contains(field.name.lowercased()) ? "<redacted>" : field.value
            return "\(field.name): \(value)"
        }.joined(separator: "\n")
    }

    /// Equality ignores the case of names but not the order or values.
    public static func == (lhs: HTTPFields, rhs: HTTPFields) -> Bool {
        lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy {
                equalsIgnoringCase($0.name, $1.name) && $0.value == $1.value
            }
    }

    /// Hashes names case-insensitively, consistent with ``==(_:_:)``.
    public func hash(into hasher: inout Hasher) {
        for field in fields {
            hasher.combine(field.name.lowercased())
            hasher.combine(field.value)
        }
    }

    /// ASCII case-insensitive comparison without allocating.
    static func equalsIgnoringCase(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        // Contiguous UTF-8 compared in place: a `zip` over the two views was unspecialized generic code
        // (metadata lookups per byte) on the receiver's hot path.
        var a = a, b = b
        return a.withUTF8 { left in
            b.withUTF8 { right in
                for index in 0..<left.count where lowercased(left[index]) != lowercased(right[index]) { return false }
                return true
            }
        }
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default: return false
        }
    }
}
