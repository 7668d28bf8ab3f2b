/// A Process Automation trigger (`/api/v2/processautomation/triggers`): when an event on `topicName`
/// matches `matchCriteria`, Genesys Cloud starts the target Architect workflow with the event's data.
/// The body of `POST` (create), `PUT …/{triggerId}` (update) and each entry of `GET` (list).
public struct ProcessAutomationTrigger: Codable, Sendable, Hashable {
    /// Assigned by the platform.
    public var id: String?
    /// Unique per organisation in practice; Vigil's provisioning finds its trigger by it.
    public var name: String
    /// The topic (`v2.detail.events.conversation.{id}.customer.end`); cannot be changed later.
    public var topicName: String
    /// Whether it fires.
    public var enabled: Bool
    /// What it starts.
    public var target: Target
    /// All must match (none: every event fires).
    public var matchCriteria: [MatchCriterion]?
    /// How long an event may wait to be processed, in seconds (≥ 10); excludes ``delayBySeconds``.
    public var eventTTLSeconds: Int?
    /// Delay before the workflow starts, 60–900 s; excludes ``eventTTLSeconds``.
    public var delayBySeconds: Int?
    /// At most 512 characters.
    public var description: String?
    /// The platform's version of the trigger (sent back on update).
    public var version: Int?

    /// The workflow a trigger starts.
    public struct Target: Codable, Sendable, Hashable {
        /// `Workflow`.
        public var type: String
        /// The workflow's flow id.
        public var id: String
        /// How the event reaches the workflow.
        public var workflowTargetSettings: WorkflowTargetSettings?

        /// Creates a target.
        public init(type: String = "Workflow", id: String, workflowTargetSettings: WorkflowTargetSettings? = nil) {
            self.type = type
            self.id = id
            self.workflowTargetSettings = workflowTargetSettings
        }
    }

    /// `dataFormat`: `Json` (one input variable with the event) or `TopLevelPrimitives`.
    public struct WorkflowTargetSettings: Codable, Sendable, Hashable {
        public var dataFormat: String

        /// Creates the settings.
        public init(dataFormat: String) { self.dataFormat = dataFormat }
    }

    /// One condition on the event body.
    public struct MatchCriterion: Codable, Sendable, Hashable {
        public var jsonPath: String
        /// `Equal`, `NotEqual`, `In`, `NotIn`, `Contains`, `Exists`, … (the platform's names).
        public var `operator`: String
        public var value: String?
        public var values: [String]?

        /// Creates a condition.
        public init(jsonPath: String, operator: String, value: String? = nil, values: [String]? = nil) {
            self.jsonPath = jsonPath
            self.operator = `operator`
            self.value = value
            self.values = values
        }
    }

    /// Creates a trigger.
    public init(
        id: String? = nil, name: String, topicName: String, enabled: Bool = true, target: Target,
        matchCriteria: [MatchCriterion]? = nil, eventTTLSeconds: Int? = nil, delayBySeconds: Int? = nil,
        description: String? = nil, version: Int? = nil
    ) {
        self.id = id
        self.name = name
        self.topicName = topicName
        self.enabled = enabled
        self.target = target
        self.matchCriteria = matchCriteria
        self.eventTTLSeconds = eventTTLSeconds
        self.delayBySeconds = delayBySeconds
        self.description = description
        self.version = version
    }

    /// Whether `other` asks the platform for the same behaviour (ignoring id and version).
    public func configures(sameAs other: ProcessAutomationTrigger) -> Bool {
        name == other.name && topicName == other.topicName && enabled == other.enabled && target == other.target
            && (matchCriteria ?? []) == (other.matchCriteria ?? []) && eventTTLSeconds == other.eventTTLSeconds
            && delayBySeconds == other.delayBySeconds && description == other.description
    }
}

/// `GET /api/v2/processautomation/triggers`.
public struct ProcessAutomationTriggerList: Codable, Sendable, Hashable {
    /// The triggers.
    public var entities: [ProcessAutomationTrigger]
    /// The next page, when there is one.
    public var nextUri: String?

    /// Creates a list.
    public init(entities: [ProcessAutomationTrigger], nextUri: String? = nil) {
        self.entities = entities
        self.nextUri = nextUri
    }
}
