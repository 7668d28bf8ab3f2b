// Errors of ``Hex`` and ``Base64`` decoding. Both follow the same extensible pattern: a struct over
// a private enum, so that new codes can be added without breaking anyone's exhaustive `switch`.

/// The error thrown by ``Hex/decode(_:)``.
///
/// New codes may be added in later releases: compare with `==` against the static values (which
/// compares codes and ignores ``offset``) or switch over ``code`` with a `default` case.
/// The error never contains the input, which may be a secret.
public struct HexDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: String, Sendable {
        case invalidCharacter
        case oddLength
    }

    private let storedCode: Code

    /// The UTF-8 byte offset in the input where decoding failed (`0` on the static values).
    public let offset: Int

    private init(code: Code, offset: Int) {
        self.storedCode = code
        self.offset = offset
    }

    /// An error of the same kind as `kind`, at `offset`.
    init(_ kind: HexDecodingError, offset: Int) {
        self.init(code: kind.storedCode, offset: offset)
    }

    /// A stable, machine-readable name for the kind of failure, e.g. `"invalidCharacter"`.
    public var code: String { storedCode.rawValue }

    /// A character that is not a hexadecimal digit; ``offset`` is its position.
    public static let invalidCharacter = HexDecodingError(code: .invalidCharacter, offset: 0)
    /// An odd number of hexadecimal digits; ``offset`` is the input length.
    public static let oddLength = HexDecodingError(code: .oddLength, offset: 0)

    /// Whether both errors have the same ``code``; ``offset`` is ignored.
    public static func == (lhs: HexDecodingError, rhs: HexDecodingError) -> Bool {
        lhs.storedCode == rhs.storedCode
    }

    /// Hashes the ``code`` only, consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(storedCode)
    }

    /// `HexDecodingError.<code> at byte offset <offset>`; never includes the input.
    public var description: String {
        "HexDecodingError.\(code) at byte offset \(offset)"
    }
}

/// The error thrown by ``Base64/decode(_:)``.
///
/// New codes may be added in later releases: compare with `==` against the static values (which
/// compares codes and ignores ``offset``) or switch over ``code`` with a `default` case.
/// The error never contains the input, which may be a secret.
public struct Base64DecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: String, Sendable {
        case invalidCharacter
        case invalidLength
        case invalidPadding
        case mixedAlphabets
        case nonZeroTrailingBits
    }

    private let storedCode: Code

    /// The UTF-8 byte offset in the input where decoding failed (`0` on the static values).
    public let offset: Int

    private init(code: Code, offset: Int) {
        self.storedCode = code
        self.offset = offset
    }

    /// An error of the same kind as `kind`, at `offset`.
    init(_ kind: Base64DecodingError, offset: Int) {
        self.init(code: kind.storedCode, offset: offset)
    }

    /// A stable, machine-readable name for the kind of failure, e.g. `"invalidCharacter"`.
    public var code: String { storedCode.rawValue }

    /// A character outside both Base64 alphabets (this includes whitespace and line breaks);
    /// ``offset`` is its position.
    public static let invalidCharacter = Base64DecodingError(code: .invalidCharacter, offset: 0)
    /// An unpadded input whose length leaves one character over (length ≡ 1 mod 4), which cannot
    /// encode whole bytes; ``offset`` is the input length.
    public static let invalidLength = Base64DecodingError(code: .invalidLength, offset: 0)
    /// Misplaced padding: `=` before the end, more than two `=`, or a padded input whose length is
    /// not a multiple of 4; ``offset`` is the first offending `=` (or the input length).
    public static let invalidPadding = Base64DecodingError(code: .invalidPadding, offset: 0)
    /// Characters from both the standard (`+`, `/`) and the URL-safe (`-`, `_`) alphabet in one
    /// input; ``offset`` is the first character of the second alphabet seen.
    public static let mixedAlphabets = Base64DecodingError(code: .mixedAlphabets, offset: 0)
    /// The last character carries bits beyond the encoded bytes that are not zero, so the input is
    /// not the canonical encoding of any byte string; ``offset`` is that character.
    public static let nonZeroTrailingBits = Base64DecodingError(code: .nonZeroTrailingBits, offset: 0)

    /// Whether both errors have the same ``code``; ``offset`` is ignored.
    public static func == (lhs: Base64DecodingError, rhs: Base64DecodingError) -> Bool {
        lhs.storedCode == rhs.storedCode
    }

    /// Hashes the ``code`` only, consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(storedCode)
    }

    /// `Base64DecodingError.<code> at byte offset <offset>`; never includes the input.
    public var description: String {
        "Base64DecodingError.\(code) at byte offset \(offset)"
    }
}
