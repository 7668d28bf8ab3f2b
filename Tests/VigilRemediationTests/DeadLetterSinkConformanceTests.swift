import Foundation
import Testing
import VigilRemediation
import VigilTesting

@Suite("DeadLetterSink conformance: the in-memory sink passes; sinks that lose or merge letters fail")
struct DeadLetterSinkConformanceTests {
    @Test func inMemorySinkConforms() async throws {
        try await DeadLetterSinkConformance.run {
            let sink = InMemoryDeadLetterSink()
            return .init(sink: sink, letters: { await sink.letters })
        }
    }

    /// Keeps one letter per recording, as a sink keyed by recording id would.
    actor MergingSink: DeadLetterSink {
        var byRecording: [String: RemediationDeadLetter] = [:]
        var order: [String] = []
        func deadLetter(_ letter: RemediationDeadLetter) {
            if byRecording[letter.recordingId.rawValue] == nil { order.append(letter.recordingId.rawValue) }
            byRecording[letter.recordingId.rawValue] = letter
        }
        var letters: [RemediationDeadLetter] { order.compactMap { byRecording[$0] } }
    }

    /// Truncates reasons to 255 characters, as a VARCHAR(255) column would.
    actor TruncatingSink: DeadLetterSink {
        var letters: [RemediationDeadLetter] = []
        func deadLetter(_ letter: RemediationDeadLetter) {
            letters.append(
                RemediationDeadLetter(
                    flowName: letter.flowName, blockId: letter.blockId, action: letter.action, conversationId: letter.conversationId,
                    recordingId: letter.recordingId, correlationId: letter.correlationId, errorCode: letter.errorCode,
                    reason: String(letter.reason.prefix(255)), attempts: letter.attempts, occurredAt: letter.occurredAt))
        }
    }

    @Test func brokenSinksFailTheRightProperty() async throws {
        await #expect {
            try await DeadLetterSinkConformance.run(properties: [.keptVerbatim]) {
                let sink = MergingSink()
                return .init(sink: sink, letters: { await sink.letters })
            }
        } throws: { ($0 as? ConformanceFailure)?.property == "keptVerbatim" }
        await #expect {
            try await DeadLetterSinkConformance.run(properties: [.keptVerbatim]) {
                let sink = TruncatingSink()
                return .init(sink: sink, letters: { await sink.letters })
            }
        } throws: { ($0 as? ConformanceFailure)?.property == "keptVerbatim" }
        // The merging sink keeps distinct recordings, so the other properties hold for it.
        try await DeadLetterSinkConformance.run(properties: [.keptInOrder, .concurrentWritersKeepAll]) {
            let sink = MergingSink()
            return .init(sink: sink, letters: { await sink.letters })
        }
    }
}
