/// The shape rules that decide whether text from outside (an engine's verdict, a transcript, a
/// callback's headers) may be carried as is into what Vigil produces — observer events and so metric
/// labels and log lines, errors, remediation payloads, findings.
///
/// They are shape rules, not detectors: a value that *could* hold a card number, SSN, phone number or
/// e-mail address is not carried, whatever it actually holds. `VigilEventSub` screens webhook fields
/// with these same functions (`Screen`).
package enum Loggable {
    /// A label: 1–`maxLength` bytes of `A–Z a–z 0–9 . _ : -` with fewer than 6 digits — a name, not data
    /// (`PARTIALLY_COMPLIANT`, `GDPR_ART9`, `supervisor` pass; no card number, SSN, phone number with area
    /// code or e-mail address fits).
    /// `allowingBraces` also admits `{` and `}` (notification topic templates such as
    /// `v2.detail.events.conversation.{id}.customer.end`).
    package static func isLabel(_ value: String, maxLength: Int = 64, allowingBraces: Bool = false) -> Bool {
        let bytes = value.utf8
        guard (1...maxLength).contains(bytes.count) else { return false }
        var digits = 0
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "-"):
                continue
            case UInt8(ascii: "{") where allowingBraces, UInt8(ascii: "}") where allowingBraces:
                continue
            default: return false
            }
        }
        return digits < 6
    }

    /// An identifier that cannot hold a card, SSN or phone number: a `CorrelationID`-shaped string
    /// (1–128 of `A–Z a–z 0–9 . _ : -`) with fewer than 9 digits outside the UUIDs in it — so
    /// `evt-sub-req-8847291`, `msg_<uuid>` and `<parent>:<recording uuid>` pass, `4111111111111111` and
    /// `415-555-0123` do not.
    package static func isIdentifier(_ value: String) -> Bool {
        guard CorrelationID(value) != nil else { return false }
        // On the ingest path for every event: read in place, no copy of the bytes.
        var value = value
        return value.withUTF8 { bytes in
            var digits = 0
            var index = 0
            while index < bytes.count {
                if isUUID(bytes, at: index) {
                    index += 36
                    continue
                }
                if bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9") { digits += 1 }
                index += 1
            }
            return digits < 9
        }
    }

    /// Whether the 36 bytes from `start` are a UUID (`8-4-4-4-12` hexadecimal digits).
    private static func isUUID(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        guard start + 36 <= bytes.count else { return false }
        for offset in 0..<36 {
            let byte = bytes[start + offset]
            if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                let lower = byte | 0x20
                guard (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "f"))
                else { return false }
            }
        }
        return true
    }
}
