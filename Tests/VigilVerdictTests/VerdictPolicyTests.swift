import Foundation
import Testing
import VigilCore
import VigilModels
import VigilTesting

@testable import VigilVerdict

@Suite("VerdictPolicy: decisions")
struct VerdictPolicyDecisionTests {
    let policy = VerdictPolicy.default
    let validator = VerdictValidator()
    let clock = TestClock()

    func decide(_ verdict: ComplianceVerdict) throws -> RemediationDecision {
        policy.decide(try validator.validate(verdict, for: Fixture.request(clock: clock)))
    }

    @Test func confidenceBandsOfTheDefaultPolicy() throws {
        let high = try decide(Fixture.verdict(type: .prohibitedPhrase, confidence: 0.90, action: nil))
        #expect(high.action == .routeToComplianceQueue)
        #expect(high.priority == .high)
        #expect(high.ruleId == "violation-high")
        #expect(high.policyId == "vigil-default-1")
        let top = try decide(Fixture.verdict(type: .prohibitedPhrase, confidence: 1.0, action: nil))
        #expect(top.ruleId == "violation-high")  // 1 is inside the last range
        let medium = try decide(Fixture.verdict(type: .prohibitedPhrase, confidence: 0.899, action: nil))
        #expect(medium.action == .humanReview)
        #expect(medium.ruleId == "violation-medium")
        let low = try decide(Fixture.verdict(type: .prohibitedPhrase, confidence: 0.59, action: nil))
        #expect(low.action == .recordOnly)
        #expect(low.ruleId == "violation-low")
    }

    @Test func theMostSpecificGroupWins() throws {
        let pci = try decide(Fixture.verdict(type: .pciMidCapture, confidence: 0.85, action: nil))
        #expect(pci.ruleId == "pci-high")
        let generic = try decide(Fixture.verdict(type: .missingDisclosure, confidence: 0.85, action: nil))
        #expect(generic.ruleId == "violation-medium")
    }

    @Test func recommendationFollowedOverriddenOrAdopted() throws {
        let followed = try decide(Fixture.verdict(type: .prohibitedPhrase, confidence: 0.95, action: .routeToComplianceQueue))
        #expect(followed.followedRecommendation)
        #expect(!followed.adoptedRecommendation)

        let overridden = try decide(Fixture.verdict(type: .prohibitedPhrase, confidence: 0.30, action: .routeToComplianceQueue))
        #expect(overridden.action == .recordOnly)
        #expect(!overridden.followedRecommendation)
        #expect(overridden.recommendedAction == .routeToComplianceQueue)

        let adopted = try decide(Fixture.verdict(type: .prohibitedPhrase, confidence: 0.70, action: .routeToComplianceQueue))
        #expect(adopted.action == .routeToComplianceQueue)
        #expect(adopted.followedRecommendation)
        #expect(adopted.adoptedRecommendation)
        #expect(adopted.ruleId == "violation-medium")

        let none = try decide(Fixture.verdict(type: .prohibitedPhrase, confidence: 0.95, action: nil))
        #expect(!none.followedRecommendation)
    }

    @Test func unknownValuesAreNeverHandledBelowHumanReview() throws {
        let unknownType = try decide(Fixture.verdict(type: .other("GDPR_CONSENT"), confidence: 0.2, action: nil))
        #expect(unknownType.action == .humanReview)
        #expect(unknownType.escalatedForReview)
        #expect(unknownType.reviewReasons == [.unknownViolationType])
        let unknownVerdict = try decide(Fixture.verdict(verdict: .other("MAYBE"), type: nil, confidence: 0.99, action: nil))
        #expect(unknownVerdict.ruleId == "fallback")
        #expect(unknownVerdict.action == .humanReview)
        let contradiction = try decide(
            Fixture.verdict(
                verdict: .compliant, type: .pciMidCapture, confidence: 0.99,
                action: RecommendedAction.none))
        #expect(contradiction.action == .humanReview)
        #expect(contradiction.escalatedForReview)
        #expect(!contradiction.followedRecommendation)
        // A stronger action is kept, not lowered to review.
        let strong = try decide(Fixture.verdict(type: .other("GDPR_CONSENT"), confidence: 0.95, action: nil))
        #expect(strong.action == .routeToComplianceQueue)
        #expect(!strong.escalatedForReview)
    }

    @Test func compliantAndInconclusive() throws {
        let clean = try decide(
            Fixture.verdict(
                verdict: .compliant, type: nil, confidence: 0.97, evidence: nil,
                action: RecommendedAction.none))
        #expect(clean.action == .none)
        #expect(clean.followedRecommendation)
        let inconclusive = try decide(Fixture.verdict(verdict: .inconclusive, type: nil, confidence: 0.5, action: nil))
        #expect(inconclusive.action == .humanReview)
        #expect(inconclusive.ruleId == "inconclusive")
    }
}

@Suite("VerdictPolicy: malformed policy files are rejected with the line")
struct VerdictPolicyLoadingTests {
    static let valid = """
        {
          "policyVersion": 1,
          "id": "test",
          "rules": [
            { "id": "a", "verdict": "VIOLATION_DETECTED",
              "minConfidence": 0.5, "maxConfidence": 1, "action": "HUMAN_REVIEW" },
            { "id": "b", "verdict": "VIOLATION_DETECTED",
              "minConfidence": 0, "maxConfidence": 0.5, "action": "RECORD_ONLY" }
          ],
          "fallback": { "action": "HUMAN_REVIEW" }
        }
        """

    func loadError(_ json: String) -> VerdictPolicyError? {
        do {
            _ = try VerdictPolicy(json: json)
            return nil
        } catch {
            return error
        }
    }

    func expectError(
        _ json: String, _ code: VerdictPolicyError.Code, line: Int, column: Int? = nil,
        path: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let error = loadError(json)
        #expect(error?.code == code, sourceLocation: sourceLocation)
        #expect(error?.line == line, "\(String(describing: error))", sourceLocation: sourceLocation)
        if let column { #expect(error?.column == column, sourceLocation: sourceLocation) }
        if let path { #expect(error?.path == path, sourceLocation: sourceLocation) }
    }

    @Test func theValidFileAndTheDefaultLoad() throws {
        let policy = try VerdictPolicy(json: Self.valid)
        #expect(policy.rules.map(\.id) == ["a", "b"])
        #expect(policy.fallbackAction == .humanReview)
        #expect(policy.fallbackPriority == .normal)
        #expect(VerdictPolicy.default.rules.count == 15)
    }

    @Test func unknownKeyIsReportedAtItsLineAndColumn() {
        let json = Self.valid.replacingOccurrences(of: #""minConfidence": 0, "#, with: #""minConfidance": 0, "#)
        expectError(json, .unknownKey, line: 8, column: 7, path: "rules[1].minConfidance")
        expectError(
            Self.valid.replacingOccurrences(of: #""id": "test","#, with: #""id": "test", "owner": "x","#),
            .unknownKey, line: 3, column: 17, path: "owner")
        expectError(
            Self.valid.replacingOccurrences(
                of: #"{ "action": "HUMAN_REVIEW" }"#,
                with: #"{ "action": "HUMAN_REVIEW", "queue": "q" }"#),
            .unknownKey, line: 10, path: "fallback.queue")
        // Found by the verdict-policy fuzz harness: an unknown key holding a card number was quoted.
        let card = Self.valid.replacingOccurrences(of: #""minConfidence": 0, "#, with: #""min4111111111111111": 0, "#)
        expectError(card, .unknownKey, line: 8, column: 7, path: "rules[1].<name>")
        #expect(loadError(card)?.description.contains("4111") == false)
    }

    @Test func thresholdsOutsideZeroOne() {
        expectError(
            Self.valid.replacingOccurrences(of: #""maxConfidence": 1,"#, with: #""maxConfidence": 1.2,"#),
            .thresholdOutOfRange, line: 6, column: 46, path: "rules[0].maxConfidence")
        expectError(
            Self.valid.replacingOccurrences(of: #""minConfidence": 0,"#, with: #""minConfidence": -0.1,"#),
            .thresholdOutOfRange, line: 8)
    }

    @Test func overlappingRangesForTheSameViolationType() {
        let json = Self.valid.replacingOccurrences(of: #""minConfidence": 0.5,"#, with: #""minConfidence": 0.4,"#)
        expectError(json, .overlappingRanges, line: 6, path: "rules[0].minConfidence")
    }

    @Test func gappedRangesForTheSameViolationType() {
        expectError(
            Self.valid.replacingOccurrences(of: #""minConfidence": 0.5,"#, with: #""minConfidence": 0.6,"#),
            .gappedRanges, line: 6, path: "rules[0].minConfidence")
        expectError(
            Self.valid.replacingOccurrences(of: #""maxConfidence": 1,"#, with: #""maxConfidence": 0.9,"#),
            .gappedRanges, line: 6, path: "rules[0].maxConfidence")
        expectError(
            Self.valid.replacingOccurrences(of: #""minConfidence": 0, "#, with: #""minConfidence": 0.1, "#),
            .gappedRanges, line: 8, path: "rules[1].minConfidence")
    }

    @Test func differentViolationTypesAreSeparateGroups() throws {
        let json = Self.valid.replacingOccurrences(
            of: #"{ "id": "b", "verdict": "VIOLATION_DETECTED","#,
            with: #"{ "id": "b", "verdict": "VIOLATION_DETECTED", "violationType": "SSN_DISCLOSURE","#)
        // Now each group has a gap: "a" covers only 0.5–1 of VIOLATION_DETECTED / *.
        expectError(json, .gappedRanges, line: 6, path: "rules[0].minConfidence")
    }

    @Test func unknownActionPriorityAndVerdictNames() {
        expectError(
            Self.valid.replacingOccurrences(of: #""action": "RECORD_ONLY""#, with: #""action": "ESCALATE""#),
            .unknownAction, line: 8, path: "rules[1].action")
        expectError(
            Self.valid.replacingOccurrences(of: #"{ "action": "HUMAN_REVIEW" }"#, with: #"{ "action": "PAGE_SOMEONE" }"#),
            .unknownAction, line: 10, path: "fallback.action")
        expectError(
            Self.valid.replacingOccurrences(
                of: #""action": "RECORD_ONLY""#,
                with: #""action": "RECORD_ONLY", "priority": "URGENT""#),
            .unknownPriority, line: 8)
        expectError(
            Self.valid.replacingOccurrences(
                of: #""action": "RECORD_ONLY""#,
                with: #""action": "RECORD_ONLY", "acceptRecommendations": ["HUMAN_REVIEW", "NUKE"]"#),
            .unknownAction, line: 8, path: "rules[1].acceptRecommendations[1]")
        expectError(
            Self.valid.replacingOccurrences(
                of: #"{ "id": "a", "verdict": "VIOLATION_DETECTED","#,
                with: #"{ "id": "a", "verdict": "VIOLATION","#),
            .unknownVerdict, line: 5, path: "rules[0].verdict")
        expectError(
            Self.valid.replacingOccurrences(
                of: #"{ "id": "a", "verdict": "VIOLATION_DETECTED","#,
                with: #"{ "id": "a", "verdict": "VIOLATION_DETECTED", "violationType": "pci mid","#),
            .invalidViolationType, line: 5)
        // Found by the verdict-policy fuzz harness: a type holding a card number was quoted by the
        // range errors. Types are labels (fewer than 6 digits) and ids identifiers (fewer than 9), as
        // decisions carry them.
        let cardType = Self.valid.replacingOccurrences(
            of: #"{ "id": "a", "verdict": "VIOLATION_DETECTED","#,
            with: #"{ "id": "a", "verdict": "VIOLATION_DETECTED", "violationType": "PCI_4111111111111111","#)
        expectError(cardType, .invalidViolationType, line: 5)
        #expect(loadError(cardType)?.description.contains("4111") == false)
        expectError(
            Self.valid.replacingOccurrences(of: #"{ "id": "b","#, with: #"{ "id": "call 415 555 0123","#),
            .invalidRuleId, line: 7)
        expectError(
            Self.valid.replacingOccurrences(of: #""id": "test","#, with: #""id": "policy-4111111111111111","#),
            .invalidRuleId, line: 3)
        #expect(loadError(Self.valid.replacingOccurrences(of: #""id": "test","#, with: #""id": "acme-2026-05","#)) == nil)
    }

    @Test func structuralProblems() {
        expectError(
            Self.valid.replacingOccurrences(
                of: #""minConfidence": 0.5, "maxConfidence": 1"#,
                with: #""minConfidence": 0.5, "maxConfidence": 0.5"#),
            .emptyRange, line: 6)
        expectError(
            Self.valid.replacingOccurrences(of: #"{ "id": "b","#, with: #"{ "id": "a","#),
            .duplicateRuleId, line: 7, path: "rules[1].id")
        expectError(
            Self.valid.replacingOccurrences(of: #""policyVersion": 1,"#, with: #""policyVersion": 2,"#),
            .unsupportedVersion, line: 2, column: 20)
        expectError(
            Self.valid.replacingOccurrences(of: #""policyVersion": 1,"#, with: #""policyVersion": "1","#),
            .wrongType, line: 2)
        expectError(
            Self.valid.replacingOccurrences(of: #", "action": "RECORD_ONLY" }"#, with: " }"),
            .missingKey, line: 7, path: "rules[1].action")
        expectError(
            Self.valid.replacingOccurrences(of: #""id": "test","#, with: #""id": "test", "id": "again","#),
            .syntax, line: 3, column: 17)
        expectError(
            Self.valid.replacingOccurrences(of: #""RECORD_ONLY" }"#, with: #""RECORD_ONLY" },"#),
            .syntax, line: 9)
        expectError("{\n  \"policyVersion\": 1,\n  \"rules\": [\n", .syntax, line: 4)
        expectError(Self.valid + "\n{}", .syntax, line: 12)
        // The shared I-JSON reader: a byte order mark and a key named twice (even in another case) are refused.
        expectError("\u{FEFF}" + Self.valid, .syntax, line: 1)
        expectError(
            Self.valid.replacingOccurrences(of: #""policyVersion": 1,"#, with: #""policyVersion": 1, "PolicyVersion": 1,"#),
            .syntax, line: 2)
        expectError(
            Self.valid.replacingOccurrences(of: #"{ "id": "b","#, with: #"{ "id": "fallback","#),
            .invalidRuleId, line: 7)
    }

    @Test func positionsCountLinesFromByteOffsets() {
        let bytes = Array("ab\ncd\n\nefg".utf8)
        #expect(StrictJSON.lineAndColumn(of: 0, in: bytes) == (1, 1))
        #expect(StrictJSON.lineAndColumn(of: 4, in: bytes) == (2, 2))
        #expect(StrictJSON.lineAndColumn(of: 7, in: bytes) == (4, 1))
    }

    @Test func parserHandlesEscapesAndNumbers() throws {
        let value = try StrictJSON.parse(Array(#"{"a": "x\"\u00e9\ud83d\ude00", "b": [-1.5e2, 0, true, null]}"#.utf8))
        guard case let .object(members, _) = value, case let .string(text, _) = members[0].value,
            case let .array(items, _) = members[1].value, case let .number(number, _) = items[0]
        else {
            Issue.record("unexpected shape")
            return
        }
        #expect(text == "x\"é😀")
        #expect(number == -150)
        for bad in ["[01]", "[1.]", "{\"a\" 1}", "\"\\ud800\"", "[1,]", "\"tab\there\""] {
            #expect(throws: ModelDecodingError.self) { try StrictJSON.parse(Array(bad.utf8)) }
        }
    }

    @Test func unreadableFile() {
        #expect(throws: VerdictPolicyError.self) {
            try VerdictPolicy(contentsOf: URL(fileURLWithPath: "/nonexistent/policy.json"))
        }
    }
}
