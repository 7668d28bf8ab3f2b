// The JSON sanitiser and the spoken-digit normaliser on fuzzed text.
//
// json-sanitizer — invariants:
// 1. A document the strict reader accepts is sanitised (no `invalidJSON`/`invalidUTF8`; its nesting
//    is within both limits), and the output is JSON again (`JSONSerialization` reads it).
// 2. The output holds no standing-alone card number or SSN that the input held standing alone in a
//    value (keys are documented to be copied unchanged, so a secret that is also inside a member name
//    is not looked for; the same digits glued to letters are left alone by design).
// 3. One pass is complete: sanitising the output again redacts nothing new (it only re-tokenizes the
//    tokens under always-tokenized keys).
// 4. A refusal's renderings hold no 6-digit run of the input.
//
// spoken-digits — invariants:
// 1. The alignment is monotone and within the original: byte i of the result maps to a range that
//    starts at or after byte i−1's and ends within the input.
// 2. Every non-digit byte of the result is a copy of the one original byte it maps to.
// 3. Normalising is idempotent: no spoken digit survives one pass.
import Foundation
import VigilModels
import VigilRedaction

private let sanitizer = try! JSONSanitizer(tokenKey: TokenKey(Array(repeating: 7, count: 32)))

func fuzzJSONSanitizer(_ buffer: UnsafeBufferPointer<UInt8>) {
    let bytes = Array(buffer), runs = digitRuns(in: bytes)
    let strict = try? VigilJSON.decode(JSONValue.self, from: bytes)
    let output: [UInt8]
    do {
        output = try sanitizer.sanitize(bytes)
    } catch {
        if strict != nil, error.code == .invalidJSON || error.code == .invalidUTF8 {
            violated("the sanitiser refused a document the strict reader accepts (\(error.code))")
        }
        for text in renderings(of: error) { checkNoDigits(text, from: runs, in: "a sanitiser error") }
        return
    }
    guard let strict else { return }
    guard (try? JSONSerialization.jsonObject(with: Data(output), options: [.fragmentsAllowed])) != nil else {
        violated("the sanitised output of a JSON document is not JSON")
    }
    let keys = memberNames(strict)
    // Compared occurrence by occurrence: the same digits glued to a letter elsewhere are left by design.
    let standaloneInOutput = Set(plantedSecrets(in: output))
    for secret in plantedSecrets(in: bytes) where standaloneInOutput.contains(secret) && !keys.contains(where: { $0.contains(secret) }) {
        violated("the sanitised output holds a card number or SSN of the input", showing: secret)
    }
    guard let again = try? sanitizer.sanitize(output), maskingTokens(again) == maskingTokens(output) else {
        violated(
            "sanitising the output redacted something the first pass left",
            showing: String(decoding: output, as: UTF8.self) + " → " + String(decoding: (try? sanitizer.sanitize(output)) ?? [], as: UTF8.self))
    }
}

/// `bytes` with every token (`tok_<kind>_<22 base64url>`) replaced by `tok`: a value under an
/// always-tokenized key is tokenized whatever it holds, a token included, so a second pass changes
/// tokens — but nothing else.
private func maskingTokens(_ bytes: [UInt8]) -> [UInt8] {
    let text = String(decoding: bytes, as: UTF8.self)
    return Array(text.replacingOccurrences(of: "tok_[a-z]+_[A-Za-z0-9_-]{22}", with: "tok", options: .regularExpression).utf8)
}

private func memberNames(_ value: JSONValue) -> [String] {
    switch value {
    case .object(let members): members.keys.map { $0 } + members.values.flatMap(memberNames)
    case .array(let items): items.flatMap(memberNames)
    default: []
    }
}

func fuzzSpokenDigits(_ buffer: UnsafeBufferPointer<UInt8>) {
    let original = String(decoding: buffer, as: UTF8.self)
    let originalBytes = Array(original.utf8)
    let normalized = SpokenDigitNormalizer.normalize(original)
    let output = Array(normalized.text.utf8)
    var previousStart = 0
    for index in output.indices {
        let range = normalized.originalRange(forNormalizedUTF8: index..<(index + 1))
        guard range.lowerBound >= previousStart, range.upperBound <= originalBytes.count, !range.isEmpty else {
            violated("the alignment of byte \(index) is not monotone or leaves the input")
        }
        previousStart = range.lowerBound
        let byte = output[index]
        if !(0x30...0x39).contains(byte) {
            guard range.count == 1, originalBytes[range.lowerBound] == byte else {
                violated("a copied byte does not map to the same original byte")
            }
        }
    }
    guard SpokenDigitNormalizer.normalize(normalized.text).text == normalized.text else {
        violated("a second normalisation changed the text", showing: "\(normalized.text) → \(SpokenDigitNormalizer.normalize(normalized.text).text)")
    }
}
