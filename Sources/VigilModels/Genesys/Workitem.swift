import Foundation

/// Body of `POST /api/v2/taskmanagement/workitems` (all fields of Genesys' `WorkitemCreate`).
///
/// Genesys' limits are checked by ``validate(now:)`` and also when decoding (a simulator decoding a
/// request answers 400 exactly where Genesys would): name 3–256, description ≤ 512, priority
/// ±25,000,000, ≤ 20 scored agents with scores 0–100; with `now`, `dateExpires` ≤ 365 days ahead.
/// Lengths are UTF-16 units, as the JVM platform counts them.
public struct WorkitemCreate: Codable, Sendable, Hashable {
    /// Name, 3–256 characters (required).
    public var name: String
    /// Worktype id (required).
    public var typeId: String
    /// Workbin id.
    public var workbinId: String?
    /// Priority, −25,000,000…25,000,000.
    public var priority: Int?
    /// Due date.
    public var dateDue: Date?
    /// Expiry date (≤ 365 days ahead).
    public var dateExpires: Date?
    /// Estimated duration in seconds.
    public var durationSeconds: Int?
    /// Time to live, epoch seconds.
    public var ttl: Int64?
    /// Initial status id.
    public var statusId: String?
    /// `false` disables automatic status transitions.
    public var autoStatusTransition: Bool?
    /// Description, ≤ 512 characters.
    public var description: String?
    /// Custom fields per the worktype schema (keys carry type suffixes such as `_text`).
    public var customFields: [String: JSONValue]?
    /// Queue id.
    public var queueId: String?
    /// Assignee user id.
    public var assigneeId: String?
    /// Language id.
    public var languageId: String?
    /// External contact id.
    public var externalContactId: String?
    /// External tag (Vigil uses it to find its own work items again).
    public var externalTag: String?
    /// Skill ids.
    public var skillIds: [String]?
    /// Script id.
    public var scriptId: String?
    /// Wrap-up code.
    public var wrapupCode: String?
    /// Utilization label id.
    public var utilizationLabelId: String?
    /// Scored agents (≤ 20).
    public var scoredAgents: [WorkitemScoredAgent]?
    /// Preferred agent ids.
    public var preferredAgentIds: [String]?

    /// Creates a body; call ``validate(now:)`` before sending.
    public init(
        name: String, typeId: String, workbinId: String? = nil, priority: Int? = nil,
        description: String? = nil, queueId: String? = nil, externalTag: String? = nil,
        customFields: [String: JSONValue]? = nil
    ) {
        self.name = name
        self.typeId = typeId
        self.workbinId = workbinId
        self.priority = priority
        self.description = description
        self.queueId = queueId
        self.externalTag = externalTag
        self.customFields = customFields
    }

    /// Genesys' priority bounds.
    public static let priorityRange = -25_000_000...25_000_000
    /// Genesys' name length bounds.
    public static let nameLength = 3...256
    /// Genesys' longest description.
    public static let maxDescriptionLength = 512
    /// Genesys' most scored agents.
    public static let maxScoredAgents = 20

    /// Checks Genesys' documented limits; `now` enables the `dateExpires` ≤ 365 days rule.
    public func validate(now: Date? = nil) throws(ModelValidationError) {
        guard Self.nameLength.contains(genesysLength(name)) else {
            throw ModelValidationError(code: .invalidValue, path: "name", reason: "length must be between 3 and 256")
        }
        guard !typeId.isEmpty else {
            throw ModelValidationError(code: .invalidValue, path: "typeId", reason: "must not be empty")
        }
        if let description, genesysLength(description) > Self.maxDescriptionLength {
            throw ModelValidationError(code: .invalidValue, path: "description", reason: "length must be at most 512")
        }
        if let priority, !Self.priorityRange.contains(priority) {
            throw ModelValidationError(
                code: .invalidValue, path: "priority",
                reason: "must be between -25000000 and 25000000")
        }
        if let durationSeconds, durationSeconds < 0 {
            throw ModelValidationError(code: .invalidValue, path: "durationSeconds", reason: "must not be negative")
        }
        if let scoredAgents {
            guard scoredAgents.count <= Self.maxScoredAgents else {
                throw ModelValidationError(code: .invalidValue, path: "scoredAgents", reason: "at most 20 items")
            }
            for (index, agent) in scoredAgents.enumerated() where !(0...100).contains(agent.score) {
                throw ModelValidationError(
                    code: .invalidValue, path: "scoredAgents[\(index)].score",
                    reason: "must be between 0 and 100")
            }
        }
        if let now, let dateExpires, dateExpires > now.addingTimeInterval(365 * 86_400) {
            throw ModelValidationError(
                code: .invalidValue, path: "dateExpires",
                reason: "must be at most 365 days ahead")
        }
    }

    enum CodingKeys: String, CodingKey {
        case name, typeId, workbinId, priority, dateDue, dateExpires, durationSeconds, ttl, statusId
        case autoStatusTransition, description, customFields, queueId, assigneeId, languageId
        case externalContactId, externalTag, skillIds, scriptId, wrapupCode, utilizationLabelId
        case scoredAgents, preferredAgentIds
    }

    /// Decodes strictly (integers must be integral) and applies ``validate(now:)`` without a clock.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        typeId = try c.decode(String.self, forKey: .typeId)
        workbinId = try c.decodeIfPresent(String.self, forKey: .workbinId)
        priority = try c.decodeIntegerIfPresent(.priority).map { Int($0) }
        dateDue = try c.decodeIfPresent(Date.self, forKey: .dateDue)
        dateExpires = try c.decodeIfPresent(Date.self, forKey: .dateExpires)
        durationSeconds = try c.decodeIntegerIfPresent(.durationSeconds).map { Int($0) }
        ttl = try c.decodeIntegerIfPresent(.ttl)
        statusId = try c.decodeIfPresent(String.self, forKey: .statusId)
        autoStatusTransition = try c.decodeIfPresent(Bool.self, forKey: .autoStatusTransition)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        customFields = try c.decodeIfPresent([String: JSONValue].self, forKey: .customFields)
        queueId = try c.decodeIfPresent(String.self, forKey: .queueId)
        assigneeId = try c.decodeIfPresent(String.self, forKey: .assigneeId)
        languageId = try c.decodeIfPresent(String.self, forKey: .languageId)
        externalContactId = try c.decodeIfPresent(String.self, forKey: .externalContactId)
        externalTag = try c.decodeIfPresent(String.self, forKey: .externalTag)
        skillIds = try c.decodeIfPresent([String].self, forKey: .skillIds)
        scriptId = try c.decodeIfPresent(String.self, forKey: .scriptId)
        wrapupCode = try c.decodeIfPresent(String.self, forKey: .wrapupCode)
        utilizationLabelId = try c.decodeIfPresent(String.self, forKey: .utilizationLabelId)
        scoredAgents = try c.decodeIfPresent([WorkitemScoredAgent].self, forKey: .scoredAgents)
        preferredAgentIds = try c.decodeIfPresent([String].self, forKey: .preferredAgentIds)
        try decoder.validating { () throws(ModelDecodingError) in try validate() }
    }
}

/// An agent score on a work item.
public struct WorkitemScoredAgent: Codable, Sendable, Hashable {
    /// The agent's user id.
    public var agentId: String
    /// Score 0–100.
    public var score: Int

    /// Creates a scored agent.
    public init(agentId: String, score: Int) {
        self.agentId = agentId
        self.score = score
    }
}

/// A work item as Genesys returns it (`POST`/`GET /api/v2/taskmanagement/workitems…`).
///
/// The API nests references (`type`, `queue`, `status`, `workbin`); ``typeId``, ``queueId``,
/// ``statusId`` and ``workbinId`` read through them. Only ``id`` is required.
public struct Workitem: Codable, Sendable, Hashable {
    /// Work item id.
    public var id: String
    /// Name.
    public var name: String?
    /// Worktype.
    public var type: EntityReference?
    /// Description.
    public var description: String?
    /// Priority.
    public var priority: Int?
    /// Creation time.
    public var dateCreated: Date?
    /// Last modification time.
    public var dateModified: Date?
    /// Due date.
    public var dateDue: Date?
    /// Expiry.
    public var dateExpires: Date?
    /// Close time.
    public var dateClosed: Date?
    /// Last status change.
    public var dateStatusChanged: Date?
    /// Estimated duration in seconds.
    public var durationSeconds: Int?
    /// Time to live in seconds.
    public var ttl: Int64?
    /// Current status.
    public var status: EntityReference?
    /// Category of the current status (e.g. `Open`, `Closed`).
    public var statusCategory: String?
    /// Workbin.
    public var workbin: EntityReference?
    /// Queue.
    public var queue: EntityReference?
    /// Assignee (id only).
    public var assignee: UserReference?
    /// Division.
    public var division: EntityReference?
    /// External tag.
    public var externalTag: String?
    /// Assignment state.
    public var assignmentState: String?
    /// Auto status transition flag.
    public var autoStatusTransition: Bool?
    /// Custom fields.
    public var customFields: [String: JSONValue]?
    /// Scored agents.
    public var scoredAgents: [WorkitemScoredAgent]?
    /// API URI.
    public var selfUri: String?

    /// Creates a work item (tests and simulators).
    public init(
        id: String, name: String? = nil, type: EntityReference? = nil, priority: Int? = nil,
        queue: EntityReference? = nil, externalTag: String? = nil, dateCreated: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.type = type
        self.priority = priority
        self.queue = queue
        self.externalTag = externalTag
        self.dateCreated = dateCreated
    }

    /// `type.id`.
    public var typeId: String? { type?.id }
    /// `queue.id`.
    public var queueId: String? { queue?.id }
    /// `status.id`.
    public var statusId: String? { status?.id }
    /// `workbin.id`.
    public var workbinId: String? { workbin?.id }
}
