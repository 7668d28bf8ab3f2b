import Foundation
import VigilModels

/// A built-in ``ComplianceObserver`` that counts what the pipeline did and measures time-to-flag.
///
/// Lock-based, so ``record(_:)`` never suspends; read ``snapshot`` at any time from any thread.
///
/// ```swift
/// let statistics = PipelineStatistics()
/// let pipeline = CompliancePipeline(…, observer: statistics)
/// …
/// let s = statistics.snapshot
/// print("flagged \(s.flagged), P95 time-to-flag \(s.timeToFlag.p95 ?? .zero)")
/// ```
public final class PipelineStatistics: ComplianceObserver, @unchecked Sendable {
    /// Time-to-flag percentiles (nearest rank), from a job's first enqueue to its completed remediation.
    public struct Percentiles: Sendable, Hashable {
        /// How many recordings were flagged.
        public var count: Int
        /// Median.
        public var p50: Duration?
        /// 95th percentile.
        public var p95: Duration?
        /// 99th percentile.
        public var p99: Duration?
        /// The longest.
        public var max: Duration?
    }

    /// The counters at one moment.
    public struct Snapshot: Sendable, Hashable {
        /// Webhook deliveries handled by `receive`.
        public var deliveries = 0
        /// Deliveries that enqueued a job (202).
        public var accepted = 0
        /// Redeliveries suppressed at ingest (same delivery id, or the same event under a new id).
        public var duplicateDeliveries = 0
        /// Deliveries refused or asked to retry (4xx/503), by outcome.
        public var rejected: [String: Int] = [:]
        /// Jobs leased (every delivery of every job).
        public var leased = 0
        /// Per-recording jobs a conversation fan-out enqueued.
        public var fannedOut = 0
        /// Fan-out enqueues suppressed because the recording's job already existed.
        public var fanOutDuplicates = 0
        /// Jobs whose recording had already been evaluated (acknowledged without work).
        public var duplicateJobs = 0
        /// `recordingStarted` jobs whose metadata was checked.
        public var metadataChecks = 0
        /// Recordings confirmed available before evaluation.
        public var recordingsReady = 0
        /// Jobs sent back because the media was not ready yet.
        public var notReadyRetries = 0
        /// Media links refreshed after the engine found them expired.
        public var mediaLinksRefreshed = 0
        /// Validated verdicts by verdict (`VIOLATION_DETECTED`, `COMPLIANT`, `INCONCLUSIVE`…).
        public var verdicts: [String: Int] = [:]
        /// Validated violation verdicts by violation type.
        public var violationTypes: [String: Int] = [:]
        /// Verdicts that will arrive by callback.
        public var pendingVerdicts = 0
        /// Verdicts reused from an earlier attempt instead of calling the engine again.
        public var verdictsReused = 0
        /// Engine failures by code.
        public var engineFailures: [String: Int] = [:]
        /// Verdicts rejected by the validator.
        public var validationRejected = 0
        /// Policy decisions by action.
        public var decisions: [String: Int] = [:]
        /// Remediation step outcomes by `action/outcome` (`workitem/ran`, `annotation/found-existing`…).
        public var remediationSteps: [String: Int] = [:]
        /// Recordings flagged (remediation completed).
        public var flagged = 0
        /// Jobs given back to the queue (all reasons).
        public var retries = 0
        /// Jobs released because their worker was cancelled mid-way.
        public var released = 0
        /// Jobs acknowledged.
        public var acked = 0
        /// Dead letters by source.
        public var deadLetters: [String: Int] = [:]
        /// Lost leases.
        public var leaseLost = 0
        /// Queue or store failures.
        public var storageFailures = 0
        /// Worker starts (restarts included).
        public var workerStarts = 0
        /// Jobs leased and not yet settled (acknowledged, retried, released or lost).
        public var inFlight = 0
        /// Time-to-flag.
        public var timeToFlag = Percentiles(count: 0)

        /// Every dead letter, whatever the source.
        public var totalDeadLetters: Int { deadLetters.values.reduce(0, +) }
    }

    private let lock = NSLock()
    private var value = Snapshot()
    private var samples: [Duration] = []

    /// Creates empty statistics.
    public init() {}

    /// The counters now, with time-to-flag percentiles computed from every sample.
    public var snapshot: Snapshot {
        let (copy, all) = lock.withLock { (value, samples) }
        var result = copy
        let sorted = all.sorted()
        func rank(_ p: Double) -> Duration? {
            guard !sorted.isEmpty else { return nil }
            let index = Int((p * Double(sorted.count)).rounded(.up)) - 1
            return sorted[min(sorted.count - 1, Swift.max(0, index))]
        }
        result.timeToFlag = Percentiles(
            count: sorted.count, p50: rank(0.50), p95: rank(0.95), p99: rank(0.99),
            max: sorted.last)
        return result
    }

    /// Jobs leased and not yet settled, without computing percentiles (cheap enough to poll).
    public var inFlight: Int { lock.withLock { value.inFlight } }

    /// How many events have been recorded so far — a cheap progress counter (cheap enough to poll).
    public var eventCount: Int { lock.withLock { events } }

    private var events = 0

    /// Counts `event`.
    public func record(_ event: PipelineEvent) {
        lock.withLock {
            events += 1
            switch event.kind {
            case let .received(_, outcome):
                value.deliveries += 1
                switch outcome {
                case .accepted: value.accepted += 1
                case .duplicate: value.duplicateDeliveries += 1
                default: value.rejected[outcome.description, default: 0] += 1
                }
            case .workerStarted: value.workerStarts += 1
            case .workerStopped: break
            case .leased:
                value.leased += 1
                value.inFlight += 1
            case let .fannedOut(_, enqueued, already):
                value.fannedOut += enqueued
                value.fanOutDuplicates += already
            case .duplicateJob: value.duplicateJobs += 1
            case .metadataValidated: value.metadataChecks += 1
            case .recordingReady: value.recordingsReady += 1
            case .recordingNotReady: value.notReadyRetries += 1
            case .mediaLinkRefreshed: value.mediaLinksRefreshed += 1
            case let .verdict(verdict, type, _):
                value.verdicts[verdict.rawValue, default: 0] += 1
                if verdict == .violationDetected { value.violationTypes[type?.rawValue ?? "-", default: 0] += 1 }
            case .verdictPending: value.pendingVerdicts += 1
            case .verdictReused: value.verdictsReused += 1
            case let .engineFailed(code, _): value.engineFailures[code, default: 0] += 1
            case .validationRejected: value.validationRejected += 1
            case let .decision(action, _, _): value.decisions[action.rawValue, default: 0] += 1
            case let .remediationStep(_, action, outcome, _):
                value.remediationSteps["\(action)/\(outcome)", default: 0] += 1
            case .remediationFinished: break
            case let .flagged(timeToFlag):
                value.flagged += 1
                samples.append(timeToFlag)
            case .retried:
                value.retries += 1
                value.inFlight -= 1
            case .released:
                value.released += 1
                value.inFlight -= 1
            case .acked:
                value.acked += 1
                value.inFlight -= 1
            case let .deadLettered(source, _): value.deadLetters[source.rawValue, default: 0] += 1
            case .leaseLost:
                value.leaseLost += 1
                value.inFlight -= 1
            case .storageFailed: value.storageFailures += 1
            }
        }
    }
}
