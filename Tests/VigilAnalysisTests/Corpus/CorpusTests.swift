import Foundation
import Testing
import VigilAnalysis
import VigilCore
import VigilModels
import VigilRedaction

/// Precision and recall of the reference engine's rules on a generated corpus (issue 11 §4): a few
/// hundred transcripts (turn patterns × recogniser spellings × noise) and keyed digit sequences with
/// known ground truth, including hard negatives. `VIGIL_CORPUS_REPORT=path` writes the Markdown table
/// that `Documentation/transcript-detection.md` §5 quotes.
@Suite("Detection corpus")
struct CorpusTests {
    /// The corpus's seed; `VIGIL_CORPUS_SEED` draws another corpus of the same design (a held-out check
    /// of rules tuned on this one).
    static let seed: UInt64 = ProcessInfo.processInfo.environment["VIGIL_CORPUS_SEED"].flatMap { UInt64($0) } ?? 2026_12_03

    static let corpus: [CorpusCase] = {
        var spoken = SpokenCorpus(seed: seed)
        spoken.cardPositives(repetitions: 3)
        spoken.codePositives(repetitions: 3)
        spoken.ssnPositives(repetitions: 3)
        spoken.cardNegatives()
        spoken.ssnNegatives()
        spoken.codeNegatives()
        var keyed = KeyedCorpus(seed: seed &+ 7)
        keyed.positives()
        keyed.negatives()
        return spoken.cases + keyed.cases
    }()

    static func findings(_ corpusCase: CorpusCase) -> [ComplianceFinding] {
        if let document = corpusCase.document { return TranscriptAnalyzer().findings(in: document) }
        return DTMFFindingAnalyzer.findings(in: corpusCase.keyed)
    }

    static let score: CorpusScore = {
        var score = CorpusScore()
        for corpusCase in corpus { score.score(corpusCase, findings(corpusCase)) }
        return score
    }()

    @Test func theCorpusIsTheSizeItClaims() {
        let spoken = Self.corpus.filter { $0.document != nil }
        #expect(spoken.count >= 400)
        #expect(spoken.filter { !$0.hardNegative }.count >= 250)
        #expect(spoken.filter(\.hardNegative).count >= 120)
        #expect(Self.corpus.filter { $0.document == nil }.count >= 100)
        for rule in CorpusCase.Rule.allCases {
            #expect(Self.corpus.contains { $0.rule == rule && !$0.hardNegative }, "\(rule)")
            #expect(Self.corpus.contains { $0.rule == rule && $0.hardNegative }, "\(rule)")
        }
        // Every spelling, turn pattern and noise is in the corpus.
        for spelling in Spelling.allCases {
            #expect(spoken.contains { $0.family.contains(" \(spelling.rawValue) ") }, "\(spelling)")
        }
        for noise in SpokenCorpus.Noise.allCases { #expect(spoken.contains { $0.family.contains(" · \(noise.rawValue)") }, "\(noise)") }
        #expect(spoken.contains { $0.document!.transcripts[0].phrases.contains { $0.words != nil } })
        #expect(spoken.contains { $0.document!.transcripts[0].phrases.allSatisfy { $0.words == nil } })
    }

    /// The ground truth rests on the renderer: every spelling must read back to its digits.
    @Test func renderingsKeepTheirDigits() {
        var renderer = DigitRenderer(rng: SplitMix64(seed: 5))
        for spelling in Spelling.allCases where [.groupedNumerals, .oneNumeral, .splitNumerals].contains(spelling) {
            let groups = renderer.groups(of: "4111111111111111", layout: [4, 4, 4, 4], spelling)
            #expect(groups.flatMap { $0 }.joined() == "4111111111111111", "\(spelling)")
        }
        #expect(renderer.render("4111", .repeats) == ["four", "triple", "one"])
        #expect(renderer.render("0527", .pairs) == ["oh", "five", "twenty", "seven"])
        #expect(renderer.render("10", .pairs) == ["ten"])
        #expect(renderer.render("9059", .pairs) == ["nine", "oh", "fifty", "nine"])
        #expect(CorpusNumbers.luhnCompleted("411111111111111") == "4111111111111111")
        #expect(CorpusNumbers.holdsACard("9" + "4111111111111111" + "9"))
        #expect(!CorpusNumbers.holdsACard("4111111111111112"))
        #expect(CorpusNumbers.publishedCards.allSatisfy { PaymentCard.isValid(Array($0.utf8)) })
    }

    @Test func recallIsAtLeast99PercentPerRule() {
        for (rule, tally) in Self.score.tallies.sorted(by: { $0.key < $1.key }) {
            #expect(tally.recall >= 0.99, "\(rule): \(tally.found) of \(tally.expected)")
        }
        #expect(Self.score.misses.isEmpty, "\(Self.score.misses.count) missed:\n\(Self.score.misses.prefix(15).joined(separator: "\n\n"))")
    }

    @Test func noHardNegativeIsFlagged() {
        #expect(
            Self.score.flaggedNegatives.isEmpty,
            "\(Self.score.flaggedNegatives.count) flagged:\n\(Self.score.flaggedNegatives.prefix(15).joined(separator: "\n\n"))")
    }

    @Test func positivesHoldNothingButTheirViolations() {
        #expect(
            Self.score.falseAlarms.isEmpty,
            "\(Self.score.falseAlarms.count) extra:\n\(Self.score.falseAlarms.prefix(15).joined(separator: "\n\n"))")
        #expect(Self.score.otherFindings == 0)
    }

    @Test func theReportIsWrittenWhenAsked() throws {
        let table = Self.score.markdown(cases: Self.corpus)
        #expect(table.contains("| card number (spoken) |"))
        guard let path = ProcessInfo.processInfo.environment["VIGIL_CORPUS_REPORT"] else { return }
        let details =
            (["", "Missed:"] + Self.score.misses + ["", "Extra findings on positives:"] + Self.score.falseAlarms
            + ["", "Hard negatives flagged:"] + Self.score.flaggedNegatives).joined(separator: "\n\n")
        try (table + "\n" + (ProcessInfo.processInfo.environment["VIGIL_CORPUS_DETAILS"] == nil ? "" : details))
            .write(toFile: path, atomically: true, encoding: .utf8)
    }
}
