import CoreMetrics
import Foundation
import Logging
import Vigil
import VigilCore
import VigilEventSub

/// Bridges `PipelineEvent`s to swift-metrics. Label values are bounded (outcomes, codes, kinds —
/// never an id). Metric objects are created through the given factory, so a host (or a test) can
/// use its own registry without bootstrapping the global `MetricsSystem`.
///
/// | metric | type | labels |
/// |---|---|---|
/// | `vigil_webhook_deliveries_total` | counter | `status`, `outcome` |
/// | `vigil_webhook_duplicates_total` | counter | |
/// | `vigil_jobs_leased_total` | counter | `kind` |
/// | `vigil_jobs_in_flight` | gauge (meter) | |
/// | `vigil_job_retries_total` | counter | |
/// | `vigil_verdicts_total` | counter | `verdict`, `type` |
/// | `vigil_engine_failures_total` | counter | `code` |
/// | `vigil_verdicts_rejected_total` | counter | `code` |
/// | `vigil_decisions_total` | counter | `action` |
/// | `vigil_remediation_steps_total` | counter | `action`, `outcome` |
/// | `vigil_recordings_flagged_total` | counter | |
/// | `vigil_time_to_flag_seconds` | histogram (timer) | |
/// | `vigil_dead_letters_total` | counter | `source` |
/// | `vigil_storage_failures_total` | counter | `code` |
/// | `vigil_workers` | gauge (meter) | |
public struct MetricsComplianceObserver: ComplianceObserver {
    private let factory: any MetricsFactory
    private let duplicates: Counter
    private let inFlight: Meter
    private let retries: Counter
    private let flagged: Counter
    private let timeToFlag: CoreMetrics.Timer
    private let workers: Meter

    /// Creates the observer; metrics go to `factory` (default: the global `MetricsSystem`).
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        duplicates = Counter(label: "vigil_webhook_duplicates_total", factory: factory)
        inFlight = Meter(label: "vigil_jobs_in_flight", factory: factory)
        retries = Counter(label: "vigil_job_retries_total", factory: factory)
        flagged = Counter(label: "vigil_recordings_flagged_total", factory: factory)
        timeToFlag = CoreMetrics.Timer(label: "vigil_time_to_flag_seconds", factory: factory)
        workers = Meter(label: "vigil_workers", factory: factory)
        // Alerting series exist from the start (at 0), not only after the first incident.
        for source in [PipelineEvent.DeadLetterSource.queue, .sink, .remediation] {
            _ = Counter(label: "vigil_dead_letters_total", dimensions: [("source", source.rawValue)], factory: factory)
        }
    }

    public func record(_ event: PipelineEvent) {
        switch event.kind {
        case let .received(status, outcome):
            Counter(
                label: "vigil_webhook_deliveries_total",
                dimensions: [("status", String(status)), ("outcome", outcome.label)], factory: factory
            ).increment()
            if case .duplicate = outcome { duplicates.increment() }
        case let .leased(kind, _):
            inFlight.increment()
            Counter(label: "vigil_jobs_leased_total", dimensions: [("kind", kind.rawValue)], factory: factory).increment()
        case .retried:
            inFlight.decrement()
            retries.increment()
        case .acked, .released, .leaseLost:
            inFlight.decrement()
        case let .verdict(verdict, type, _):
            Counter(
                label: "vigil_verdicts_total",
                dimensions: [("verdict", verdict.rawValue), ("type", type?.rawValue ?? "none")], factory: factory
            ).increment()
        case let .engineFailed(code, _):
            Counter(label: "vigil_engine_failures_total", dimensions: [("code", code)], factory: factory).increment()
        case let .validationRejected(code):
            Counter(label: "vigil_verdicts_rejected_total", dimensions: [("code", code)], factory: factory).increment()
        case let .decision(action, _, _):
            Counter(label: "vigil_decisions_total", dimensions: [("action", action.rawValue)], factory: factory).increment()
        case let .remediationStep(_, action, outcome, _):
            Counter(
                label: "vigil_remediation_steps_total",
                dimensions: [("action", action.rawValue), ("outcome", outcome)], factory: factory
            ).increment()
        case let .flagged(duration):
            flagged.increment()
            timeToFlag.recordNanoseconds(duration.nanosecondsClamped)
        case let .deadLettered(source, _):
            Counter(label: "vigil_dead_letters_total", dimensions: [("source", source.rawValue)], factory: factory).increment()
        case let .storageFailed(code):
            Counter(label: "vigil_storage_failures_total", dimensions: [("code", code)], factory: factory).increment()
        case .workerStarted:
            workers.increment()
        case .workerStopped:
            workers.decrement()
        default:
            break
        }
    }
}

/// Logs each pipeline step as one structured line through swift-log: identifiers and codes only
/// (`PipelineEvent` never carries media, transcripts, evidence, contact data or URLs).
public struct LoggingComplianceObserver: ComplianceObserver {
    /// The logger.
    public let logger: Logger

    /// Creates the observer.
    public init(logger: Logger) {
        self.logger = logger
    }

    public func record(_ event: PipelineEvent) {
        var metadata: Logger.Metadata = ["event": "\(event.name)"]
        if let id = event.recordingId { metadata["recording_id"] = "\(id)" }
        if let id = event.conversationId { metadata["conversation_id"] = "\(id)" }
        if let id = event.correlationId { metadata["correlation_id"] = "\(id)" }
        if let worker = event.worker { metadata["worker"] = "\(worker)" }
        if let duration = event.duration { metadata["duration_ms"] = "\(duration.millisecondsClamped)" }
        switch event.kind {
        case let .received(status, outcome):
            metadata["status"] = "\(status)"
            metadata["outcome"] = "\(outcome.label)"
            if case let .rejected(code) = outcome {
                metadata["code"] = "\(code)"
                logger.notice("webhook rejected", metadata: metadata)
            } else {
                logger.debug("webhook received", metadata: metadata)
            }
        case let .deadLettered(source, reason):
            metadata["source"] = "\(source.rawValue)"
            metadata["reason"] = "\(reason)"
            logger.error("recording dead-lettered", metadata: metadata)
        case let .validationRejected(code):
            metadata["code"] = "\(code)"
            logger.warning("engine verdict rejected", metadata: metadata)
        case let .engineFailed(code, retryAfter):
            metadata["code"] = "\(code)"
            metadata["retry_after_ms"] = "\(retryAfter.map { "\($0.millisecondsClamped)" } ?? "permanent")"
            logger.notice("engine call failed", metadata: metadata)
        case let .storageFailed(code):
            metadata["code"] = "\(code)"
            logger.error("storage call failed", metadata: metadata)
        case let .verdict(verdict, type, confidence):
            metadata["verdict"] = "\(verdict.rawValue)"
            metadata["violation_type"] = "\(type?.rawValue ?? "none")"
            metadata["confidence"] = "\(confidence)"
            logger.info("verdict", metadata: metadata)
        case let .flagged(timeToFlag):
            metadata["time_to_flag_ms"] = "\(timeToFlag.millisecondsClamped)"
            logger.info("recording flagged", metadata: metadata)
        case let .remediationStep(blockId, action, outcome, attempts):
            metadata["block"] = "\(blockId)"
            metadata["action"] = "\(action.rawValue)"
            metadata["outcome"] = "\(outcome)"
            metadata["attempts"] = "\(attempts)"
            logger.debug("remediation step", metadata: metadata)
        case let .retried(after, reason):
            metadata["retry_after_ms"] = "\(after.millisecondsClamped)"
            metadata["reason"] = "\(reason)"
            logger.debug("job requeued", metadata: metadata)
        default:
            logger.trace("pipeline step", metadata: metadata)
        }
    }
}

extension WebhookResponse.Outcome {
    /// `accepted`, `duplicate`, `ignored`, `conflict`, `rejected`, `retryLater` — bounded label values.
    var label: String {
        switch self {
        case .accepted: "accepted"
        case .duplicate: "duplicate"
        case .ignored: "ignored"
        case .conflict: "conflict"
        case .rejected: "rejected"
        case .retryLater: "retryLater"
        }
    }
}

extension Duration {
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product &+ attoseconds / 1_000_000_000
    }

    var millisecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000)
        return overflow ? .max : product &+ attoseconds / 1_000_000_000_000_000
    }
}
