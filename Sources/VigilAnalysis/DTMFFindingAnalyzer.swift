import VigilModels
import VigilRedaction

/// Turns detected DTMF digits into compliance findings, incrementally.
///
/// Digits are grouped per channel into **runs**: consecutive numeric keys whose silence between one
/// tone's end and the next tone's start is shorter than ``Configuration/maxDigitGapMs`` (2 s). A
/// non-numeric key (`*`, `#`, `A`–`D`) ends a run. When a run closes:
///
/// - 13–19 digits that are a payment card by `PaymentCard.isValid` (IIN range for the length and
///   Luhn) ⇒ `PCI_MID_CAPTURE` at the first digit's start;
/// - 3–4 digits starting within ``Configuration/cvvWindowMs`` (30 s) after the end of a card run on the
///   same channel ⇒ `PCI_CVV_CAPTURE`;
/// - a longer run holding a card with a menu choice keyed just before it or a code, PIN or expiry
///   keyed straight after it (less than the gap apart) is split as ``CardRunSearch`` describes: card
///   ⇒ `PCI_MID_CAPTURE`, code or PIN ⇒ `PCI_CVV_CAPTURE`;
/// - 9 digits with a valid SSN area (001–899, not 666), group (01–99) and serial (0001–9999) ⇒
///   `SSN_DISCLOSURE`.
///
/// **A complete card is reported the moment its last digit is keyed**, not when the run closes: as
/// soon as the open run is, after at most two leading digits, a valid card of its network's one
/// common length (16 for Visa, Mastercard, Discover, JCB, UnionPay, Maestro; 15 for American Express
/// — ``CardRunSearch/earlyCard(in:)``), ``consume(_:)`` returns its `PCI_MID_CAPTURE`. That is what
/// lets a live call be flagged within a second of the last digit instead of after the 2 s gap. The
/// decision is final: digits keyed after it can add a security code (same shapes as above) but never
/// withdraw the card — the card number was keyed into the recording whatever followed. Batch analysis
/// runs the same rule, so a recording and its live call give the same findings.
///
/// A finding's **confidence is the mean of its digits' confidences** (``DTMFDigitEvent/confidence``,
/// derived from S/N, frequency deviation, twist and duration): a clean keyed number scores close to 1.
///
/// Evidence text is masked: a card goes through VigilRedaction's mask operator and shows only its
/// last four digits (`DTMF card ************1111 at 12.0 s (external)`), a security code or SSN none.
///
/// Feed digits with ``consume(_:)`` as a ``DTMFScanner`` reports them, tell the analyser how far the
/// audio has got with ``advance(toMilliseconds:)`` so runs close while audio still streams in, and call
/// ``finish()`` at the end.
public struct DTMFFindingAnalyzer: Sendable {
    /// Grouping rules and labels.
    public struct Configuration: Sendable, Hashable {
        /// Longest silence between two digits of one run, in milliseconds (default 2 000).
        public var maxDigitGapMs: Int = 2000
        /// How long after a card run a 3–4 digit run counts as its security code, in ms (default 30 000).
        public var cvvWindowMs: Int = 30000
        /// Extra wait, beyond ``maxDigitGapMs``, before ``DTMFFindingAnalyzer/advance(toMilliseconds:)``
        /// closes a run, allowing for the detector's reporting delay (default 500 ms).
        public var closeSlackMs: Int = 500
        /// Participant label per channel (default `external`, `internal`: Genesys stereo recordings).
        public var channelLabels: [String] = ["external", "internal"]

        /// Creates the default configuration.
        public init() {}

        /// Creates a configuration.
        public init(maxDigitGapMs: Int = 2000, cvvWindowMs: Int = 30000, channelLabels: [String] = ["external", "internal"]) {
            self.maxDigitGapMs = maxDigitGapMs
            self.cvvWindowMs = cvvWindowMs
            self.channelLabels = channelLabels
        }
    }

    /// The configuration in use.
    public var configuration: Configuration
    private var openRuns: [Int: [DTMFDigitEvent]] = [:]
    private var lastCardEndMs: [Int: Int] = [:]
    /// The card already reported from a channel's open run (digit offsets in the run).
    private var earlyCards: [Int: (card: Range<Int>, network: CardNetwork)] = [:]

    /// Creates an analyser.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Adds digits (in the order a scanner reports them); returns findings for runs they closed.
    public mutating func consume(_ events: [DTMFDigitEvent]) -> [ComplianceFinding] {
        var findings: [ComplianceFinding] = []
        for event in events {
            guard event.digit.rawValue.isASCII, event.digit.rawValue.isNumber else {
                findings += close(channel: event.channel)
                continue
            }
            if let last = openRuns[event.channel]?.last,
                event.startMilliseconds - Self.endMilliseconds(last) >= configuration.maxDigitGapMs
            {
                findings += close(channel: event.channel)
            }
            openRuns[event.channel, default: []].append(event)
            findings += reportCompleteCard(channel: event.channel)
        }
        return findings
    }

    /// Reports the open run's card once it is complete (see the type's documentation).
    private mutating func reportCompleteCard(channel: Int) -> [ComplianceFinding] {
        guard earlyCards[channel] == nil, let run = openRuns[channel], run.count == 15 || run.count == 16 else { return [] }
        let digits = run.compactMap { $0.digit.rawValue.asciiValue }
        guard let found = CardRunSearch.earlyCard(in: digits) else { return [] }
        earlyCards[channel] = found
        return [card(Array(run[found.card]), Array(digits[found.card]), channel: channel)]
    }

    /// Closes runs that can no longer grow because the audio has reached `milliseconds`.
    public mutating func advance(toMilliseconds milliseconds: Int) -> [ComplianceFinding] {
        var findings: [ComplianceFinding] = []
        for channel in openRuns.keys.sorted() {
            guard let last = openRuns[channel]?.last else { continue }
            if milliseconds - Self.endMilliseconds(last) >= configuration.maxDigitGapMs + configuration.closeSlackMs {
                findings += close(channel: channel)
            }
        }
        return findings
    }

    /// Closes all runs at the end of the recording.
    public mutating func finish() -> [ComplianceFinding] {
        var findings: [ComplianceFinding] = []
        for channel in openRuns.keys.sorted() {
            findings += close(channel: channel)
        }
        return findings.sorted { $0.offsetMs < $1.offsetMs }
    }

    /// All findings in a complete list of digits.
    public static func findings(
        in events: [DTMFDigitEvent],
        configuration: Configuration = Configuration()
    ) -> [ComplianceFinding] {
        var analyzer = DTMFFindingAnalyzer(configuration: configuration)
        let ordered = events.sorted { ($0.startSample, $0.channel) < ($1.startSample, $1.channel) }
        return (analyzer.consume(ordered) + analyzer.finish()).sorted { $0.offsetMs < $1.offsetMs }
    }

    /// Whether nine ASCII digits are a plausible US SSN: area 001–899 except 666, group 01–99,
    /// serial 0001–9999, not nine equal digits and not a published sample number (078-05-1120,
    /// 219-09-9999, 123-45-6789). The rules are VigilRedaction's: the digits are laid out as
    /// `AAA-GG-SSSS` and handed to its SSN detector.
    public static func isPlausibleSSN(_ digits: [UInt8]) -> Bool {
        guard digits.count == 9, digits.allSatisfy({ (48...57).contains($0) }) else { return false }
        let text =
            String(decoding: digits[0..<3], as: UTF8.self) + "-" + String(decoding: digits[3..<5], as: UTF8.self)
            + "-" + String(decoding: digits[5..<9], as: UTF8.self)
        return !ssnDetector.findings(in: text).isEmpty
    }

    /// The masked form of a card number under VigilRedaction's mask operator (`************1111`);
    /// every digit masked should the detector not recognise the number.
    static func maskedCard(_ digits: [UInt8]) -> String {
        let result = cardMasker?.redact(String(decoding: digits, as: UTF8.self))
        guard let result, result.findings.count == 1, result.findings[0].utf8Range == 0..<digits.count else {
            return String(repeating: "*", count: digits.count)
        }
        return result.text
    }

    private static let ssnDetector = PIIDetector(kinds: [.usSSN])
    private static let cardMasker = try? Redactor(
        policy: RedactionPolicy([.creditCard: .mask(keepingLast: 4)]),
        detector: PIIDetector(kinds: [.creditCard]))

    private mutating func close(channel: Int) -> [ComplianceFinding] {
        guard let run = openRuns.removeValue(forKey: channel), !run.isEmpty else { return [] }
        let digits = run.compactMap { $0.digit.rawValue.asciiValue }
        if let early = earlyCards.removeValue(forKey: channel) {
            // The card was reported when it was complete; what was keyed after it may be its code.
            let end = early.card.upperBound
            guard let code = CardRunSearch.securityCode(in: digits[end...], network: early.network, keyed: true),
                !code.isEmpty
            else { return [] }
            return securityCode(Array(run[(end + code.lowerBound)..<(end + code.upperBound)]), channel: channel)
        }
        if let split = CardRunSearch.cardAndCode(in: digits[...]) {
            let card = card(Array(run[..<split.card]), Array(digits[..<split.card]), channel: channel)
            return [card] + securityCode(Array(run[split.card...]), channel: channel)
        }
        if (13...19).contains(digits.count), PaymentCard.isValid(digits) {
            return [card(run, digits, channel: channel)]
        }
        // A menu choice keyed just before the card, a code, PIN or expiry keyed straight after it.
        if let found = CardRunSearch.find(in: digits, keyed: true) {
            let card = card(Array(run[found.card]), Array(digits[found.card]), channel: channel)
            return [card] + (found.code.map { securityCode(Array(run[$0]), channel: channel) } ?? [])
        }
        switch digits.count {
        case 3...4:
            return securityCode(run, channel: channel)
        case 9 where Self.isPlausibleSSN(digits):
            return [finding(.ssnDisclosure, "DTMF SSN ***-**-****", run, channel: channel)]
        default:
            return []
        }
    }

    private mutating func card(_ run: [DTMFDigitEvent], _ digits: [UInt8], channel: Int) -> ComplianceFinding {
        lastCardEndMs[channel] = Self.endMilliseconds(run[run.count - 1])
        return finding(.pciMidCapture, "DTMF card \(Self.maskedCard(digits))", run, channel: channel)
    }

    private func securityCode(_ run: [DTMFDigitEvent], channel: Int) -> [ComplianceFinding] {
        let offset = run[0].startMilliseconds
        guard let cardEnd = lastCardEndMs[channel], offset >= cardEnd,
            offset - cardEnd <= configuration.cvvWindowMs
        else { return [] }
        return [
            finding(
                .pciCvvCapture, "DTMF security code \(String(repeating: "*", count: run.count))", run,
                channel: channel)
        ]
    }

    private func finding(
        _ type: ViolationType, _ evidence: String, _ run: [DTMFDigitEvent],
        channel: Int
    ) -> ComplianceFinding {
        let offset = run[0].startMilliseconds
        let end = Self.endMilliseconds(run[run.count - 1])
        let confidence = run.map(\.confidence).reduce(0, +) / Double(run.count)
        let participant =
            channel < configuration.channelLabels.count
            ? configuration.channelLabels[channel] : "channel \(channel)"
        return ComplianceFinding(
            type: type, source: .dtmf, participant: participant, channel: channel, offsetMs: offset,
            durationMs: end - offset, confidence: confidence,
            evidence: "\(evidence) at \(ComplianceFinding.seconds(offset)) (\(participant))")
    }

    private static func endMilliseconds(_ event: DTMFDigitEvent) -> Int {
        Int((Double(event.endSample) * 1000 / Double(event.sampleRate)).rounded())
    }
}
