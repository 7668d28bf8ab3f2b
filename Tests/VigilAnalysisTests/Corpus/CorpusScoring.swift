import Foundation
import VigilAnalysis
import VigilModels
import VigilRedaction

/// Scores findings against a corpus's ground truth: a finding matches an expected one of the same
/// type and participant whose offset is within ``tolerance`` ms; each expected finding is matched once.
struct CorpusScore {
    static let tolerance = 1000
    static let scoredTypes: [ViolationType] = [.pciMidCapture, .pciCvvCapture, .ssnDisclosure]

    struct Tally {
        var expected = 0, found = 0, falsePositives = 0
        var recall: Double { expected == 0 ? 1 : Double(found) / Double(expected) }
        var precision: Double { found + falsePositives == 0 ? 1 : Double(found) / Double(found + falsePositives) }
    }

    /// Per rule (the case's rule and source) and finding type.
    var tallies: [String: Tally] = [:]
    var casesPerRule: [CorpusCase.Rule: (positives: Int, negatives: Int, negativesFlagged: Int)] = [:]
    /// What went wrong, case by case, for the failure message.
    var misses: [String] = []
    var falseAlarms: [String] = []
    var flaggedNegatives: [String] = []
    /// Findings of other types (e.g. missing disclosures): there should be none.
    var otherFindings = 0

    static func key(_ type: ViolationType, keyed: Bool) -> String {
        let rule =
            switch type {
            case .pciMidCapture: "card number"
            case .pciCvvCapture: "security code"
            default: "SSN"
            }
        return "\(rule) (\(keyed ? "DTMF" : "spoken"))"
    }

    mutating func score(_ corpusCase: CorpusCase, _ findings: [ComplianceFinding]) {
        let keyed = corpusCase.document == nil
        var remaining = corpusCase.expected
        var unmatched: [ComplianceFinding] = []
        for finding in findings {
            guard Self.scoredTypes.contains(finding.type) else {
                otherFindings += 1
                continue
            }
            if let index = remaining.firstIndex(where: {
                $0.type == finding.type && $0.participant == finding.participant
                    && abs($0.offsetMs - finding.offsetMs) <= Self.tolerance
            }) {
                remaining.remove(at: index)
                tallies[Self.key(finding.type, keyed: keyed), default: Tally()].found += 1
            } else {
                unmatched.append(finding)
                tallies[Self.key(finding.type, keyed: keyed), default: Tally()].falsePositives += 1
            }
        }
        for expected in corpusCase.expected {
            tallies[Self.key(expected.type, keyed: keyed), default: Tally()].expected += 1
        }
        var counts = casesPerRule[corpusCase.rule] ?? (0, 0, 0)
        if corpusCase.hardNegative {
            counts.negatives += 1
            if !unmatched.isEmpty {
                counts.negativesFlagged += 1
                flaggedNegatives.append(Self.explain(corpusCase, findings))
            }
        } else {
            counts.positives += 1
            if !remaining.isEmpty { misses.append(Self.explain(corpusCase, findings, missing: remaining)) }
            if !unmatched.isEmpty { falseAlarms.append(Self.explain(corpusCase, findings)) }
        }
        casesPerRule[corpusCase.rule] = counts
    }

    static func explain(
        _ corpusCase: CorpusCase, _ findings: [ComplianceFinding],
        missing: [ExpectedFinding] = []
    ) -> String {
        "\(corpusCase.id) [\(corpusCase.family)]"
            + (missing.isEmpty ? "" : " missing \(missing)")
            + " found \(findings.map { "\($0.type.rawValue) by \($0.participant) at \($0.offsetMs) ms" })\n"
            + corpusCase.transcript
    }

    /// The Markdown table for `Documentation/transcript-detection.md`.
    func markdown(cases: [CorpusCase]) -> String {
        var lines = [
            "| Rule | Cases (positive / hard negative) | Violations expected | Found | Recall | False positives | Precision | Hard negatives flagged |",
            "|---|---|---|---|---|---|---|---|"
        ]
        for rule in CorpusCase.Rule.allCases {
            let counts = casesPerRule[rule] ?? (0, 0, 0)
            let name = rule.rawValue
            let tally = tallies[name] ?? Tally()
            lines.append(
                "| \(name) | \(counts.positives) / \(counts.negatives) | \(tally.expected) | \(tally.found) | "
                    + "\(Self.format(tally.recall)) | \(tally.falsePositives) | \(Self.format(tally.precision)) | "
                    + "\(counts.negativesFlagged) of \(counts.negatives) |")
        }
        let total = cases.count, positives = cases.filter { !$0.hardNegative }.count
        lines.append("")
        lines.append(
            "\(total) cases (\(positives) positive, \(total - positives) hard negative; "
                + "\(cases.filter { $0.document != nil }.count) transcripts, \(cases.filter { $0.document == nil }.count) keyed). "
                + "A violation counts as found when a finding of its type, by its participant, starts within "
                + "\(Self.tolerance) ms of where the number starts. Rows are by the finding's rule; a case's code or card "
                + "found alongside counts in that rule's row.")
        return lines.joined(separator: "\n")
    }

    static func format(_ value: Double) -> String { String(format: "%.3f", value) }
}
