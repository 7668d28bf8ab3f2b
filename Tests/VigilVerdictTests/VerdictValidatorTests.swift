import Foundation
import Testing
import VigilCore
import VigilModels
import VigilTesting

@testable import VigilVerdict

@Suite("VerdictValidator: every rule has a failing case")
struct VerdictValidatorTests {
    let clock = TestClock()
    var request: ComplianceRequest { Fixture.request(clock: clock) }
    let validator = VerdictValidator()

    func code(_ verdict: ComplianceVerdict, request: ComplianceRequest? = nil) -> VerdictValidationError.Code? {
        do {
            _ = try validator.validate(verdict, for: request ?? self.request)
            return nil
        } catch {
            return error.code
        }
    }

    @Test func theSeedVerdictPasses() throws {
        let validated = try validator.validate(Fixture.verdict(), for: request)
        #expect(validated.reviewReasons.isEmpty)
        #expect(!validated.requiresHumanReview)
    }

    @Test func spoofedRecordingIdIsRejectedAndNamesBothIds() throws {
        let other = GenesysID.random()
        do {
            _ = try validator.validate(Fixture.verdict(recordingId: other), for: request)
            Issue.record("must reject")
        } catch {
            #expect(error.code == .recordingMismatch)
            #expect(error.isIdentityMismatch)
            #expect(error.recordingId == Fixture.recordingId)
            #expect(error.reportedRecordingId == other)
            #expect(error.description.contains(other.rawValue))
        }
    }

    @Test func spoofedCorrelationIdIsRejected() {
        #expect(code(Fixture.verdict(correlationId: CorrelationID("evt-sub-req-0000001")!)) == .correlationMismatch)
    }

    @Test func identityIsCheckedFirst() {
        // Wrong id and a PAN in the evidence: reported as the identity problem.
        #expect(code(Fixture.verdict(recordingId: .random(), evidence: "4111 1111 1111 1111")) == .recordingMismatch)
    }

    @Test(arguments: [-0.01, 1.01, Double.nan, Double.infinity])
    func confidenceOutOfRange(_ confidence: Double) {
        #expect(code(Fixture.verdict(confidence: confidence)) == .confidenceOutOfRange)
    }

    @Test func confidenceBoundsAreInclusive() {
        #expect(code(Fixture.verdict(confidence: 0)) == nil)
        #expect(code(Fixture.verdict(confidence: 1)) == nil)
    }

    @Test func offsetBeyondTheRecordingOrNegative() {
        #expect(code(Fixture.verdict(offset: 312_001)) == .offsetOutOfRange)
        #expect(code(Fixture.verdict(offset: 312_000)) == nil)
        #expect(code(Fixture.verdict(offset: -1)) == .offsetOutOfRange)
        // Unknown duration: any non-negative offset passes.
        #expect(code(Fixture.verdict(offset: 9_999_999), request: Fixture.request(clock: clock, durationMs: nil)) == nil)
    }

    @Test(arguments: [
        "http://evidence.example.com/seg/1",
        "javascript:alert(1)",
        "data:audio/wav;base64,AAAA",
        "file:///etc/passwd",
        "ftp://evidence.example.com/seg",
        "https:///no-host"
    ])
    func insecureEvidenceURI(_ evidence: String) {
        #expect(code(Fixture.verdict(evidence: evidence)) == .evidenceInsecureURI)
    }

    @Test(arguments: [
        "https://user:pass@evidence.example.com/seg/1",
        "https://evidence.example.com/seg/1?token=abc",
        "https://evidence.example.com/seg/1?X-Amz-Signature=abc&X-Amz-Credential=k",
        "https://evidence.example.com/seg/1?a=1&Sig=abc",
        "https://evidence.example.com/seg/1?%74oken=abc#frag"
    ])
    func evidenceURIWithCredentials(_ evidence: String) {
        #expect(code(Fixture.verdict(evidence: evidence)) == .evidenceURICredentials)
    }

    @Test(arguments: [
        "caller read 4111 1111 1111 1111 at 02:04",
        "card 4111-1111-1111-1111",
        "5500005555555559",
        "https://evidence.example.com/4111111111111111/seg",
        "amex 378282246310005"
    ])
    func unmaskedPAN(_ evidence: String) {
        #expect(code(Fixture.verdict(evidence: evidence)) == .evidenceUnmaskedPAN)
    }

    @Test(arguments: ["ssn 536-22-1184 spoken", "ssn 536 22 1184", "ssn 536221184"])
    func unmaskedSSN(_ evidence: String) {
        #expect(code(Fixture.verdict(type: .ssnDisclosure, evidence: evidence)) == .evidenceUnmaskedSSN)
    }

    @Test func controlCharactersInEvidence() {
        #expect(code(Fixture.verdict(evidence: "masked\nFAKE LOG LINE")) == .evidenceControlCharacters)
        #expect(code(Fixture.verdict(evidence: "masked\u{1B}[31m")) == .evidenceControlCharacters)
    }

    @Test(arguments: [
        "masked_audio_segment_uri",  // the seed's placeholder
        "card **** **** **** 1111 read aloud",
        "SSN XXX-XX-1120",
        "https://evidence.example.com/segments/a1b2c3d4-e5f6-7890-abcd-ef1234567890?start=124500",
        "4111 1111 1111 1112",  // fails Luhn
        "000-12-3456 666-12-3456 912-12-3456 123-00-4567 123-45-0000",  // impossible SSNs
        "note: caller was polite",  // not a URI scheme (space)
        "urgent:card read"  // not a URI (no //, unknown opaque scheme)
    ])
    func maskedOrHarmlessEvidencePasses(_ evidence: String) {
        #expect(code(Fixture.verdict(evidence: evidence)) == nil)
    }

    @Test func aCustomScannerIsUsed() {
        struct FlagEverything: EvidencePIIScanner {
            func scan(_ text: String) -> Set<EvidencePIIKind> { [.ssn] }
        }
        let strict = VerdictValidator(scanner: FlagEverything())
        #expect(throws: VerdictValidationError.self) { try strict.validate(Fixture.verdict(), for: request) }
    }

    @Test func unknownAndContradictoryValuesAreAcceptedForHumanReview() throws {
        func reasons(_ verdict: ComplianceVerdict) throws -> [ReviewReason] {
            try validator.validate(verdict, for: request).reviewReasons
        }
        #expect(try reasons(Fixture.verdict(verdict: .other("PROBABLY_FINE"))) == [.unknownVerdict])
        #expect(try reasons(Fixture.verdict(verdict: .inconclusive, type: nil, action: nil)) == [.inconclusive])
        #expect(try reasons(Fixture.verdict(type: nil)) == [.violationWithoutType])
        #expect(try reasons(Fixture.verdict(type: .other("GDPR_CONSENT"))) == [.unknownViolationType])
        #expect(try reasons(Fixture.verdict(verdict: .compliant, type: .pciMidCapture, action: nil)) == [.compliantWithViolationType])
        #expect(try reasons(Fixture.verdict(action: .other("CALL_THE_POLICE"))) == [.unknownRecommendedAction])
        #expect(try reasons(Fixture.verdict(action: .humanReview)) == [.humanReviewRecommended])
    }

    @Test func errorsNeverCarryTheEvidence() {
        do {
            _ = try validator.validate(Fixture.verdict(evidence: "card 4111 1111 1111 1111"), for: request)
        } catch {
            #expect(!error.description.contains("4111"))
            #expect(error.field == "evidenceSnippet")
        }
    }

    @Test func unknownValuesThatCouldHoldPIIAreRejected() {
        // Unknown values go verbatim into events, metric labels and remediation payloads.
        #expect(code(Fixture.verdict(verdict: .other("4111 1111 1111 1111"))) == .unsafeLabel)
        #expect(code(Fixture.verdict(type: .other("jane.doe@example.com"))) == .unsafeLabel)
        #expect(code(Fixture.verdict(type: .other("PCI_415-555-0123"))) == .unsafeLabel)
        #expect(code(Fixture.verdict(action: .other("CALL +14155550123"))) == .unsafeLabel)
        #expect(code(Fixture.verdict(type: .other("GDPR_ART9_2016"))) == nil)
    }

    @Test func aClaimedCorrelationIdThatCouldHoldPIIIsWithheld() {
        do {
            _ = try validator.validate(Fixture.verdict(correlationId: CorrelationID("4111-1111-1111-1111")!), for: request)
            Issue.record("must reject")
        } catch {
            #expect(error.code == .correlationMismatch)
            #expect(error.reportedCorrelationId.rawValue == "withheld")
            #expect(!error.description.contains("4111"))
        }
        let child = CorrelationID("evt-sub-req-8847291:6b1e1c4e-2f0a-4d7e-9c61-0d7f4c2b9a11")!
        do {
            _ = try validator.validate(Fixture.verdict(correlationId: child), for: request)
        } catch {
            #expect(error.reportedCorrelationId == child, "an id with a UUID in it is shown")
        }
    }
}

@Suite("Evidence PII scanners agree")
struct EvidenceScannerTests {
    @Test(arguments: [
        "card 4111 1111 1111 1111", "ssn 536-22-1184", "masked **** 1111", "XXX-XX-1184",
        "https://evidence.example.com/segments/masked-7f3a"
    ])
    func redactionAndDigitRunScannersAgree(_ text: String) {
        #expect(RedactionPIIScanner().scan(text) == DigitRunPIIScanner().scan(text))
    }
}
