import Foundation
import VigilModels

/// Which recordings the pipeline settled — evaluated to a validated verdict, or dead-lettered — and,
/// for one recording you choose, its whole audit trail.
///
/// For a bounded run (a backfill, `vigil demo`, a test) whose question is "was every recording I
/// delivered settled?": compare ``settled`` with the recordings sent. It keeps one id per recording,
/// so it is not meant for a service that runs for months (use ``PipelineStatistics`` and the metrics
/// there).
///
/// ```swift
/// let ledger = SettlementLedger()
/// ledger.trace(recordingId)                       // keep every event about this one
/// … run the pipeline with ComplianceObservers([statistics, ledger]) …
/// let missing = delivered.subtracting(ledger.settled)
/// ```
public final class SettlementLedger: ComplianceObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var ids: Set<GenesysID> = []
    private var traced: GenesysID?
    private var trail: [PipelineEvent] = []

    /// Creates an empty ledger.
    public init() {}

    /// Keeps every later event about `recordingId` (see ``auditTrail``).
    public func trace(_ recordingId: GenesysID) { lock.withLock { traced = recordingId } }

    /// The events about the traced recording, in order.
    public var auditTrail: [PipelineEvent] { lock.withLock { trail } }

    /// Records `event`.
    public func record(_ event: PipelineEvent) {
        guard let id = event.recordingId else { return }
        lock.withLock {
            if id == traced { trail.append(event) }
            switch event.kind {
            case .verdict, .deadLettered: ids.insert(id)
            default: break
            }
        }
    }

    /// How many recordings were settled.
    public var settledCount: Int { lock.withLock { ids.count } }
    /// The recordings settled.
    public var settled: Set<GenesysID> { lock.withLock { ids } }
}
