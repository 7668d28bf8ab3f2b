import Foundation
import Testing
import VigilCore
import VigilModels
import VigilTesting

@testable import VigilVerdict

/// The verdict doors (an engine's reply, a signed verdict callback, a policy file) against the shared
/// ambiguity table: each variant is refused with a typed, value-free error and changes nothing.
private let otherRecording = "\"00000000-0000-4000-8000-000000000001\""

extension EngineReplyTests {
    @Test func ambiguousVerdictRepliesAreMalformed() async throws {
        let verdict = String(decoding: Fixture.verdictJSON(), as: UTF8.self)
        let variants = AmbiguousJSON.refusals(of: verdict, member: "recordingId", alternative: otherRecording)
        #expect(variants.count == 16)
        for variant in variants {
            let error = await engineError(StubTransport(status: 200, body: variant.bytes))
            #expect(error?.code == .malformedReply, "\(variant)")
            #expect(error?.description.contains("0000-4000") == false, "\(variant)")
        }
        for variant in AmbiguousJSON.equivalents(of: verdict, member: "recordingId") {
            #expect(try await evaluate(StubTransport(status: 200, body: variant.bytes)) == .verdict(Fixture.verdict()), "\(variant)")
        }
    }
}

extension CallbackReceiverTests {
    @Test func ambiguousSignedCallbacksAre400AndTheVerdictIsStillAwaited() async throws {
        let verdict = String(decoding: Fixture.verdictJSON(), as: UTF8.self)
        for (index, variant) in AmbiguousJSON.refusals(of: verdict, member: "recordingId", alternative: otherRecording).enumerated() {
            let error = await failure(variant.bytes, id: "msg_ambiguous\(index)")
            #expect(error?.code == .malformedBody, "\(variant)")
            #expect(error?.httpStatus == 400, "\(variant)")
        }
        // Nothing was consumed: the genuine callback is still handed over.
        let accepted = try await deliver(Fixture.verdictJSON(), id: "msg_genuine")
        #expect(accepted.deliveryId == "msg_genuine")
    }
}

extension VerdictPolicyLoadingTests {
    @Test func ambiguousPolicyFilesAreSyntaxErrors() {
        let variants = AmbiguousJSON.refusals(of: Self.valid, member: "id", alternative: #""other""#)
        #expect(variants.count == 16)
        for variant in variants {
            #expect(loadError(String(decoding: variant.bytes, as: UTF8.self))?.code == .syntax, "\(variant)")
        }
        for variant in AmbiguousJSON.equivalents(of: Self.valid, member: "id") {
            #expect(loadError(String(decoding: variant.bytes, as: UTF8.self)) == nil, "\(variant)")
        }
    }
}
