// The three operator-written documents, on fuzzed bytes. Invariants:
//
// verdict-policy: every refusal is a `VerdictPolicyError` whose renderings hold no 6-digit run of the
// input. A loaded policy partitions [0, 1] for each (verdict, type) pair it has rules for: for every
// confidence on a grid (and at every rule's bounds) `decide` picks a rule of that pair whose range
// holds the confidence — never the fallback, never a rule of another pair. A verdict that needs a
// person is never decided below HUMAN_REVIEW.
//
// analysis-policy: refusals hold no 6-digit run of the input; a loaded policy survives an encode and
// decode unchanged.
//
// remediation-flow: refusals hold no card number or SSN of the input (they quote block ids, which
// are the operator's names of 1–64 characters from `A–Z a–z 0–9 _ - .`, and nothing of another
// shape); a loaded flow loads the same from the same bytes (loading is a function of its input).
import Foundation
import VigilAnalysis
import VigilModels
import VigilRemediation
import VigilVerdict

func fuzzVerdictPolicy(_ buffer: UnsafeBufferPointer<UInt8>) {
    let bytes = Array(buffer), runs = digitRuns(in: bytes)
    let policy: VerdictPolicy
    do {
        policy = try VerdictPolicy(json: bytes)
    } catch {
        for text in renderings(of: error) { checkNoDigits(text, from: runs, in: "a verdict policy error") }
        return
    }
    let grid = (0...20).map { Double($0) / 20 } + policy.rules.flatMap { [$0.minConfidence, $0.maxConfidence] }
    for rule in policy.rules {
        let pair = policy.rules.filter { $0.verdict == rule.verdict && $0.violationType == rule.violationType }
        for confidence in grid where (0...1).contains(confidence) {
            let verdict = ComplianceVerdict(
                recordingId: fuzzRecordingId, verdict: rule.verdict ?? .violationDetected,
                violationType: rule.violationType, confidenceScore: confidence,
                correlationId: fuzzCorrelationId)
            guard let validated = try? VerdictValidator().validate(verdict, for: fuzzRequest) else { continue }
            let decision = policy.decide(validated)
            if rule.verdict != nil, rule.violationType != nil {
                guard let chosen = pair.first(where: { $0.id == decision.ruleId }) else {
                    violated("a confidence of a covered pair fell to \(decision.ruleId == "fallback" ? "the fallback" : "another pair")")
                }
                let inRange =
                    confidence >= chosen.minConfidence
                    && (confidence < chosen.maxConfidence || (chosen.maxConfidence == 1 && confidence == 1))
                guard inRange else { violated("the chosen rule's range does not hold the confidence") }
            }
            if validated.requiresHumanReview && decision.action < .humanReview {
                violated("a verdict that needs a person was decided below HUMAN_REVIEW")
            }
        }
    }
}

func fuzzAnalysisPolicy(_ buffer: UnsafeBufferPointer<UInt8>) {
    let bytes = Array(buffer), runs = digitRuns(in: bytes)
    let policy: AnalysisPolicy
    do {
        policy = try AnalysisPolicy.decode(from: bytes)
    } catch {
        for text in renderings(of: error) { checkNoDigits(text, from: runs, in: "an analysis policy error") }
        return
    }
    guard let encoded = try? VigilJSON.encodeBytes(policy) else { violated("a loaded analysis policy does not encode") }
    guard let again = try? AnalysisPolicy.decode(from: encoded), again == policy else {
        violated("an analysis policy changed through encode and decode")
    }
}

func fuzzRemediationFlow(_ buffer: UnsafeBufferPointer<UInt8>) {
    let bytes = Data(buffer), secrets = plantedSecrets(in: Array(buffer))
    let options = RemediationFlow.LoadOptions(
        parameters: ["queueId": "queue-a", "worktypeId": "worktype-a"],
        dataTableIDs: ["compliance_work_items_dataset": "dt-42"])
    let flow: RemediationFlow
    do {
        flow = try RemediationFlow(json: bytes, options: options)
    } catch {
        for text in renderings(of: error) { checkNoSecrets(text, secrets, in: "a remediation flow error") }
        return
    }
    guard (try? RemediationFlow(json: bytes, options: options)) == flow else { violated("a flow loaded differently twice") }
}
