import Foundation
import Testing
import VigilCore
import VigilModels
import VigilRemediation
import VigilTesting

final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

@Suite("DryRunRemediationActions: the remediation described, nothing written")
struct DryRunActionsTests {
    @Test func theDefaultFlowCompletesAndEveryWriteIsDescribedByIdsOnly() async throws {
        let h = Harness()
        let lines = Lines()
        let executor = RemediationExecutor(
            actions: DryRunRemediationActions { lines.append($0) }, store: h.store,
            deadLetters: h.sink, clock: h.clock, now: h.clock.wall)
        let report = try await h.run(executor, try defaultFlow())
        #expect(report.status == .completed, "\(report)")
        #expect(
            lines.all == [
                "(dry run) annotation on recording \(recordingId) at 124500 ms",
                "(dry run) external tag on conversation \(conversationId)",
                "(dry run) participant attributes on \(customerId)",
                "(dry run) participant attributes on \(agentId)",
                "(dry run) work item in the review queue"
            ])
        #expect(
            lines.all.allSatisfy { !$0.contains("PCI_MID_CAPTURE") && !$0.contains("Compliance") },
            "resolved templates are never quoted")
    }
}
