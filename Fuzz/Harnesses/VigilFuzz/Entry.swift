// One libFuzzer binary for every harness; `VIGIL_FUZZ_HARNESS` names the one to run (Scripts/fuzz
// sets it). One binary means one instrumented build of the Vigil modules, not one per harness.
//
// Every harness asserts invariants on top of "no crash, no hang": what each one checks is written at
// the top of its file. A broken invariant calls `violated`, which traps, so libFuzzer reports it
// like a crash and writes the reproducing input.
import Dispatch
import Foundation
import VigilRedaction

/// The harnesses, by the name Scripts/fuzz and the corpus directories use.
let harnesses: [String: @Sendable (UnsafeBufferPointer<UInt8>) -> Void] = [
    "event-decoder": fuzzEventDecoder,
    "webhook-receiver": fuzzWebhookReceiver,
    "engine-reply": fuzzEngineReply,
    "verdict-callback": fuzzVerdictCallback,
    "verdict-policy": fuzzVerdictPolicy,
    "analysis-policy": fuzzAnalysisPolicy,
    "remediation-flow": fuzzRemediationFlow,
    "wav-stream": fuzzWAVStream,
    "sta-transcript": fuzzSTATranscript,
    "json-sanitizer": fuzzJSONSanitizer,
    "spoken-digits": fuzzSpokenDigits,
    "retry-after": fuzzRetryAfter,
    "base64-hex": fuzzBase64Hex,
    "audiohook-message": fuzzAudioHookMessage,
    "audiohook-signature": fuzzAudioHookSignature
]

private let selected: @Sendable (UnsafeBufferPointer<UInt8>) -> Void = {
    let name = ProcessInfo.processInfo.environment["VIGIL_FUZZ_HARNESS"] ?? ""
    guard let harness = harnesses[name] else {
        FileHandle.standardError.write(Data("VIGIL_FUZZ_HARNESS must be one of: \(harnesses.keys.sorted().joined(separator: ", "))\n".utf8))
        exit(2)
    }
    return harness
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    selected(UnsafeBufferPointer(start: data, count: size))
    return 0
}

/// Stops the run: libFuzzer reports the input that broke `invariant`. With `VIGIL_FUZZ_SHOW` set (to
/// investigate a reproducer on one's own machine) the offending text is printed too.
func violated(_ invariant: String, showing text: @autoclosure () -> String = "") -> Never {
    if ProcessInfo.processInfo.environment["VIGIL_FUZZ_SHOW"] != nil {
        FileHandle.standardError.write(Data("offending text: \(text())\n".utf8))
    }
    fatalError("invariant broken: \(invariant)")
}

// MARK: - Shared checks

/// Runs of 6 or more ASCII digits in `bytes` (a card number is 13+, an SSN 9).
func digitRuns(in bytes: some Sequence<UInt8>) -> [String] {
    var runs: [String] = [], current: [UInt8] = []
    for byte in bytes {
        if byte >= 0x30 && byte <= 0x39 { current.append(byte); continue }
        if current.count >= 6 { runs.append(String(decoding: current, as: UTF8.self)) }
        current = []
    }
    if current.count >= 6 { runs.append(String(decoding: current, as: UTF8.self)) }
    return runs
}

/// Traps when `text` (an error description, a response) repeats one of the input's digit runs.
func checkNoDigits(_ text: String, from runs: [String], in place: String) {
    for run in runs where text.contains(run) {
        violated("\(place) repeats \(run.count) digits of the input", showing: "\(run) in \(text)")
    }
}

/// Every rendering of an error a host might log.
func renderings(of error: some Error) -> [String] {
    [String(describing: error), String(reflecting: error), "\(error)", (error as CustomStringConvertible?)?.description ?? ""]
}

// MARK: - Splitting one input into several values

/// Reads an input as a few values: a leading byte for choices, then fields separated by a byte that
/// rarely occurs in the values (0xFF, invalid in UTF-8 — a field holding it is still fuzzed as text).
struct FuzzInput {
    let bytes: [UInt8]

    init(_ buffer: UnsafeBufferPointer<UInt8>) { bytes = Array(buffer) }

    /// The first byte (0 for an empty input).
    var selector: UInt8 { bytes.first ?? 0 }

    /// The bytes after the selector, cut at every 0xFF into at most `count` fields (the last one keeps
    /// the rest); missing fields are empty.
    func fields(_ count: Int) -> [[UInt8]] {
        var fields = bytes.dropFirst().split(separator: 0xFF, maxSplits: count - 1, omittingEmptySubsequences: false).map(Array.init)
        while fields.count < count { fields.append([]) }
        return fields
    }
}

// MARK: - Async entry points from libFuzzer's synchronous callback

private final class Slot<T>: @unchecked Sendable {
    var value: T?
}

/// Runs `body` to completion and returns its result (libFuzzer calls harnesses synchronously).
func blocking<T>(_ body: @escaping @Sendable () async -> T) -> T {
    let slot = Slot<T>(), done = DispatchSemaphore(value: 0)
    Task {
        slot.value = await body()
        done.signal()
    }
    done.wait()
    return slot.value!
}

/// A deterministic stream of choices derived from the input (for chunk boundaries and the like).
struct InputRandom {
    private var state: UInt64

    init(seed bytes: some Sequence<UInt8>) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        state = hash
    }

    mutating func next(below bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(max(bound, 1)))
    }
}

// MARK: - Personal data in the input

/// The card numbers and SSNs written in `bytes` that no output may repeat: a run of 13–19 digits that
/// is Luhn-valid in a known network's range, or `ddd-dd-dddd` that passes the SSN area, group and
/// serial rules — each standing alone (the detectors deliberately leave numbers glued to letters,
/// digits or `-./:` alone: GUID parts, decimals, dates, IP addresses), and no 13-digit timestamp.
func plantedSecrets(in bytes: [UInt8]) -> [String] {
    func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
    func glued(_ index: Int) -> Bool {
        guard bytes.indices.contains(index) else { return false }
        let byte = bytes[index]
        return isDigit(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x5F
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: ":")
    }
    var secrets: [String] = []
    var index = 0
    while index < bytes.count {
        guard isDigit(bytes[index]) else { index += 1; continue }
        var end = index
        while end < bytes.count, isDigit(bytes[end]) { end += 1 }
        let run = bytes[index..<end]
        if !glued(index - 1), !glued(end) {
            // A 13-digit number in the epoch-milliseconds range (2001–2099) is a timestamp unless card
            // words are near: the detector's documented rule, so such runs are not looked for.
            let timestamp = run.count == 13 && (1_000_000_000_000..<4_102_444_800_000).contains(Int(String(decoding: run, as: UTF8.self)) ?? 0)
            if (13...19).contains(run.count), !timestamp, PaymentCard.isLuhnValid(run), PaymentCard.network(ofDigits: run) != nil {
                secrets.append(String(decoding: run, as: UTF8.self))
            }
        }
        // ddd-dd-dddd starting here.
        if run.count == 3, end + 8 <= bytes.count, bytes[end] == UInt8(ascii: "-"), bytes[end + 3] == UInt8(ascii: "-"),
            isDigit(bytes[end + 1]), isDigit(bytes[end + 2]), (end + 4..<end + 8).allSatisfy({ isDigit(bytes[$0]) }),
            !glued(index - 1), !glued(end + 8)
        {
            let ssn = Array(bytes[index..<(end + 8)])
            if plausibleSSN(ssn.filter(isDigit).map { Int($0 - 0x30) }) { secrets.append(String(decoding: ssn, as: UTF8.self)) }
        }
        index = end
    }
    return secrets
}

/// The SSA's rules: no area 000, 666 or 9xx, no group 00, no serial 0000, not all one digit, and not
/// one of the published never-issued numbers.
private func plausibleSSN(_ d: [Int]) -> Bool {
    let area = d[0] * 100 + d[1] * 10 + d[2], group = d[3] * 10 + d[4], serial = d[5] * 1000 + d[6] * 100 + d[7] * 10 + d[8]
    guard area != 0, area != 666, area < 900, group != 0, serial != 0, Set(d).count > 1 else { return false }
    return ![78_051_120, 219_099_999, 123_456_789].contains(area * 1_000_000 + group * 10_000 + serial)
}

/// Traps when `text` holds one of `secrets`.
func checkNoSecrets(_ text: String, _ secrets: [String], in place: String) {
    for secret in secrets where text.contains(secret) {
        violated("\(place) holds a card number or SSN of the input", showing: "\(secret) in \(text)")
    }
}
