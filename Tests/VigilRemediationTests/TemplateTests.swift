import Testing
import VigilModels

@testable import VigilRemediation

@Suite("RemediationTemplate")
struct TemplateTests {
    let values = RemediationValues(verdict: makeVerdict(), context: makeContext())

    @Test func everyPlaceholderResolvesFromTheVerdictAndContext() throws {
        let template = try RemediationTemplate(
            "{data.violationType}|{data.recordingId}|{data.confidenceScore}|{data.timestampOffsetMs}|"
                + "{data.correlationId}|{data.conversationId}|{data.verdict}|{data.recommendedAction}")
        #expect(
            template.resolve(values) == "PCI_MID_CAPTURE|a1b2c3d4-e5f6-7890-abcd-ef1234567890|0.94|124500|"
                + "evt-sub-req-8847291|2f7bf00a-0fc2-4d6a-9b56-92238191433e|VIOLATION_DETECTED|ROUTE_TO_COMPLIANCE_QUEUE")
        #expect(template.placeholders == Set(RemediationTemplate.Placeholder.allCases))
    }

    @Test func absentVerdictFieldsResolveToFixedValues() throws {
        let sparse = RemediationValues(
            verdict: makeVerdict(
                verdict: .inconclusive, type: nil, confidence: 1, offset: nil,
                action: nil), context: makeContext())
        let template = try RemediationTemplate("{data.violationType} {data.timestampOffsetMs} {data.confidenceScore} {data.recommendedAction}")
        #expect(template.resolve(sparse) == "NONE 0 1 NONE")
    }

    @Test func confidenceIsFormattedWithAtMostFourDecimals() {
        #expect(RemediationValues.format(0.94) == "0.94")
        #expect(RemediationValues.format(0.123456) == "0.1235")
        #expect(RemediationValues.format(0) == "0")
        #expect(RemediationValues.format(0.5) == "0.5")
    }

    @Test func bracesEscapeAndParametersSubstituteAtLoad() throws {
        let template = try RemediationTemplate("{{literal}} {params.queue} {data.verdict}", parameters: ["queue": "q-1"])
        #expect(template.resolve(values) == "{literal} q-1 VIOLATION_DETECTED")
        #expect(template.placeholders == [.verdict])
    }

    @Test func resolvedTextIsCutOnACharacterBoundary() throws {
        let template = try RemediationTemplate(String(repeating: "é", count: 10) + "👍👍")
        #expect(template.resolve(values, maxLength: 11) == String(repeating: "é", count: 10))
        #expect(template.resolve(values, maxLength: 12) == String(repeating: "é", count: 10) + "👍")
    }

    @Test func malformedTemplatesAreRejected() {
        #expect(throws: RemediationFlowError.self) { try RemediationTemplate("a } b") }
        #expect(throws: RemediationFlowError.self) { try RemediationTemplate("{data.verdict") }
        #expect(throws: RemediationFlowError.self) { try RemediationTemplate("{recordingId}") }
        #expect(throws: RemediationFlowError.self) { try RemediationTemplate("{params.missing}") }
    }
}
