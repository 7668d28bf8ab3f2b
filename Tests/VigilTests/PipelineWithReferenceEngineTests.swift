import Foundation
import Testing
import Vigil
import VigilAnalysis
import VigilCore
import VigilModels
import VigilRemediation
import VigilTesting
import VigilVerdict

/// The pipeline with Vigil's own `ReferenceComplianceEngine` on synthesised recordings: the card
/// numbers keyed as DTMF are flagged once each, at their offset; PINs, dates, phone numbers and a
/// Luhn-invalid 16-digit run are not.
@Suite struct PipelineWithReferenceEngineTests {
    @Test func keyedCardsAreFlaggedOnceAndNothingElse() async throws {
        let h = Harness(
            faults: .init(transcodingPolls: 1, expiredMediaURLs: 2),
            engine: { _, cloud in ReferenceComplianceEngine(transport: cloud) })
        let synthesizer = DTMFSynthesizer(sampleRate: 8000)
        let keyings = [
            "4111111111111111", "", "4821", "20260501", "5555555555554444", "4155550123",
            "4111111111111112", "378282246310005"
        ]
        var expected: [GenesysID: Bool] = [:]
        var arrivals: [(at: Duration, deliver: @Sendable () async -> Void)] = []
        for (index, keyed) in keyings.enumerated() {
            var samples =
                keyed.isEmpty
                ? synthesizer.generator.silence(milliseconds: 1_500)
                : synthesizer.sequence(keyed, leadingMilliseconds: 1_500)
            samples += synthesizer.generator.silence(milliseconds: 500)
            let wav = WAVEncoder.encode([samples], format: AudioFormat(encoding: .muLaw, sampleRate: 8000, channelCount: 1))
            let (cid, rid) = await h.cloud.addRecording(media: .bytes(wav))
            expected[rid] = PaymentCardSample.isCard(keyed)
            let body = Events.recording(
                "recordingCompleted", conversationId: cid, recordingId: rid,
                deliveryId: "d\(index)", correlationId: "ref-\(index)")
            arrivals.append((.seconds(index), { _ = await h.deliver(body, id: "msg_\(index)") }))
            arrivals.append((.seconds(index + 2), { _ = await h.deliver(body, id: "msg_\(index)_again") }))
        }
        await h.run(arrivals: arrivals)

        var tags: [String: Int] = [:]
        for item in await h.cloud.workitems { tags[item.externalTag ?? "-", default: 0] += 1 }
        for (rid, violating) in expected {
            let tag = RemediationPlanner.workitemExternalTag(recordingId: rid, blockId: "create_work_item")
            #expect(tags[tag] == (violating ? 1 : nil))
            let annotations = await h.cloud.annotations(recordingId: rid)
            #expect(annotations.count == (violating ? 1 : 0))
            if violating, let location = annotations.first?.location { #expect(abs(location - 1_500) <= 30) }
        }
        let s = h.statistics.snapshot
        #expect(s.verdicts["VIOLATION_DETECTED"] == 3 && s.verdicts["COMPLIANT"] == 5)
        #expect(s.totalDeadLetters == 0 && s.mediaLinksRefreshed >= 1)
    }
}

enum PaymentCardSample {
    /// The test's card numbers (known Luhn-valid test PANs).
    static func isCard(_ keyed: String) -> Bool {
        ["4111111111111111", "5555555555554444", "378282246310005"].contains(keyed)
    }
}
