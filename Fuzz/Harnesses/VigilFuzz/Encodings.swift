// The Retry-After parser and the Base64 and hex codecs on fuzzed text.
//
// retry-after — invariants: a parsed delay is never negative; delay-seconds parse to exactly their
// value; a parsed HTTP-date is a whole second and reads back unchanged from its IMF-fixdate spelling.
//
// base64-hex — invariants: the input's bytes survive encode → decode in both alphabets, padded and
// not, and in hex; a string that decodes strictly is one of the four canonical encodings of its bytes
// (two spellings never decode to the same bytes); lenient decoding accepts whatever strict decoding
// does, with the same bytes; a padded standard-alphabet string that decodes leniently decodes to the
// same bytes with Foundation's `Data(base64Encoded:)`; hex decodes exactly the strings
// that are a hex encoding of their bytes, in any case.
import Foundation
import VigilCore

private let now = Date(timeIntervalSince1970: 1_780_000_000)

func fuzzRetryAfter(_ buffer: UnsafeBufferPointer<UInt8>) {
    let text = String(decoding: buffer, as: UTF8.self)
    if let delay = RetryAfter.parse(text, now: now) {
        guard delay >= .zero else { violated("a negative Retry-After delay") }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty, trimmed.utf8.allSatisfy({ (0x30...0x39).contains($0) }), delay != .seconds(Int64(trimmed)!) {
            violated("delay-seconds parsed to another value")
        }
    }
    if let date = RetryAfter.parseHTTPDate(text) {
        let seconds = date.timeIntervalSince1970
        guard seconds == seconds.rounded(.down) else { violated("an HTTP-date with a fraction of a second") }
        guard RetryAfter.parseHTTPDate(imfFixdate(date)) == date else { violated("an HTTP-date does not read back") }
    }
}

/// `Sun, 06 Nov 1994 08:49:37 GMT`, written without a formatter.
private func imfFixdate(_ date: Date) -> String {
    var time = time_t(date.timeIntervalSince1970), parts = tm()
    gmtime_r(&time, &parts)
    let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
        + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
}

func fuzzBase64Hex(_ buffer: UnsafeBufferPointer<UInt8>) {
    let bytes = Array(buffer)
    for alphabet in [Base64.Alphabet.standard, .urlSafe] {
        for padding in [true, false] {
            guard (try? Base64.decode(Base64.encode(bytes, alphabet: alphabet, padding: padding))) == bytes else {
                violated("Base64 encode → decode lost the bytes")
            }
        }
    }
    guard (try? Hex.decode(Hex.encode(bytes))) == bytes, (try? Hex.decode(Hex.encode(bytes, uppercase: true))) == bytes else {
        violated("hex encode → decode lost the bytes")
    }

    let text = String(decoding: buffer, as: UTF8.self)
    let strict = try? Base64.decode(text), lenient = try? Base64.decode(text, allowingNonZeroTrailingBits: true)
    if let strict {
        let canonical = [Base64.Alphabet.standard, .urlSafe].flatMap { alphabet in
            [true, false].map { Base64.encode(strict, alphabet: alphabet, padding: $0) }
        }
        guard canonical.contains(text) else { violated("a non-canonical Base64 string decoded strictly") }
        guard lenient == strict else { violated("lenient Base64 decoding disagrees with strict decoding") }
    }
    let standardPadded = text.utf8.count % 4 == 0 && !text.contains("-") && !text.contains("_")
    if standardPadded, text.utf8.allSatisfy({ $0 < 0x80 }) {
        // Foundation also reads a few strings RFC 4648 does not define (`====` as no bytes); the
        // other way round, Vigil must never accept what Foundation refuses or read other bytes.
        if let lenient, Data(base64Encoded: text).map(Array.init) != lenient {
            violated("lenient Base64 read a padded standard string that Foundation reads otherwise or refuses")
        }
    }
    if let decoded = try? Hex.decode(text) {
        guard Hex.encode(decoded) == text.lowercased() else { violated("hex decoded a string that is not a hex encoding") }
    } else if text.utf8.count % 2 == 0, text.utf8.allSatisfy({ $0 < 0x80 && $0.isHexDigit }) {
        violated("hex refused a hex encoding")
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool { (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self) }
}
