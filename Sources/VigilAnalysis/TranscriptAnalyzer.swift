import VigilModels
import VigilRedaction

/// Finds violations in a Speech & Text Analytics transcript (`STATranscriptDocument`).
///
/// - **Spoken card numbers, security codes and SSNs**: each participant's phrases, in order, go through
///   `PIIDetector.findings(inPhrases:)` (VigilRedaction's spoken-digit normaliser, Luhn and IIN rules),
///   so a number read across several phrases ("four one one one" | "one one one one" | …) is found.
///   A card ⇒ `PCI_MID_CAPTURE`, a CVV next to a card ⇒ `PCI_CVV_CAPTURE`, an SSN ⇒ `SSN_DISCLOSURE`,
///   at the offset of the first phrase holding it, with the detector's confidence.
/// - **Missing disclosure**: for each ``AnalysisPolicy/DisclosureRule``, none of its wordings appears in
///   the phrases (of the rule's participant) starting within the first N seconds — its words in order,
///   across phrases of one participant, with at most ``AnalysisPolicy/disclosureMaxWordGap`` other words
///   between two of them ("this call may *also* be recorded") ⇒ `MISSING_DISCLOSURE`
///   at offset 0, confidence 0.85 (the transcript may have misrecognised it). Not checked on a transcript
///   without phrases.
/// - **Prohibited phrase**: a phrase containing one of ``AnalysisPolicy/prohibitedPhrases`` ⇒
///   `PROHIBITED_PHRASE` at that phrase, with the phrase's recognition confidence (0.8 when absent).
///
/// Phrase and policy text are compared lower-cased with punctuation folded to spaces, on word
/// boundaries. A phrase's offset is its `offset`, else its `startTimeMs` relative to the document's
/// start, else 0; a spoken number starts at its first word's time when the phrase has word timings
/// that line up with its text, else at the phrase's offset. Evidence never quotes the transcript, only the policy's own wording.
public struct TranscriptAnalyzer: Sendable {
    /// The rules.
    public var policy: AnalysisPolicy
    /// Confidence of a missing-disclosure finding.
    public static let missingDisclosureConfidence = 0.85

    /// Creates an analyser.
    public init(policy: AnalysisPolicy = AnalysisPolicy()) {
        self.policy = policy
    }

    /// All findings, ordered by offset.
    public func findings(in document: STATranscriptDocument) -> [ComplianceFinding] {
        let base = document.startTime ?? document.conversationStartTime
        let phrases = document.allPhrases.map { phrase -> Phrase in
            var offset = phrase.offset?.milliseconds
            if offset == nil, let start = phrase.startTimeMs, let base { offset = max(0, start - base) }
            // Word start times (epoch ms) relative to the phrase, when the phrase's own start is known.
            var wordOffsets: [Int]?
            if let words = phrase.words, let phraseStart = phrase.startTimeMs,
               words.allSatisfy({ $0.startTimeMs != nil }) {
                wordOffsets = words.map { Int($0.startTimeMs! - phraseStart) }
            }
            return Phrase(text: phrase.text, participant: phrase.participantPurpose?.rawValue ?? "unknown",
                          offsetMs: Int(offset ?? 0), durationMs: Int(phrase.duration?.milliseconds ?? 0),
                          confidence: phrase.confidence, wordOffsets: wordOffsets)
        }
        var findings = spokenNumbers(phrases) + prohibited(phrases)
        if !phrases.isEmpty { findings += missingDisclosures(phrases) }
        return findings.sorted { ($0.offsetMs, $0.type.rawValue) < ($1.offsetMs, $1.type.rawValue) }
    }

    struct Phrase {
        var text: String
        var participant: String
        var offsetMs: Int
        var durationMs: Int
        var confidence: Double?
        var wordOffsets: [Int]?

        /// The offset of the word holding UTF-8 position `position` of ``text``, when word timings are
        /// given and the words line up one-to-one with the text's whitespace-separated words; otherwise
        /// the phrase's offset.
        func offset(atUTF8 position: Int) -> Int {
            guard let wordOffsets else { return offsetMs }
            var wordsBefore = 0, words = 0, previousIsSpace = true
            for (index, byte) in text.utf8.enumerated() {
                let isSpace = byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
                if !isSpace && previousIsSpace {
                    words += 1
                    if index <= position { wordsBefore += 1 }
                }
                previousIsSpace = isSpace
            }
            guard words == wordOffsets.count, wordsBefore > 0 else { return offsetMs }
            return offsetMs + max(0, wordOffsets[wordsBefore - 1])
        }
    }

    private func spokenNumbers(_ phrases: [Phrase]) -> [ComplianceFinding] {
        let detector = PIIDetector(kinds: [.creditCard, .usSSN, .cvv])
        var participants: [String] = []
        for phrase in phrases where !participants.contains(phrase.participant) { participants.append(phrase.participant) }
        var findings: [ComplianceFinding] = []
        for participant in participants {
            let own = phrases.filter { $0.participant == participant }
            for found in detector.findings(inPhrases: own.map(\.text)) {
                let type: ViolationType
                let what: String
                switch found.kind {
                case .creditCard:
                    type = .pciMidCapture
                    what = "spoken card number" + (found.cardNetwork.map { " (\($0))" } ?? "")
                case .usSSN:
                    type = .ssnDisclosure
                    what = "spoken SSN"
                case .cvv:
                    type = .pciCvvCapture
                    what = "spoken security code"
                default:
                    continue
                }
                guard let firstIndex = found.segments.first?.phraseIndex, firstIndex < own.count else { continue }
                let lastIndex = min(found.segments.last?.phraseIndex ?? firstIndex, own.count - 1)
                let first = own[firstIndex], last = own[lastIndex]
                let start = first.offset(atUTF8: found.segments[0].utf8Range.lowerBound)
                let end = max(last.offsetMs + last.durationMs, start)
                findings.append(ComplianceFinding(
                    type: type, source: .transcript, participant: participant, offsetMs: start,
                    durationMs: end - start, confidence: found.confidence,
                    evidence: "\(what) at \(ComplianceFinding.seconds(start)) (\(participant))"))
            }
        }
        return findings
    }

    private func prohibited(_ phrases: [Phrase]) -> [ComplianceFinding] {
        let rules = policy.prohibitedPhrases.map { ($0, Self.normalize($0)) }.filter { $0.1 != " " }
        var findings: [ComplianceFinding] = []
        for phrase in phrases {
            let text = Self.normalize(phrase.text)
            for (wording, normalized) in rules where text.contains(normalized) {
                findings.append(ComplianceFinding(
                    type: .prohibitedPhrase, source: .transcript, participant: phrase.participant,
                    offsetMs: phrase.offsetMs, durationMs: phrase.durationMs, confidence: phrase.confidence ?? 0.8,
                    evidence: "prohibited phrase \"\(wording)\" at \(ComplianceFinding.seconds(phrase.offsetMs)) "
                        + "(\(phrase.participant))"))
            }
        }
        return findings
    }

    private func missingDisclosures(_ phrases: [Phrase]) -> [ComplianceFinding] {
        var findings: [ComplianceFinding] = []
        for rule in policy.requiredDisclosures {
            let windowMs = Int((rule.withinSeconds * 1000).rounded())
            let early = phrases.filter { phrase in
                phrase.offsetMs <= windowMs && rule.participant.map { Self.sameRole($0, phrase.participant) } ?? true
            }
            // Join per participant so a disclosure split over two phrases still matches.
            var spoken: [String: [Substring]] = [:]
            for phrase in early { spoken[phrase.participant, default: []] += Self.words(phrase.text) }
            let wordings = rule.phrases.map(Self.words).filter { !$0.isEmpty }
            let satisfied = spoken.values.contains { words in
                wordings.contains { Self.contains($0, in: words, maxGap: policy.disclosureMaxWordGap) }
            }
            if !satisfied {
                let who = rule.participant ?? "any"
                findings.append(ComplianceFinding(
                    type: .missingDisclosure, source: .transcript, participant: who, offsetMs: 0, durationMs: windowMs,
                    confidence: Self.missingDisclosureConfidence,
                    evidence: "disclosure '\(rule.name)' not read within \(ComplianceFinding.seconds(windowMs)) (\(who))"))
            }
        }
        return findings
    }

    /// The words of `text`, lower-cased, letters and digits only.
    static func words(_ text: String) -> [Substring] {
        normalize(text).split(separator: " ")
    }

    /// Whether `wording` occurs in `words` in order, with at most `maxGap` other words between two
    /// consecutive words of the wording.
    static func contains(_ wording: [Substring], in words: [Substring], maxGap: Int) -> Bool {
        guard !wording.isEmpty else { return false }
        // reachable[p]: the wording so far can end at word p (linear in words × wording × gap).
        var reachable = words.map { $0 == wording[0] }
        for next in wording.dropFirst() {
            var following = [Bool](repeating: false, count: words.count)
            for position in words.indices where words[position] == next {
                let lower = max(0, position - maxGap - 1)
                following[position] = (lower..<position).contains { reachable[$0] }
            }
            reachable = following
        }
        return reachable.contains(true)
    }

    /// Lower-cased, letters and digits only, words separated by one space, padded with a space on each
    /// side (so `contains` matches whole words).
    static func normalize(_ text: String) -> String {
        var result = " "
        for character in text.lowercased() {
            if character.isLetter || character.isNumber {
                result.append(character)
            } else if result.last != " " {
                result.append(" ")
            }
        }
        if result.last != " " { result.append(" ") }
        return result
    }

    /// `internal`, `agent` and `user` are one role; `external` and `customer` another.
    static func sameRole(_ lhs: String, _ rhs: String) -> Bool {
        func role(_ value: String) -> String {
            switch value.lowercased() {
            case "internal", "agent", "user": "internal"
            case "external", "customer": "external"
            default: value.lowercased()
            }
        }
        return role(lhs) == role(rhs)
    }
}
