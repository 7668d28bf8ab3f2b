import Foundation
import VigilIdempotency
import VigilModels

/// One platform action (or check) of a block; a block runs one or more steps.
///
/// The built-in actions are static members; a host's own block type (``RemediationBlockType``) names its
/// actions with ``init(custom:)``. The name is part of each step's idempotency key, so it never changes
/// for a step once flows run with it.
public struct RemediationStepAction: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The name: 1–64 characters from `A–Z a–z 0–9 _ - .`.
    public let rawValue: String

    /// An action named `rawValue`, or `nil` when the name is not of the allowed shape.
    public init?(rawValue: String) {
        guard BlockParser.isBlockId(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    /// A host block's action, e.g. `notifySlack`; `nil` when the name is not of the allowed shape.
    public init?(custom name: String) { self.init(rawValue: name) }

    private init(builtIn name: String) { rawValue = name }

    /// `validate_payload`: the verdict validator.
    public static let validate = Self(builtIn: "validate")
    /// `branch`: the condition was evaluated.
    public static let branch = Self(builtIn: "branch")
    /// `tag_recording`: the annotation at the offset.
    public static let annotation = Self(builtIn: "annotation")
    /// `tag_recording`: the conversation external tag.
    public static let externalTag = Self(builtIn: "externalTag")
    /// `tag_recording`: participant attributes (all participants, one idempotent step).
    public static let participantAttributes = Self(builtIn: "participantAttributes")
    /// `create_work_item`: a Task Management work item.
    public static let workitem = Self(builtIn: "workitem")
    /// `create_work_item`: a data-table row.
    public static let dataTableRow = Self(builtIn: "dataTableRow")
    /// `legal_hold`: deletion protection.
    public static let legalHold = Self(builtIn: "legalHold")

    /// The raw name.
    public var description: String { rawValue }
}

/// What happened to one step in one run.
public enum RemediationStepOutcome: Sendable, Hashable, CustomStringConvertible {
    /// The step was performed now. `details` holds identifiers (e.g. `workitemId`), never personal data;
    /// `recorded` is `false` when the platform call succeeded but the idempotency store did not take the
    /// completion (the next run recognises the work instead of repeating it where the platform allows).
    case ran(details: [String: String], recorded: Bool)
    /// An earlier run completed the step; its stored outcome.
    case skippedAlreadyDone(StoredOutcome)
    /// An earlier attempt had created the resource without recording it (found by the work item's
    /// `externalTag`, or a data-table row with the same key).
    case foundExisting(details: [String: String])
    /// Another worker holds the step's claim until `until`; the run stopped and should be retried later.
    case inProgressElsewhere(until: Date)
    /// A transient failure outlasted the retries; the claim was released and the run should be retried.
    case failedTransient(reason: String)
    /// A permanent failure; the dead-letter sink has the full reason.
    case deadLettered(reason: String)

    /// A short label: `ran`, `skipped-already-done`, `found-existing`, `in-progress-elsewhere`,
    /// `failed-transient`, `dead-lettered`.
    public var label: String {
        switch self {
        case .ran: "ran"
        case .skippedAlreadyDone: "skipped-already-done"
        case .foundExisting: "found-existing"
        case .inProgressElsewhere: "in-progress-elsewhere"
        case .failedTransient: "failed-transient"
        case .deadLettered: "dead-lettered"
        }
    }

    /// The label, with the reason for failures.
    public var description: String {
        switch self {
        case let .failedTransient(reason), let .deadLettered(reason): "\(label): \(reason)"
        case let .skippedAlreadyDone(stored): "\(label) (\(stored.status))"
        default: label
        }
    }
}

/// One step of a ``RemediationReport``.
public struct RemediationStepReport: Sendable, Hashable, CustomStringConvertible {
    /// The block the step belongs to.
    public let blockId: String
    /// What the step does.
    public let action: RemediationStepAction
    /// The idempotency key claimed for it; `nil` for checks without side effects (validate, branch).
    public let idempotencyKey: String?
    /// What happened.
    public let outcome: RemediationStepOutcome
    /// Platform calls this run made for the step: 1, or 0 when nothing was called. (The executor calls
    /// once; the client's own repeats of a call happen inside it.)
    public let attempts: Int
    /// How long the step took on the executor's clock.
    public let duration: Duration

    /// Creates a step report.
    public init(
        blockId: String, action: RemediationStepAction, idempotencyKey: String?,
        outcome: RemediationStepOutcome, attempts: Int, duration: Duration
    ) {
        self.blockId = blockId
        self.action = action
        self.idempotencyKey = idempotencyKey
        self.outcome = outcome
        self.attempts = attempts
        self.duration = duration
    }

    /// `tag_recording/annotation: ran (1 attempt, 0.0 seconds)`.
    public var description: String {
        "\(blockId)/\(action): \(outcome) (\(attempts) attempt\(attempts == 1 ? "" : "s"), \(duration))"
    }
}

/// The result of running a flow for one recording: every step's outcome, in order.
public struct RemediationReport: Sendable, Hashable, CustomStringConvertible {
    /// How the run ended.
    public enum Status: String, Sendable, Hashable {
        /// Every reached step is done (now or earlier). Acknowledge the job.
        case completed
        /// Another worker is running a step; retry the job after its lease (nothing failed).
        case deferred
        /// A step failed transiently (``FailureClass/transient(suggestedDelay:)``); its claim was released.
        /// Retry the job later: finished steps are skipped then.
        case retryLater
        /// A step failed permanently and was dead-lettered; the flow stopped there. Acknowledge the job.
        case deadLettered
    }

    /// The flow's name.
    public let flowName: String
    /// The recording.
    public let recordingId: GenesysID
    /// The verdict's correlation id.
    public let correlationId: CorrelationID
    /// How the run ended.
    public let status: Status
    /// Every step reached, in order. Blocks after a stop are not listed.
    public let steps: [RemediationStepReport]
    /// Total time on the executor's clock.
    public let duration: Duration

    /// Creates a report.
    public init(
        flowName: String, recordingId: GenesysID, correlationId: CorrelationID, status: Status,
        steps: [RemediationStepReport], duration: Duration
    ) {
        self.flowName = flowName
        self.recordingId = recordingId
        self.correlationId = correlationId
        self.status = status
        self.steps = steps
        self.duration = duration
    }

    /// The steps with a given outcome label.
    public func steps(labelled label: String) -> [RemediationStepReport] {
        steps.filter { $0.outcome.label == label }
    }

    /// The step for `blockId` and `action`, if reached.
    public func step(_ blockId: String, _ action: RemediationStepAction) -> RemediationStepReport? {
        steps.first { $0.blockId == blockId && $0.action == action }
    }

    /// A multi-line summary, one step a line.
    public var description: String {
        (["\(flowName) for recording \(recordingId): \(status.rawValue) in \(duration)"]
            + steps.map { "  \($0)" }).joined(separator: "\n")
    }
}

/// A permanently failed remediation step, handed to a ``DeadLetterSink`` for a person to look at.
///
/// It carries identifiers and Vigil-authored reasons only: no evidence, no transcript, no attributes.
public struct RemediationDeadLetter: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The flow's name.
    public var flowName: String
    /// The block that failed.
    public var blockId: String
    /// The step that failed.
    public var action: String
    /// The conversation.
    public var conversationId: GenesysID
    /// The recording.
    public var recordingId: GenesysID
    /// The verdict's correlation id.
    public var correlationId: CorrelationID
    /// The failure's stable code (e.g. `platform.badRequest`), or the error's type name.
    public var errorCode: String
    /// The full reason: the error's description (Vigil errors never carry personal data) and context.
    public var reason: String
    /// Platform calls attempted.
    public var attempts: Int
    /// When the step was dead-lettered (wall clock).
    public var occurredAt: Date

    /// Creates a dead letter.
    public init(
        flowName: String, blockId: String, action: String, conversationId: GenesysID,
        recordingId: GenesysID, correlationId: CorrelationID, errorCode: String, reason: String,
        attempts: Int, occurredAt: Date
    ) {
        self.flowName = flowName
        self.blockId = blockId
        self.action = action
        self.conversationId = conversationId
        self.recordingId = recordingId
        self.correlationId = correlationId
        self.errorCode = errorCode
        self.reason = reason
        self.attempts = attempts
        self.occurredAt = occurredAt
    }

    /// One line with every field.
    public var description: String {
        "dead letter \(flowName)/\(blockId)/\(action) recording \(recordingId) conversation \(conversationId) "
            + "correlation \(correlationId): \(errorCode) after \(attempts) attempt(s) — \(reason)"
    }
}

/// Where permanently failed steps go: a table, a queue, an alert. Must be durable before it returns.
public protocol DeadLetterSink: Sendable {
    /// Stores `letter`. A throw makes the executor treat the step as transiently failed (the claim is
    /// released and the run retried), so a dead letter is never lost.
    func deadLetter(_ letter: RemediationDeadLetter) async throws
}

/// A ``DeadLetterSink`` in memory: for tests, the demo, and single-process hosts that poll it.
public actor InMemoryDeadLetterSink: DeadLetterSink {
    /// Every letter received, oldest first.
    public private(set) var letters: [RemediationDeadLetter] = []

    /// Creates an empty sink.
    public init() {}

    /// Appends `letter`.
    public func deadLetter(_ letter: RemediationDeadLetter) {
        letters.append(letter)
    }
}
