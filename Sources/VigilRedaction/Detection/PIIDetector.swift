import VigilCore

/// Finds payment card numbers, US SSNs, e-mail addresses, phone numbers, and CVVs and expiry dates
/// next to card context, in text.
///
/// Detection is a single forward scan over the UTF-8 bytes: candidates are found first (digit
/// runs, `+`, `(`, `@`) and then validated, without a regular-expression engine. Findings carry
/// ranges, never values. See <doc:VigilRedaction> for the exact rules.
///
/// ```swift
/// let detector = PIIDetector()
/// for finding in detector.findings(in: "card 4111 1111 1111 1111, exp 12/27") {
///     print(finding)   // PIIFinding(creditCard/visa, bytes 5..<24, confidence 1.0) …
/// }
/// ```
public struct PIIDetector: Sendable {
    /// The kinds to look for (default: all of ``PIIKind/detectable``).
    public var kinds: Set<PIIKind> {
        didSet { kindMask = Self.mask(kinds) }
    }
    /// ``kinds`` as bits (``PIIKind/precedence``), so that a scan does not hash.
    private(set) var kindMask: UInt32
    /// How many bytes before a candidate are searched for context words, and how close a CVV or
    /// expiry must be to a card number (default 40).
    @Bounded(0...Int.max) public var contextWindow: Int = 40

    /// Creates a detector for `kinds`.
    public init(kinds: Set<PIIKind> = Set(PIIKind.detectable), contextWindow: Int = 40) {
        self.kinds = kinds
        self.kindMask = Self.mask(kinds)
        self.contextWindow = contextWindow
    }

    /// The findings in `text`, ordered by position; ranges are UTF-8 offsets into `text`.
    public func findings(in text: String) -> [PIIFinding] {
        var text = text
        return text.withUTF8 { scan($0) }
    }

    /// The findings in UTF-8 `bytes` (`[UInt8]`, `Data`, …), ordered by position.
    ///
    /// Invalid UTF-8 does not stop the scan: the detectors only interpret ASCII bytes.
    public func findings(inUTF8 bytes: some Collection<UInt8>) -> [PIIFinding] {
        if let found = bytes.withContiguousStorageIfAvailable({ scan($0) }) { return found }
        return Array(bytes).withUnsafeBufferPointer { scan($0) }
    }

    /// The findings in a transcript, after ``SpokenDigitNormalizer`` has rewritten spoken digits;
    /// ranges are UTF-8 offsets into the original `text`.
    public func findings(inTranscript text: String) -> [PIIFinding] {
        transcriptMatches(in: text).map(\.finding)
    }

    /// The findings in a transcript given as consecutive phrases (as speech analytics delivers it).
    ///
    /// The phrases are joined with a space before normalising, so a number spoken across phrase
    /// boundaries ("four one one one" | "one one one one" | …) is found as one; its
    /// ``TranscriptFinding/segments`` say which part lies in which phrase.
    public func findings(inPhrases phrases: [String]) -> [TranscriptFinding] {
        let joined = PhraseLayout(phrases)
        return transcriptMatches(in: joined.text).compactMap { match in
            let segments = joined.segments(for: match.finding.utf8Range)
            guard !segments.isEmpty else { return nil }
            return TranscriptFinding(
                kind: match.finding.kind, confidence: match.finding.confidence,
                cardNetwork: match.finding.cardNetwork, segments: segments)
        }
    }

    func scan(_ buffer: UnsafeBufferPointer<UInt8>) -> [PIIFinding] {
        guard kindMask != 0, !buffer.isEmpty else { return [] }
        return Scanner(bytes: buffer, kindMask: kindMask, window: contextWindow).scan()
    }

    private static func mask(_ kinds: Set<PIIKind>) -> UInt32 {
        kinds.reduce(0) { $0 | $1.bit }
    }

    /// Whether `kind` is looked for.
    func detects(_ kind: PIIKind) -> Bool {
        kindMask & kind.bit != 0
    }

    /// A finding in a text together with the normalised value the operators work on.
    struct Match {
        let finding: PIIFinding
        let value: [UInt8]
    }

    /// Matches in plain text; values are taken from the text itself.
    func matches(in buffer: UnsafeBufferPointer<UInt8>) -> [Match] {
        scan(buffer).map { Match(finding: $0, value: Self.value(of: $0.kind, in: buffer, range: $0.utf8Range)) }
    }

    /// Matches in a transcript: detected on the normalised text, ranges mapped to the original,
    /// values taken from the normalised text (so spoken and written numbers tokenize alike).
    func transcriptMatches(in text: String) -> [Match] {
        let normalized = SpokenDigitNormalizer.normalize(text)
        var normalizedText = normalized.text
        return normalizedText.withUTF8 { buffer in
            scan(buffer).map { finding in
                let original = normalized.originalRange(forNormalizedUTF8: finding.utf8Range)
                return Match(
                    finding: PIIFinding(
                        kind: finding.kind, utf8Range: original, confidence: finding.confidence,
                        cardNetwork: finding.cardNetwork),
                    value: Self.value(of: finding.kind, in: buffer, range: finding.utf8Range)
                )
            }
        }
    }

    /// The normalised value of a finding: digits only for numeric kinds (a 10-digit NANP number gets
    /// its country code 1, so every spelling of one number agrees), ASCII-lowercased for e-mail.
    static func value(of kind: PIIKind, in buffer: UnsafeBufferPointer<UInt8>, range: Range<Int>) -> [UInt8] {
        let slice = buffer[range]
        if kind == .email { return slice.map { ContextWords.lowercased($0) } }
        guard kind.isNumeric else { return Array(slice) }
        var digits = slice.filter { Scanner.isDigit($0) }
        if kind == .phoneNumber, digits.count == 10, slice.first != UInt8(ascii: "+") { digits.insert(0x31, at: 0) }
        return digits
    }
}

/// Phrases joined with single spaces, and the way back from joined offsets to phrase offsets.
struct PhraseLayout {
    let text: String
    /// The UTF-8 start offset of each phrase in ``text``.
    let starts: [Int]
    let lengths: [Int]

    init(_ phrases: [String]) {
        var starts: [Int] = [], lengths: [Int] = []
        var offset = 0
        for phrase in phrases {
            starts.append(offset)
            lengths.append(phrase.utf8.count)
            offset += phrase.utf8.count + 1
        }
        self.text = phrases.joined(separator: " ")
        self.starts = starts
        self.lengths = lengths
    }

    /// The parts of the joined `range` in each phrase it touches.
    func segments(for range: Range<Int>) -> [PhraseRange] {
        var segments: [PhraseRange] = []
        for index in starts.indices {
            let phrase = starts[index]..<(starts[index] + lengths[index])
            if phrase.lowerBound >= range.upperBound { break }
            let lower = max(phrase.lowerBound, range.lowerBound), upper = min(phrase.upperBound, range.upperBound)
            if lower < upper {
                segments.append(PhraseRange(phraseIndex: index, utf8Range: (lower - phrase.lowerBound)..<(upper - phrase.lowerBound)))
            }
        }
        return segments
    }
}
