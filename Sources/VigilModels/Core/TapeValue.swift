import Foundation

/// One value of a document the strict reader recorded, for the hand-written readers of the hot shapes
/// (the seed webhook): member lookup, arrays, strings, ids and timestamps straight from the tape, with no `Decoder`,
/// no containers and no coding paths.
///
/// A hand-written reader answers `nil` for anything it does not read exactly as the `Decodable`
/// implementation would — a wrong type, a missing field, a value that fails validation, a date in an
/// unusual form — and ``VigilJSON/decode(_:from:limits:reading:)`` then decodes the same tape through
/// `init(from:)`, which produces the value or the typed error with its path. So the fast reader can
/// only ever agree or step aside; the differential tests check it agrees on every variant it accepts.
package struct TapeValue {
    let tape: Tape
    let index: Int

    private var entry: TapeEntry { tape.entries[index] }

    /// Whether the value is `null`.
    package var isNull: Bool { entry.kind == .null }

    /// Whether the value is an object.
    package var isObject: Bool { entry.kind == .object }

    /// The string, or `nil` for any other type.
    package var string: String? { entry.kind == .string ? tape.string(at: index) : nil }

    /// The member named `name` of an object (`null` included), or `nil` when absent or not an object.
    package subscript(_ name: String) -> TapeValue? {
        guard entry.kind == .object else { return nil }
        let end = entry.start
        var position = index + 1
        while position < end {
            if tape.string(at: position, equals: name) { return TapeValue(tape: tape, index: position + 1) }
            position = tape.next(after: position + 1)
        }
        return nil
    }

    /// A required member, read by `read`; `nil` when absent, `null` or not read.
    package func required<Value>(_ name: String, _ read: (TapeValue) -> Value?) -> Value? {
        self[name].flatMap(read)
    }

    /// An optional member as `decodeIfPresent` reads it: `.some(nil)` when absent or `null`, `.some(value)`
    /// when read, and `nil` — the reader steps aside — when present but not read.
    package func optional<Value>(_ name: String, _ read: (TapeValue) -> Value?) -> Value?? {
        guard let member = self[name], !member.isNull else { return .some(nil) }
        guard let value = read(member) else { return nil }
        return .some(value)
    }

    /// Every element read by `read`, or `nil` when this is not an array or one element is not read.
    package func array<Element>(of read: (TapeValue) -> Element?) -> [Element]? {
        guard entry.kind == .array else { return nil }
        var values: [Element] = []
        values.reserveCapacity(entry.count)
        var position = index + 1
        while position < entry.start {
            guard let value = read(TapeValue(tape: tape, index: position)) else { return nil }
            values.append(value)
            position = tape.next(after: position)
        }
        return values
    }

    /// A UUID string as ``GenesysID`` decodes it.
    package var genesysID: GenesysID? { string.flatMap(GenesysID.init) }

    /// A timestamp in one of the two forms the fast path of Vigil's date strategy reads
    /// (`VigilJSON.parseUTCTimestamp`); any other form is not read here, so a hand-written reader
    /// steps aside to the format styles in `init(from:)`.
    package var utcTimestamp: Date? { string.flatMap(VigilJSON.parseUTCTimestamp) }
}
