import Foundation
import Testing
import Vigil
import VigilCore
import VigilModels
import VigilRemediation
import VigilTesting

/// The pipeline on the embedded default: `SQLiteIdempotencyStore` and `SQLiteJobQueue` in one WAL file,
/// with traps, three deliveries per event and a worker cancelled mid-remediation every 100 jobs.
@Suite struct SQLitePipelineTests {
    @Test func exactlyOnceOnSQLite() async throws {
        let count = 600
        let faults = SimulatedGenesysCloud.Faults(
            transcodingPolls: 1, transcodeEstimateMs: 1_000, expiredMediaURLs: 5,
            rateLimitBursts: .init(probability: 0.04, length: 2, statuses: [429], retryAfterSeconds: 1),
            serverErrorBursts: .init(probability: 0.04, length: 2, statuses: [503]),
            connectionFailureProbability: 0.02, tokenExpiresAfterRequests: 300)
        let box = SetBox()
        let h = Harness(
            faults: faults, engine: { _, cloud in box.engine(cloud) }, workers: 4, crashEvery: 100,
            seed: 11, sqlite: true)
        defer { h.cleanUp() }
        var violating = Set<GenesysID>()
        var arrivals: [(at: Duration, deliver: @Sendable () async -> Void)] = []
        for index in 0..<count {
            let (cid, rid) = await h.cloud.addRecording()
            if index % 7 == 0 { violating.insert(rid) }
            let body = Events.recording(
                "recordingCompleted", conversationId: cid, recordingId: rid,
                deliveryId: "d\(index)", correlationId: "sq-\(index)")
            let at = Duration.milliseconds(100 * index)
            arrivals.append((at, { _ = await h.deliver(body, id: "msg_\(index)") }))
            arrivals.append((at + .seconds(1), { _ = await h.deliver(body, id: "msg_\(index)") }))
            arrivals.append((at + .seconds(4), { _ = await h.deliver(body, id: "msg_\(index)_r") }))
        }
        box.set(violating)
        await h.run(arrivals: arrivals)

        let s = h.statistics.snapshot
        var perTag: [String: Int] = [:]
        for item in await h.cloud.workitems { perTag[item.externalTag ?? "-", default: 0] += 1 }
        let tagOf = { (rid: GenesysID) in RemediationPlanner.workitemExternalTag(recordingId: rid, blockId: "create_work_item") }
        #expect(perTag.count == violating.count && violating.allSatisfy { perTag[tagOf($0)] == 1 })
        #expect(h.ledger.verdictCounts.count == count)
        #expect(s.flagged == violating.count && s.totalDeadLetters == 0)
        let letters = await h.queueDeadLetters()
        let pending = await h.pendingCount()
        #expect(letters.isEmpty && pending == 0)
        #expect((h.crash?.firedCount ?? 0) >= 5 && s.released >= 5)
        #expect(s.duplicateDeliveries == 2 * count)
    }
}
