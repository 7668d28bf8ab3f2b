import VigilModels

/// One block of a loaded ``RemediationFlow``: its id and what it does, with every setting parsed.
public struct RemediationBlock: Sendable, Hashable {
    /// What a block does.
    public enum Kind: Sendable, Hashable {
        /// `validate_payload` (or the seed's `script` block): runs the ``RemediationVerdictValidator``.
        case validatePayload
        /// `tag_recording`: annotation at the offset, conversation external tag, participant attributes.
        case tagRecording(TagRecordingSettings)
        /// `create_work_item`: a Task Management work item or an Architect data-table row.
        case createWorkItem(WorkItemTarget)
        /// `legal_hold`: deletion protection for the conversation's recordings.
        case legalHold
        /// `branch`: continues on its `true` or `false` transition depending on the verdict.
        case branch(BranchCondition)
        /// A block of a type the host registered (``RemediationBlockType``).
        case custom(CustomRemediationBlock)
    }

    /// The block id, unique in the flow; part of each step's idempotency key.
    public let id: String
    /// What the block does.
    public let kind: Kind
    /// The `type` as written in the document (`tag_recording`, or the seed's `api` / `script`).
    public let sourceType: String
}

/// Settings of a `tag_recording` block. At least one of the three parts is present.
public struct TagRecordingSettings: Sendable, Hashable {
    /// The annotation to create at the verdict's `timestampOffsetMs`, if any.
    public var annotation: AnnotationSettings?
    /// The conversation external tag to set, if any.
    public var externalTag: RemediationTemplate?
    /// Participant attributes to set (name → value template): on the participants the context names,
    /// or else on the conversation's participants whose `purpose` is one of ``participantPurposes``.
    public var participantAttributes: [String: RemediationTemplate]
    /// Which participants get the attributes when the context names none (default `customer`, `agent`).
    public var participantPurposes: [String] = TagRecordingSettings.defaultParticipantPurposes

    /// `["customer", "agent"]`.
    public static let defaultParticipantPurposes = ["customer", "agent"]
}

/// The annotation a `tag_recording` block creates.
public struct AnnotationSettings: Sendable, Hashable {
    /// Annotation name.
    public var name: RemediationTemplate
    /// Annotation description; resolved values are cut to Genesys' 500 characters.
    public var description: RemediationTemplate?
    /// Annotation type; default `bookmark` (Genesys does not enumerate the allowed values).
    public var type: String
    /// Annotation length in ms; default 0.
    public var durationMs: Int64
}

/// Where a `create_work_item` block writes.
public enum WorkItemTarget: Sendable, Hashable {
    /// `POST /api/v2/taskmanagement/workitems`.
    case workitem(WorkitemSettings)
    /// `POST /api/v2/flows/datatables/{datatableId}/rows`.
    case dataTable(DataTableSettings)
}

/// A Task Management work item routed to a review queue.
///
/// Its `externalTag` is not configurable: Vigil sets it to
/// `vigil-<recordingId>-<blockId>` (see ``RemediationPlanner/workitemExternalTag(recordingId:blockId:)``)
/// so that a retry after a crash finds the work item instead of creating a second.
public struct WorkitemSettings: Sendable, Hashable {
    /// Worktype id (required).
    public var typeId: String
    /// Review queue id (required).
    public var queueId: String
    /// Workbin id.
    public var workbinId: String?
    /// Priority, −25,000,000…25,000,000.
    public var priority: Int?
    /// Name; at least 3 characters whatever the verdict, cut to 256.
    public var name: RemediationTemplate
    /// Description; cut to 512.
    public var description: RemediationTemplate?
    /// Custom fields per the worktype schema.
    public var customFields: [String: TemplatedValue]

    /// Creates the settings (flows are usually loaded from JSON instead).
    public init(
        typeId: String, queueId: String, workbinId: String? = nil, priority: Int? = nil,
        name: RemediationTemplate, description: RemediationTemplate? = nil,
        customFields: [String: TemplatedValue] = [:]
    ) {
        self.typeId = typeId
        self.queueId = queueId
        self.workbinId = workbinId
        self.priority = priority
        self.name = name
        self.description = description
        self.customFields = customFields
    }
}

/// An Architect data-table row.
public struct DataTableSettings: Sendable, Hashable {
    /// The data table id.
    public var datatableId: String
    /// The row `key`; must use `{data.recordingId}` so each recording has its own row, and a retry
    /// meets the row an earlier attempt wrote.
    public var key: RemediationTemplate
    /// The other columns.
    public var columns: [String: TemplatedValue]
}

/// A JSON setting value: a string is a template, anything else is sent as written.
public enum TemplatedValue: Sendable, Hashable {
    /// A string with placeholders.
    case text(RemediationTemplate)
    /// A number, boolean, null, array or object, sent unchanged.
    case literal(JSONValue)

    /// The JSON value for one verdict.
    ///
    /// - Parameter values: the verdict's and context's values.
    public func resolve(_ values: RemediationValues) -> JSONValue {
        switch self {
        case let .text(template): .string(template.resolve(values))
        case let .literal(value): value
        }
    }
}

/// The test of a `branch` block.
///
/// ```json
/// { "field": "confidenceScore", "operator": ">=", "value": 0.9 }
/// { "field": "violationType", "operator": "in", "values": ["PCI_MID_CAPTURE", "PCI_CVV_CAPTURE"] }
/// ```
public struct BranchCondition: Sendable, Hashable {
    /// The verdict field tested.
    public enum Field: String, Sendable, Hashable, CaseIterable {
        /// `verdict` (string).
        case verdict
        /// `violationType` (string; `NONE` when absent).
        case violationType
        /// `recommendedAction` (string; `NONE` when absent).
        case recommendedAction
        /// `confidenceScore` (number 0…1).
        case confidenceScore
    }

    /// The comparison.
    public enum Comparison: Sendable, Hashable {
        /// `==`
        case equals(String)
        /// `!=`
        case notEquals(String)
        /// `in`
        case isIn(Set<String>)
        /// `notIn`
        case notIn(Set<String>)
        /// `>=`
        case atLeast(Double)
        /// `>`
        case greaterThan(Double)
        /// `<=`
        case atMost(Double)
        /// `<`
        case lessThan(Double)
    }

    /// The field tested.
    public var field: Field
    /// How it is compared.
    public var comparison: Comparison

    /// Whether `verdict` passes the test.
    public func evaluate(_ verdict: ComplianceVerdict) -> Bool {
        if field == .confidenceScore {
            let score = verdict.confidenceScore
            switch comparison {
            case let .atLeast(v): return score >= v
            case let .greaterThan(v): return score > v
            case let .atMost(v): return score <= v
            case let .lessThan(v): return score < v
            default: return false
            }
        }
        let text: String =
            switch field {
            case .verdict: verdict.verdict.rawValue
            case .violationType: verdict.violationType?.rawValue ?? "NONE"
            case .recommendedAction: verdict.recommendedAction?.rawValue ?? "NONE"
            case .confidenceScore: ""
            }
        switch comparison {
        case let .equals(v): return text == v
        case let .notEquals(v): return text != v
        case let .isIn(set): return set.contains(text)
        case let .notIn(set): return !set.contains(text)
        default: return false
        }
    }
}

/// A transition between two flow nodes (the entry point or blocks).
public struct FlowTransition: Sendable, Hashable, CustomStringConvertible {
    /// The entry point name or block id it leaves.
    public var from: String
    /// The block id it leads to.
    public var to: String
    /// For a transition out of a `branch` block: the result that takes it.
    public var when: Bool?

    /// Creates a transition.
    public init(from: String, to: String, when: Bool? = nil) {
        self.from = from
        self.to = to
        self.when = when
    }

    /// `'a' → 'b'` or `'a' → 'b' (when true)`.
    public var description: String {
        "'\(from)' → '\(to)'" + (when.map { " (when \($0))" } ?? "")
    }
}
