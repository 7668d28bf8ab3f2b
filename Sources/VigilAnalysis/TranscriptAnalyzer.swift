import VigilModels
import VigilRedaction

/// Finds violations in a Speech & Text Analytics transcript (`STATranscriptDocument`).
///
/// - **Spoken card numbers, security codes and SSNs**, found as a reviewer listening to the call would
///   (``SpokenNumberDetector`` has the rules): with the question that preceded them ("can I take the long
///   number on the front?" → the customer's next turns, within ``AnalysisPolicy/promptWindowSeconds`` and
///   ``AnalysisPolicy/promptWindowTurns``), across phrases and the other party's back-channels, through
///   recogniser output ("oh", "double four", "twenty seven", "forty one hundred", numerals, split and
///   merged groups, hesitations, "no wait" corrections, "let me start again"), and with the digits
///   around a card (a menu choice before it, an expiry, code or PIN after it) set aside. A card ⇒
///   `PCI_MID_CAPTURE`, a security code ⇒ `PCI_CVV_CAPTURE`, an SSN ⇒ `SSN_DISCLOSURE`, at the first
///   word of the number, each with ``ComplianceFinding/prompting`` saying whether it was asked for.
///   A number given in answer to one of the policy's ``AnalysisPolicy/nonPaymentNumberCues`` ("order
///   number") is not reported.
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
/// start, else 0; phrases are taken in order of offset (document order for equal offsets). A word's time
/// is its `startTimeMs` relative to the phrase's start (or to the document's), when every word of the
/// phrase has one; otherwise a number starts at its phrase's offset. Evidence never quotes the
/// transcript, only the policy's own wording.
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
        var aliases: [String: String] = [:]
        let phrases = document.allPhrases.enumerated().map { index, phrase -> Phrase in
            var offset = phrase.offset?.milliseconds
            if offset == nil, let start = phrase.startTimeMs, let base { offset = max(0, start - base) }
            let offsetMs = Int(offset ?? 0)
            return Phrase(
                text: phrase.text, participant: Self.participant(phrase.participantPurpose, aliases: &aliases),
                offsetMs: offsetMs, durationMs: Int(phrase.duration?.milliseconds ?? 0),
                confidence: phrase.confidence, order: index,
                tokens: Self.tokens(of: phrase, offsetMs: offsetMs, documentStart: base))
        }.sorted { ($0.offsetMs, $0.order) < ($1.offsetMs, $1.order) }
        var findings = spokenNumbers(phrases) + prohibited(phrases)
        if !phrases.isEmpty { findings += missingDisclosures(phrases) }
        return findings.sorted { ($0.offsetMs, $0.type.rawValue) < ($1.offsetMs, $1.type.rawValue) }
    }

    /// The participant as findings name it (``ComplianceFinding/participant``, and the evidence text):
    /// the phrase's purpose when it is a label (`external`, `agent`, `supervisor`); `unknown` when it has
    /// none. A purpose that could hold data — the transcript is text from outside, and findings are
    /// logged and sent as evidence — is `participant#1`, `participant#2`… by first appearance, so turns
    /// still tell the speakers apart (found by `PIIPropertyTests`: a purpose holding a phone number was
    /// quoted by every finding).
    static func participant(_ purpose: ParticipantPurpose?, aliases: inout [String: String]) -> String {
        guard let raw = purpose?.rawValue else { return "unknown" }
        if Loggable.isLabel(raw) { return raw }
        if let alias = aliases[raw] { return alias }
        let alias = "participant#\(aliases.count + 1)"
        aliases[raw] = alias
        return alias
    }

    struct Phrase {
        var text: String
        var participant: String
        var offsetMs: Int
        var durationMs: Int
        var confidence: Double?
        /// Position in the document.
        var order: Int
        var tokens: [SpokenNumberLexicon.Token]
    }

    /// The phrase's tokens: from its words when every word has a start time (times relative to the
    /// phrase's `startTimeMs`, else to the document's start), else from its text at the phrase's offset.
    static func tokens(of phrase: STAPhrase, offsetMs: Int, documentStart: Int64?) -> [SpokenNumberLexicon.Token] {
        let end = offsetMs + Int(phrase.duration?.milliseconds ?? 0)
        if let words = phrase.words, !words.isEmpty, words.allSatisfy({ $0.startTimeMs != nil }),
            let origin = phrase.startTimeMs.map({ ($0, offsetMs) }) ?? documentStart.map({ ($0, 0) })
        {
            return words.flatMap { word -> [SpokenNumberLexicon.Token] in
                let start = max(0, origin.1 + Int(word.startTimeMs! - origin.0))
                let wordEnd = start + Int(word.duration?.milliseconds ?? 0)
                return SpokenNumberLexicon.tokens(
                    of: word.word, timeMs: start, endMs: wordEnd,
                    confidence: word.confidence ?? phrase.confidence)
            }
        }
        return SpokenNumberLexicon.tokens(
            of: phrase.text, timeMs: offsetMs, endMs: max(end, offsetMs),
            confidence: phrase.confidence)
    }

    private func spokenNumbers(_ phrases: [Phrase]) -> [ComplianceFinding] {
        var turn = 0
        var previous: String?
        let prepared = phrases.map { phrase -> SpokenNumberDetector.Phrase in
            if let previous, previous != phrase.participant { turn += 1 }
            previous = phrase.participant
            return SpokenNumberDetector.Phrase(participant: phrase.participant, turn: turn, tokens: phrase.tokens)
        }
        return SpokenNumberDetector(policy: policy).findings(prepared)
    }

    private func prohibited(_ phrases: [Phrase]) -> [ComplianceFinding] {
        let rules = policy.prohibitedPhrases.map { ($0, Self.normalize($0)) }.filter { $0.1 != " " }
        var findings: [ComplianceFinding] = []
        for phrase in phrases {
            let text = Self.normalize(phrase.text)
            for (wording, normalized) in rules where text.contains(normalized) {
                findings.append(
                    ComplianceFinding(
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
                findings.append(
                    ComplianceFinding(
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
