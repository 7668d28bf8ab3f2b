import Foundation
import Testing
import Vigil
import VigilModels

@Suite("SettlementLedger")
struct SettlementLedgerTests {
    @Test func verdictsAndDeadLettersSettleATracedRecordingKeepsItsTrail() {
        let ledger = SettlementLedger()
        let a = GenesysID("a1b2c3d4-e5f6-7890-abcd-ef1234567890")!, b = GenesysID("b1b2c3d4-e5f6-7890-abcd-ef1234567890")!
        let c = GenesysID("c1b2c3d4-e5f6-7890-abcd-ef1234567890")!
        ledger.trace(a)
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        ledger.record(PipelineEvent(kind: .recordingReady, at: at, recordingId: a))
        ledger.record(PipelineEvent(kind: .verdict(.violationDetected, violationType: .pciMidCapture, confidence: 0.9), at: at, recordingId: a))
        ledger.record(PipelineEvent(kind: .deadLettered(source: .sink, reason: "genesys.recordingUnavailable"), at: at, recordingId: b))
        ledger.record(PipelineEvent(kind: .recordingReady, at: at, recordingId: c))
        #expect(ledger.settled == [a, b], "c was only seen ready, not settled")
        #expect(ledger.settledCount == 2)
        #expect(ledger.auditTrail.map(\.name) == ["recordingReady", "verdict"])
    }
}
