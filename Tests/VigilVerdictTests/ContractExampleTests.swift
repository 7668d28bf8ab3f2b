import Foundation
import Testing
import VigilCore
import VigilModels

@testable import VigilVerdict

/// The signed examples in `Documentation/engine-contract.md` and the DocC catalog are real: these
/// tests recompute their signatures and decode their bodies, so the pages cannot drift from the code.
@Suite("Engine contract examples")
struct ContractExampleTests {
    static let requestBody =
        #"{"conversationId":"2f7bf00a-0fc2-4d6a-9b56-92238191433e","correlationId":"evt-sub-req-8847291","media":{"expiresAt":"2026-05-01T11:05:30.000Z","format":"WAV","uri":"https://media.example.com/rec.wav?X-Amz-Expires=3600&X-Amz-Signature=0f1e2d"},"metadata":{"channel":"VOICE","direction":"INBOUND","durationMs":312000,"language":"en-US"},"recordingId":"a1b2c3d4-e5f6-7890-abcd-ef1234567890","requestedAt":"2026-05-01T10:05:30.000Z","schemaVersion":"1.0"}"#
    static let callbackBody =
        #"{"confidenceScore":0.94,"correlationId":"evt-sub-req-8847291","evidenceSnippet":"https://evidence.example.com/segments/masked-7f3a","recommendedAction":"ROUTE_TO_COMPLIANCE_QUEUE","recordingId":"a1b2c3d4-e5f6-7890-abcd-ef1234567890","timestampOffsetMs":124500,"verdict":"VIOLATION_DETECTED","violationType":"PCI_MID_CAPTURE"}"#

    @Test func requestExampleIsWhatVigilSendsAndIsSigned() throws {
        let body = Array(Self.requestBody.utf8)
        #expect(body.count == 451)
        #expect(
            StandardWebhooksV1.signature(
                id: "msg_2b9f0c6e3d4a4f1e9a7b5c8d0e1f2a3b", timestamp: 1_777_629_930,
                body: body, secret: Fixture.secret)
                == "v1,fuxpvOCJDgZea0q4TstcNZqdvIgmCa3/ZX++iRj3Z/8=")
        // Vigil's own encoder produces exactly these bytes for this request.
        let request = try VigilJSON.decode(ComplianceRequest.self, from: body)
        #expect(try VigilJSON.encodeBytes(request) == body)
    }

    @Test func callbackExampleIsSignedAndValid() throws {
        let body = Array(Self.callbackBody.utf8)
        #expect(
            StandardWebhooksV1.signature(
                id: "msg_cb_7d1e2f3a4b5c", timestamp: 1_777_630_020, body: body,
                secret: Fixture.secret)
                == "v1,nylT9XZCtpD14Ib1ESwWeGMFZ9LnyYS4F2m2m01+7Kk=")
        let request = try VigilJSON.decode(ComplianceRequest.self, from: Array(Self.requestBody.utf8))
        let verdict = try VigilJSON.decode(ComplianceVerdict.self, from: body)
        #expect(try VerdictValidator().validate(verdict, for: request).reviewReasons.isEmpty)
    }
}
