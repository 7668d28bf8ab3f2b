import Foundation

/// Decodes `Decodable` values from the tape the strict reader records in its single pass — no second
/// parse, no intermediate dictionaries. ``VigilJSON/decode(_:from:limits:)`` uses it; Foundation's
/// `JSONDecoder` (``VigilJSON/makeDecoder()``) stays as the reference the differential tests compare
/// against.
///
/// It behaves as `JSONDecoder` configured by ``VigilJSON`` does — the same `DecodingError`s at the same
/// coding paths, so ``ModelDecodingError`` reports the same code and path — with one deliberate
/// difference: a number that does not fit its field (`1.5` or `1e300` for an `Int`, `1e39` for a
/// `Float`) is a `typeMismatch` at that field's path, where Foundation reports an unlocated "not valid
/// JSON".
/// Dates use Vigil's ISO-8601 strategy; `URL` and `Data` (base64) are read from strings as
/// `JSONDecoder` reads them.
struct StrictJSONDecoding {
    /// Reads `bytes` strictly and decodes `type` from them.
    static func decode<T: Decodable>(
        _ type: T.Type, from bytes: UnsafeBufferPointer<UInt8>, limits: StrictJSON.Limits
    ) throws(ModelDecodingError) -> T {
        try decode(type, from: try tape(bytes, limits))
    }

    /// Reads `bytes` strictly, tries `reading` on the tape, and decodes the tape when it steps aside.
    static func decode<T: Decodable>(
        _ type: T.Type, from bytes: UnsafeBufferPointer<UInt8>, limits: StrictJSON.Limits,
        reading: (TapeValue) -> T?
    ) throws(ModelDecodingError) -> T {
        let tape = try tape(bytes, limits)
        if let value = reading(TapeValue(tape: tape, index: 0)) { return value }
        return try decode(type, from: tape)
    }

    private static func tape(_ bytes: UnsafeBufferPointer<UInt8>, _ limits: StrictJSON.Limits) throws(ModelDecodingError) -> Tape {
        var sink = TapeSink(capacity: bytes.count / 6)
        try StrictJSON.read(bytes, limits: limits, into: &sink)
        return Tape(input: bytes, entries: sink.entries, side: sink.side)
    }

    private static func decode<T: Decodable>(_ type: T.Type, from tape: Tape) throws(ModelDecodingError) -> T {
        try ModelDecodingError.mapping { try TapeDecoder(tape: tape, index: 0, codingPath: []).decodeValue(type) }
    }
}

// MARK: - The tape

/// One value of the document, in document order. Containers record where they end.
struct TapeEntry {
    enum Kind: UInt8 { case object, array, string, number, bool, null }
    var kind: Kind
    /// For a string: whether its bytes are in the side buffer (it had escapes). For a bool: its value.
    var flag: Bool
    /// Object/array: the index one past its last entry. String: the first byte (input or side buffer).
    var start: Int
    /// String: its byte count. Object/array: its member/element count.
    var count: Int
    /// Number: its value (exact for every integer the reader accepts, which are within ±(2^53−1)).
    var number: Double
}

/// Records the reader's tokens; member names are string entries before their values.
struct TapeSink: StrictJSONSink {
    static var wantsValues: Bool { true }
    var entries: [TapeEntry] = []
    var side: [UInt8] = []
    private var open: [Int] = []

    init(capacity: Int) {
        entries.reserveCapacity(max(8, capacity))
        open.reserveCapacity(16)
    }

    private mutating func counted() {
        if let parent = open.last { entries[parent].count += 1 }
    }

    private mutating func append(_ kind: TapeEntry.Kind, flag: Bool = false, start: Int = 0, count: Int = 0, number: Double = 0) {
        entries.append(TapeEntry(kind: kind, flag: flag, start: start, count: count, number: number))
    }

    private mutating func appendString(_ utf8: UnsafeBufferPointer<UInt8>, at offset: Int, escaped: Bool) {
        if escaped {
            append(.string, flag: true, start: side.count, count: utf8.count)
            side.append(contentsOf: utf8)
        } else {
            append(.string, start: offset + 1, count: utf8.count)
        }
    }

    mutating func beginObject(at offset: Int) {
        if let parent = open.last, entries[parent].kind == .array { entries[parent].count += 1 }
        open.append(entries.count)
        append(.object)
    }
    mutating func key(_ utf8: UnsafeBufferPointer<UInt8>, at offset: Int, escaped: Bool) {
        counted()
        appendString(utf8, at: offset, escaped: escaped)
    }
    mutating func endObject() {
        let index = open.removeLast()
        entries[index].start = entries.count
    }
    mutating func beginArray(at offset: Int) {
        if let parent = open.last, entries[parent].kind == .array { entries[parent].count += 1 }
        open.append(entries.count)
        append(.array)
    }
    mutating func endArray() {
        let index = open.removeLast()
        entries[index].start = entries.count
    }
    private mutating func element() {
        if let parent = open.last, entries[parent].kind == .array { entries[parent].count += 1 }
    }
    mutating func string(_ utf8: UnsafeBufferPointer<UInt8>, at offset: Int, escaped: Bool) {
        element()
        appendString(utf8, at: offset, escaped: escaped)
    }
    mutating func number(_ value: Double, at offset: Int) {
        element()
        append(.number, number: value)
    }
    mutating func bool(_ value: Bool, at offset: Int) {
        element()
        append(.bool, flag: value)
    }
    mutating func null(at offset: Int) {
        element()
        append(.null)
    }
}

/// The recorded document, valid while the input buffer is.
final class Tape {
    let input: UnsafeBufferPointer<UInt8>
    let entries: [TapeEntry]
    let side: [UInt8]

    init(input: UnsafeBufferPointer<UInt8>, entries: [TapeEntry], side: [UInt8]) {
        self.input = input
        self.entries = entries
        self.side = side
    }

    /// The index after the value at `index`.
    func next(after index: Int) -> Int {
        let entry = entries[index]
        return entry.kind == .object || entry.kind == .array ? entry.start : index + 1
    }

    func withBytes<R>(of entry: TapeEntry, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if entry.flag {
            return side.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[entry.start..<(entry.start + entry.count)])) }
        }
        return body(UnsafeBufferPointer(rebasing: input[entry.start..<(entry.start + entry.count)]))
    }

    func string(at index: Int) -> String {
        withBytes(of: entries[index]) { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether the string entry at `index` spells `name`.
    func string(at index: Int, equals name: String) -> Bool {
        let entry = entries[index]
        var name = name
        return name.withUTF8 { wanted in
            withBytes(of: entry) { have in
                have.count == wanted.count && (have.count == 0 || memcmp(have.baseAddress!, wanted.baseAddress!, have.count) == 0)
            }
        }
    }
}

// MARK: - Decoder

/// A `Decoder` positioned at one tape entry.
///
/// Coding paths are built only when something fails. A decoder handed to a value's `init(from:)` (by
/// `decode(_:forKey:)` or an unkeyed `decode(_:)`) starts with an empty path; an error thrown out of it
/// gets that member's key (and the container's own path) prepended as it passes back through the
/// container (``DecodingError/prefixed(with:)``). So every error still carries its full path from the
/// root, as `JSONDecoder`'s do, without an array of keys allocated for every field decoded. Containers
/// handed out without such a boundary (`nestedContainer`, `superDecoder`) carry their path as before.
struct TapeDecoder: Decoder {
    let tape: Tape
    let index: Int
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(tape: Tape, index: Int, codingPath: [any CodingKey]) {
        self.tape = tape
        self.index = index
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let entry = tape.entries[index]
        guard entry.kind == .object else { throw mismatch([String: Any].self, entry) }
        return KeyedDecodingContainer(TapeKeyedContainer<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let entry = tape.entries[index]
        guard entry.kind == .array else { throw mismatch([Any].self, entry) }
        return TapeUnkeyedContainer(decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { TapeSingleValue(decoder: self) }

    // MARK: Scalars

    func mismatch(_ type: Any.Type, _ entry: TapeEntry) -> DecodingError {
        if entry.kind == .null {
            return .valueNotFound(type, .init(codingPath: codingPath, debugDescription: "null"))
        }
        return .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "wrong JSON type"))
    }

    var isNull: Bool { tape.entries[index].kind == .null }

    func decodeBool() throws -> Bool {
        let entry = tape.entries[index]
        guard entry.kind == .bool else { throw mismatch(Bool.self, entry) }
        return entry.flag
    }

    func decodeString() throws -> String {
        let entry = tape.entries[index]
        guard entry.kind == .string else { throw mismatch(String.self, entry) }
        return tape.string(at: index)
    }

    func decodeDouble() throws -> Double {
        let entry = tape.entries[index]
        guard entry.kind == .number else { throw mismatch(Double.self, entry) }
        return entry.number
    }

    /// A `Float` must stay finite, and nonzero when the number is (as `JSONDecoder` requires).
    func decodeFloat() throws -> Float {
        let double = try decodeDouble()
        let float = Float(double)
        guard float.isFinite, double == 0 || float != 0 else { throw mismatch(Float.self, tape.entries[index]) }
        return float
    }

    func decodeInteger<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let entry = tape.entries[index]
        guard entry.kind == .number else { throw mismatch(type, entry) }
        guard let value = T(exactly: entry.number) else { throw mismatch(type, entry) }
        return value
    }

    /// Decodes any value, with the special cases `JSONDecoder` makes for `Date`, `URL` and `Data`.
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if type == Date.self {
            let string = try decodeString()
            if let date = VigilJSON.parseUTCTimestamp(string) { return date as! T }
            return try VigilJSON.parseDate(string, codingPath: codingPath) as! T
        }
        if type == URL.self {
            guard let url = URL(string: try decodeString()) else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "Invalid URL string."))
            }
            return url as! T
        }
        if type == Data.self {
            guard let data = Data(base64Encoded: try decodeString()) else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "Encountered Data is not valid Base64."))
            }
            return data as! T
        }
        return try T(from: self)
    }
}

/// A coding key for array positions, as `JSONDecoder` reports them.
private struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct TapeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: TapeDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    init(decoder: TapeDecoder) { self.decoder = decoder }

    private var tape: Tape { decoder.tape }

    /// The index of the value of member `key`, if present.
    private func valueIndex(_ key: Key) -> Int? {
        let name = key.stringValue
        let end = tape.entries[decoder.index].start
        var position = decoder.index + 1
        while position < end {
            if tape.string(at: position, equals: name) { return position + 1 }
            position = tape.next(after: position + 1)
        }
        return nil
    }

    var allKeys: [Key] {
        var keys: [Key] = []
        let end = tape.entries[decoder.index].start
        var position = decoder.index + 1
        while position < end {
            if let key = Key(stringValue: tape.string(at: position)) { keys.append(key) }
            position = tape.next(after: position + 1)
        }
        return keys
    }

    func contains(_ key: Key) -> Bool { valueIndex(key) != nil }

    private func missing(_ key: Key) -> DecodingError {
        DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
    }

    /// The member's value with its full coding path, for containers handed out to the caller.
    private func child(_ key: Key) throws -> TapeDecoder {
        guard let index = valueIndex(key) else { throw missing(key) }
        return TapeDecoder(tape: tape, index: index, codingPath: codingPath + [key])
    }

    /// Decodes the member's value at `index` with a decoder that starts a fresh (empty) path; an error
    /// leaving it gets this container's path and `key` prepended.
    private func read<T>(_ key: Key, at index: Int, _ body: (TapeDecoder) throws -> T) throws -> T {
        do {
            return try body(TapeDecoder(tape: tape, index: index, codingPath: []))
        } catch let error as DecodingError {
            throw error.prefixed(with: codingPath + [key])
        }
    }

    private func read<T>(_ key: Key, _ body: (TapeDecoder) throws -> T) throws -> T {
        guard let index = valueIndex(key) else { throw missing(key) }
        return try read(key, at: index, body)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let index = valueIndex(key) else { throw missing(key) }
        return tape.entries[index].kind == .null
    }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try read(key) { try $0.decodeBool() } }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try read(key) { try $0.decodeString() } }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try read(key) { try $0.decodeDouble() } }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try read(key) { try $0.decodeFloat() } }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try read(key) { try $0.decodeInteger(type) } }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try read(key) { try $0.decodeInteger(type) } }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try read(key) { try $0.decodeInteger(type) } }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try read(key) { try $0.decodeInteger(type) } }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try read(key) { try $0.decodeInteger(type) } }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try read(key) { try $0.decodeInteger(type) } }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try read(key) { try $0.decodeInteger(type) } }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try read(key) { try $0.decodeInteger(type) } }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try read(key) { try $0.decodeInteger(type) } }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try read(key) { try $0.decodeInteger(type) } }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try read(key) { try $0.decodeValue(type) } }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let index = valueIndex(key), tape.entries[index].kind != .null else { return nil }
        return try read(key, at: index) { try $0.decodeString() }
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let index = valueIndex(key), tape.entries[index].kind != .null else { return nil }
        return try read(key, at: index) { try $0.decodeValue(type) }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try child(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        let key = Key(stringValue: "super")
        guard let key else { return decoder }
        return try superDecoder(forKey: key)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder { try child(key) }
}

private struct TapeUnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: TapeDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }
    let count: Int?
    private(set) var currentIndex = 0
    private var position: Int
    private let end: Int

    init(decoder: TapeDecoder) {
        self.decoder = decoder
        let entry = decoder.tape.entries[decoder.index]
        count = entry.count
        position = decoder.index + 1
        end = entry.start
    }

    var isAtEnd: Bool { position >= end }

    private func atEnd() -> DecodingError {
        DecodingError.valueNotFound(
            Any.self,
            .init(codingPath: codingPath + [IndexKey(currentIndex)], debugDescription: "Unkeyed container is at end."))
    }

    /// The next element with its full coding path, for containers handed out to the caller.
    private mutating func next() throws -> TapeDecoder {
        guard !isAtEnd else { throw atEnd() }
        return TapeDecoder(tape: decoder.tape, index: position, codingPath: codingPath + [IndexKey(currentIndex)])
    }

    private mutating func advance() {
        position = decoder.tape.next(after: position)
        currentIndex += 1
    }

    /// Decodes the next element with a decoder that starts a fresh (empty) path; an error leaving it
    /// gets this container's path and the element's index prepended.
    private mutating func read<T>(_ body: (TapeDecoder) throws -> T) throws -> T {
        guard !isAtEnd else { throw atEnd() }
        let value: T
        do {
            value = try body(TapeDecoder(tape: decoder.tape, index: position, codingPath: []))
        } catch let error as DecodingError {
            throw error.prefixed(with: codingPath + [IndexKey(currentIndex)])
        }
        advance()
        return value
    }

    /// Hands the next element to `body` as a decoder or container for the caller to keep.
    private mutating func handOut<T>(_ body: (TapeDecoder) throws -> T) throws -> T {
        let value = try body(next())
        advance()
        return value
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { throw atEnd() }
        guard decoder.tape.entries[position].kind == .null else { return false }
        advance()
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try read { try $0.decodeBool() } }
    mutating func decode(_ type: String.Type) throws -> String { try read { try $0.decodeString() } }
    mutating func decode(_ type: Double.Type) throws -> Double { try read { try $0.decodeDouble() } }
    mutating func decode(_ type: Float.Type) throws -> Float { try read { try $0.decodeFloat() } }
    mutating func decode(_ type: Int.Type) throws -> Int { try read { try $0.decodeInteger(type) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try read { try $0.decodeInteger(type) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try read { try $0.decodeInteger(type) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try read { try $0.decodeInteger(type) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try read { try $0.decodeInteger(type) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try read { try $0.decodeInteger(type) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try read { try $0.decodeInteger(type) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try read { try $0.decodeInteger(type) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try read { try $0.decodeInteger(type) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try read { try $0.decodeInteger(type) } }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try read { try $0.decodeValue(type) } }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try handOut { try $0.container(keyedBy: type) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try handOut { try $0.unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder { try handOut { $0 } }
}

private struct TapeSingleValue: SingleValueDecodingContainer {
    let decoder: TapeDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.isNull }
    func decode(_ type: Bool.Type) throws -> Bool { try decoder.decodeBool() }
    func decode(_ type: String.Type) throws -> String { try decoder.decodeString() }
    func decode(_ type: Double.Type) throws -> Double { try decoder.decodeDouble() }
    func decode(_ type: Float.Type) throws -> Float { try decoder.decodeFloat() }
    func decode(_ type: Int.Type) throws -> Int { try decoder.decodeInteger(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.decodeInteger(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.decodeInteger(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.decodeInteger(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.decodeInteger(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.decodeInteger(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.decodeInteger(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.decodeInteger(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.decodeInteger(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.decodeInteger(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeValue(type) }
}

extension DecodingError {
    /// The same error located under `prefix`: what a container adds to an error leaving one of its
    /// members (see ``TapeDecoder``).
    func prefixed(with prefix: [any CodingKey]) -> DecodingError {
        func located(_ context: Context) -> Context {
            Context(
                codingPath: prefix + context.codingPath, debugDescription: context.debugDescription,
                underlyingError: context.underlyingError)
        }
        switch self {
        case let .typeMismatch(type, context): return .typeMismatch(type, located(context))
        case let .valueNotFound(type, context): return .valueNotFound(type, located(context))
        case let .keyNotFound(key, context): return .keyNotFound(key, located(context))
        case let .dataCorrupted(context): return .dataCorrupted(located(context))
        @unknown default: return self
        }
    }
}
