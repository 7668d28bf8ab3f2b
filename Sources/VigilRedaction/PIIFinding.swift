/// One piece of personal data found in a text: where it is and what it is — never the value itself.
///
/// A finding stores no copy of the matched characters, so printing, dumping or logging it cannot
/// leak the data it points at. Use ``utf8Range`` (or ``range(in:)``) on the text you scanned to act
/// on the value.
public struct PIIFinding: Hashable, Sendable, CustomStringConvertible {
    /// What was found.
    public let kind: PIIKind
    /// The UTF-8 byte offsets of the finding in the scanned text.
    public let utf8Range: Range<Int>
    /// How sure the detector is, from 0 to 1. Checksum- and structure-validated findings (cards,
    /// separated SSNs) score at least 0.9; context words raise a score to 1.
    public let confidence: Double
    /// The card network, for ``PIIKind/creditCard`` findings; `nil` otherwise.
    public let cardNetwork: CardNetwork?

    /// Creates a finding.
    public init(kind: PIIKind, utf8Range: Range<Int>, confidence: Double, cardNetwork: CardNetwork? = nil) {
        self.kind = kind
        self.utf8Range = utf8Range
        self.confidence = confidence
        self.cardNetwork = cardNetwork
    }

    /// The finding's range as `String` indices in `text`, the string that was scanned.
    ///
    /// Returns `nil` if the offsets do not fall on character boundaries of `text` (it is not the
    /// scanned string).
    public func range(in text: String) -> Range<String.Index>? {
        let utf8 = text.utf8
        guard utf8Range.upperBound <= utf8.count,
            let lower = utf8.index(utf8.startIndex, offsetBy: utf8Range.lowerBound, limitedBy: utf8.endIndex),
            let upper = utf8.index(lower, offsetBy: utf8Range.count, limitedBy: utf8.endIndex),
            let lowerIndex = lower.samePosition(in: text),
            let upperIndex = upper.samePosition(in: text)
        else { return nil }
        return lowerIndex..<upperIndex
    }

    /// `PIIFinding(creditCard/visa, bytes 12..<28, confidence 1.0)` — never the value.
    public var description: String {
        let network = cardNetwork.map { "/\($0)" } ?? ""
        return "PIIFinding(\(kind)\(network), bytes \(utf8Range.lowerBound)..<\(utf8Range.upperBound), confidence \(confidence))"
    }
}

/// Where part of a finding lies in a transcript given as phrases.
public struct PhraseRange: Hashable, Sendable, CustomStringConvertible {
    /// The index of the phrase in the array that was scanned.
    public let phraseIndex: Int
    /// The UTF-8 byte offsets within that phrase.
    public let utf8Range: Range<Int>

    /// Creates a phrase range.
    public init(phraseIndex: Int, utf8Range: Range<Int>) {
        self.phraseIndex = phraseIndex
        self.utf8Range = utf8Range
    }

    /// `phrase 2 bytes 0..<14`.
    public var description: String {
        "phrase \(phraseIndex) bytes \(utf8Range.lowerBound)..<\(utf8Range.upperBound)"
    }
}

/// A finding in a transcript given as phrases; a number spoken across phrase boundaries spans
/// several phrases.
public struct TranscriptFinding: Hashable, Sendable, CustomStringConvertible {
    /// What was found.
    public let kind: PIIKind
    /// How sure the detector is, from 0 to 1.
    public let confidence: Double
    /// The card network, for ``PIIKind/creditCard`` findings.
    public let cardNetwork: CardNetwork?
    /// The pieces of the finding, one per phrase it touches, in phrase order (never empty).
    public let segments: [PhraseRange]

    /// Creates a transcript finding.
    public init(kind: PIIKind, confidence: Double, cardNetwork: CardNetwork? = nil, segments: [PhraseRange]) {
        self.kind = kind
        self.confidence = confidence
        self.cardNetwork = cardNetwork
        self.segments = segments
    }

    /// `TranscriptFinding(creditCard/visa, [phrase 0 bytes 5..<20, phrase 1 bytes 0..<9], confidence 1.0)`.
    public var description: String {
        let network = cardNetwork.map { "/\($0)" } ?? ""
        let pieces = segments.map(\.description).joined(separator: ", ")
        return "TranscriptFinding(\(kind)\(network), [\(pieces)], confidence \(confidence))"
    }
}
