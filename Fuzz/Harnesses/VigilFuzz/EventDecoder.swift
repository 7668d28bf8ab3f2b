// The webhook body decoder and the strict reader under it, on arbitrary bytes. Invariants:
// 1. Nothing traps (libFuzzer reports a crash) and nothing takes unbounded time (-timeout).
// 2. The strict reader accepts exactly when the tape decoder reads the bytes as a `JSONValue`, that
//    value equals the one JSONDecoder reads, and JSONSerialization accepts the bytes too (the strict
//    grammar is a subset of Foundation's).
// 3. The tape decoder and JSONDecoder (after the same strict read) agree: the same event or the same
//    error code and path for `RecordingWebhookEvent` — except where JSONDecoder refuses a valid zero
//    with an exponent (`0e1`, a Foundation bug found by this harness) or cannot locate a number that
//    does not fit its field.
// 4. No error description repeats a run of 6+ digits from the input (a card number would be 13+).
import Foundation
import VigilEventSub
import VigilModels

private let decoder = EventDecoder()

func fuzzEventDecoder(_ buffer: UnsafeBufferPointer<UInt8>) {
    let bytes = Array(buffer)
    let runs = digitRuns(in: bytes)

    let validated = (try? StrictJSON.validate(bytes)) != nil
    let value = try? VigilJSON.decode(JSONValue.self, from: bytes)
    guard validated == (value != nil) else { fatalError("validate and the tape decoder disagree") }
    if let value {
        let foundation = try? VigilJSON.decodeWithFoundation(JSONValue.self, from: Data(bytes))
        guard value == foundation || (foundation == nil && foundationDecoderBug(bytes)) else {
            fatalError("the two decoders read different JSON values")
        }
        if (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) == nil {
            fatalError("the strict reader accepted what JSONSerialization refuses")
        }
    }

    let tape = Result { () throws(ModelDecodingError) in try VigilJSON.decode(RecordingWebhookEvent.self, from: bytes) }
    let reference = Result { () throws(ModelDecodingError) in
        try VigilJSON.decodeWithFoundation(RecordingWebhookEvent.self, from: Data(bytes))
    }
    switch (tape, reference) {
    case let (.success(a), .success(b)):
        guard a == b else { fatalError("the two decoders read different events") }
    case let (.failure(a), .failure(b)):
        let located = b.code == .malformedJSON && b.path.isEmpty && a.code == .wrongType
        guard (a.code == b.code && a.path == b.path) || located else { fatalError("different errors: \(a) / \(b)") }
        checkNoDigits(a.description, from: runs, in: "a decoding error")
    case let (.success, .failure(b)) where b.code == .malformedJSON && b.path.isEmpty && foundationDecoderBug(bytes):
        break
    default:
        fatalError("only one decoder accepted")
    }

    do {
        _ = try decoder.decode(bytes)
    } catch {
        for text in renderings(of: error) { checkNoDigits(text, from: runs, in: "an event decoding error") }
    }
}

/// Foundation's `JSONDecoder` refuses some valid numbers (`0e1`, `0E5`: a zero with a positive
/// exponent) that `JSONSerialization`, Python and JavaScript read as 0; the tape decoder reads 0 too.
private func foundationDecoderBug(_ bytes: [UInt8]) -> Bool {
    for index in bytes.indices.dropLast()
    where bytes[index] == UInt8(ascii: "0")
        && (bytes[index + 1] == UInt8(ascii: "e") || bytes[index + 1] == UInt8(ascii: "E"))
    {
        return true
    }
    return false
}
