import VigilAnalysis
import VigilModels

/// A violation a reviewer would flag in a corpus transcript: the finding type, who said it, and where
/// the number starts (milliseconds from the start of the recording).
struct ExpectedFinding: Hashable, CustomStringConvertible {
    let type: ViolationType
    let participant: String
    let offsetMs: Int

    var description: String { "\(type.rawValue) by \(participant) at \(offsetMs) ms" }
}

/// One generated transcript with its ground truth.
struct CorpusCase {
    /// The rule the case exercises: a positive for it, or a hard negative aimed at it.
    enum Rule: String, CaseIterable {
        case card = "card number (spoken)"
        case securityCode = "security code (spoken)"
        case ssn = "SSN (spoken)"
        case keyedCard = "card number (DTMF)"
        case keyedCode = "security code (DTMF)"
        case keyedSSN = "SSN (DTMF)"
    }

    let id: String
    let rule: Rule
    /// What varies: turn pattern · spelling · noise.
    let family: String
    let hardNegative: Bool
    let expected: [ExpectedFinding]
    /// The transcript (spoken cases) or keyed digit events (DTMF cases).
    let document: STATranscriptDocument?
    let keyed: [DTMFDigitEvent]
    /// The conversation as readable lines, for failure messages (test numbers only, never real PII).
    let transcript: String
}

/// Builds a conversation turn by turn, with or without word timings, keeping the clock.
struct ConversationBuilder {
    struct Turn {
        let who: String
        let tokens: [String]
        let ms: Int
        /// Per-token recogniser confidence (word timings present) or `nil` (text only).
        let confidences: [Double]?
    }

    static let wordMs = 380
    static let recordingStart: Int64 = 1_764_000_000_000

    private(set) var turns: [Turn] = []
    private(set) var clockMs = 0
    let timed: Bool

    init(timed: Bool) {
        self.timed = timed
        say("internal", ["thank", "you", "for", "calling,", "this", "call", "may", "be", "recorded"])
    }

    /// Adds a turn; returns the offset of the token at `mark` (the turn's offset without word timings,
    /// where the analyser can only know the phrase's start).
    @discardableResult
    mutating func say(_ who: String, _ tokens: [String], mark: Int = 0, lowConfidence: Set<Int> = []) -> Int {
        guard !tokens.isEmpty else { return clockMs }
        let start = clockMs
        let confidences = timed ? tokens.indices.map { lowConfidence.contains($0) ? 0.45 : 0.93 } : nil
        turns.append(Turn(who: who, tokens: tokens, ms: start, confidences: confidences))
        clockMs += tokens.count * Self.wordMs + 700
        return timed ? start + mark * Self.wordMs : start
    }

    var document: STATranscriptDocument {
        STATranscriptDocument(transcripts: [
            STATranscript(
                phrases: turns.map { turn in
                    var phrase = STAPhrase(
                        text: turn.tokens.joined(separator: " "),
                        participantPurpose: ParticipantPurpose(rawValue: turn.who),
                        offset: STADuration(milliseconds: Int64(turn.ms)))
                    if let confidences = turn.confidences {
                        let start = Self.recordingStart + Int64(turn.ms)
                        phrase.startTimeMs = start
                        phrase.words = turn.tokens.enumerated().map { index, token in
                            STAWord(
                                word: token, confidence: confidences[index],
                                startTimeMs: start + Int64(index * Self.wordMs), duration: STADuration(milliseconds: 300))
                        }
                    }
                    return phrase
                })
        ])
    }

    var transcript: String {
        turns.map { "[\($0.ms) ms] \($0.who): \($0.tokens.joined(separator: " "))" }.joined(separator: "\n")
    }
}
