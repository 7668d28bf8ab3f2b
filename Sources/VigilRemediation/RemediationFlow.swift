import Foundation
import VigilModels

/// A remediation flow in the seed's Architect-style JSON, loaded and checked once, run by
/// ``RemediationExecutor`` for every flagged recording.
///
/// ```json
/// { "name": "ComplianceViolationRemediation",
///   "entryPoints": [ { "name": "ComplianceWebhookCallback", "type": "webhook" } ],
///   "blocks": [ { "id": "validate_payload", "type": "validate_payload" },
///               { "id": "tag_recording", "type": "tag_recording",
///                 "settings": { "externalTag": "compliance-flag" } } ],
///   "transitions": [ { "from": "ComplianceWebhookCallback", "to": "validate_payload" },
///                    { "from": "validate_payload", "to": "tag_recording" } ] }
/// ```
///
/// Loading rejects — with a ``RemediationFlowError`` naming the block or transition — unknown block
/// types, unknown settings, missing required settings, unknown placeholders, transitions from or to
/// unknown blocks, cycles, unreachable blocks and a missing entry point. A flow that loads cannot fail
/// at run time because of its document. The seed's own flow (with its `script` and `api` blocks) loads
/// unchanged; see the module documentation for how those map onto the real platform.
public struct RemediationFlow: Sendable, Hashable {
    /// Values supplied when a flow is loaded.
    public struct LoadOptions: Sendable, Hashable {
        /// Values for `{params.NAME}` placeholders (worktype, queue, workbin and data-table ids…).
        public var parameters: [String: String]
        /// Maps the seed's `datasetId` names to real Architect data-table ids; a dataset not listed
        /// is used as the data-table id unchanged.
        public var dataTableIDs: [String: String]

        /// The host's own block types, by ``RemediationBlockType/name``.
        public var blockTypes: [RemediationBlockType]

        /// Creates options.
        public init(
            parameters: [String: String] = [:], dataTableIDs: [String: String] = [:],
            blockTypes: [RemediationBlockType] = []
        ) {
            self.parameters = parameters
            self.dataTableIDs = dataTableIDs
            self.blockTypes = blockTypes
        }
    }

    /// The flow's name.
    public let name: String
    /// The flow's description, if any.
    public let description: String?
    /// The name of the (single) entry point.
    public let entryPoint: String
    /// The blocks in document order.
    public let blocks: [RemediationBlock]
    /// The transitions in document order.
    public let transitions: [FlowTransition]
    /// The block the entry point leads to.
    public let startBlockId: String

    private let index: [String: Int]

    /// Loads and checks a flow document.
    ///
    /// - Throws: ``RemediationFlowError`` for the first problem found.
    public init(json: Data, options: LoadOptions = LoadOptions()) throws(RemediationFlowError) {
        let root: JSONValue
        do {
            root = try VigilJSON.decode(JSONValue.self, from: json)
        } catch {
            throw RemediationFlowError(
                code: .invalidJSON, path: error.path,
                detail: "the flow is not I-JSON (\(error.code)\(error.offset.map { " at byte \($0)" } ?? ""))")
        }
        try self.init(document: root, options: options)
    }

    /// Loads and checks a flow document given as a string.
    public init(json: String, options: LoadOptions = LoadOptions()) throws(RemediationFlowError) {
        try self.init(json: Data(json.utf8), options: options)
    }

    /// The block with `id`.
    public func block(_ id: String) -> RemediationBlock? {
        index[id].map { blocks[$0] }
    }

    /// The settings of the flow's first Task Management work-item block, in document order (`nil` when
    /// the flow creates none, or only data-table rows). A live report opens its work item with these,
    /// so the flow's work-item step later finds it (same worktype) instead of creating another.
    public var workitemSettings: WorkitemSettings? {
        for block in blocks {
            if case .createWorkItem(.workitem(let settings)) = block.kind { return settings }
        }
        return nil
    }

    /// The block after `blockId`: for a `branch` block, the arm for `result`; `nil` at the end.
    public func successor(of blockId: String, result: Bool? = nil) -> String? {
        transitions.first { $0.from == blockId && $0.when == result }?.to
    }

    // MARK: - Document

    private init(document root: JSONValue, options: LoadOptions) throws(RemediationFlowError) {
        guard let object = root.objectValue else {
            throw RemediationFlowError(code: .invalidJSON, detail: "the flow must be a JSON object")
        }
        guard let name = object["name"]?.stringValue, !name.isEmpty else {
            throw RemediationFlowError(code: .missingField, path: "name", detail: "a flow needs a non-empty name")
        }
        self.name = name
        description = object["description"]?.stringValue

        // Blocks.
        guard let rawBlocks = object["blocks"]?.arrayValue, !rawBlocks.isEmpty else {
            throw RemediationFlowError(code: .noBlocks, path: "blocks", detail: "a flow needs at least one block")
        }
        var blocks: [RemediationBlock] = []
        var index: [String: Int] = [:]
        for (position, raw) in rawBlocks.enumerated() {
            let block = try BlockParser.parse(raw, position: position, options: options)
            guard index[block.id] == nil else {
                throw RemediationFlowError(code: .duplicateBlockId, blockId: block.id, detail: "two blocks have this id")
            }
            index[block.id] = blocks.count
            blocks.append(block)
        }

        // Entry point.
        guard let entryPoints = object["entryPoints"]?.arrayValue, !entryPoints.isEmpty else {
            throw RemediationFlowError(code: .noEntryPoint, path: "entryPoints", detail: "a flow needs an entry point")
        }
        guard entryPoints.count == 1 else {
            throw RemediationFlowError(
                code: .multipleEntryPoints, path: "entryPoints",
                detail: "Vigil runs a flow from exactly one entry point, found \(entryPoints.count)")
        }
        guard let entry = entryPoints[0]["name"]?.stringValue, !entry.isEmpty else {
            throw RemediationFlowError(
                code: .missingField, path: "entryPoints[0].name",
                detail: "the entry point needs a name")
        }
        guard BlockParser.isBlockId(entry) else {
            throw RemediationFlowError(
                code: .invalidBlockId, path: "entryPoints[0].name",
                detail: "an entry point's name is 1-64 characters from A-Z a-z 0-9 _ - .")
        }
        guard index[entry] == nil else {
            throw RemediationFlowError(
                code: .duplicateBlockId, blockId: entry,
                detail: "a block has the entry point's name")
        }
        entryPoint = entry

        // Transitions.
        let rawTransitions = object["transitions"]?.arrayValue ?? []
        if object["transitions"] != nil, object["transitions"]?.arrayValue == nil {
            throw RemediationFlowError(code: .invalidJSON, path: "transitions", detail: "must be an array")
        }
        var transitions: [FlowTransition] = []
        for (position, raw) in rawTransitions.enumerated() {
            let path = "transitions[\(position)]"
            guard let from = raw["from"]?.stringValue, !from.isEmpty else {
                throw RemediationFlowError(code: .missingField, path: "\(path).from", detail: "a transition needs 'from'")
            }
            guard let to = raw["to"]?.stringValue, !to.isEmpty else {
                throw RemediationFlowError(code: .missingField, path: "\(path).to", detail: "a transition needs 'to'")
            }
            // Checked before any error quotes them: a name of another shape is no block, and is not
            // echoed (it could be anything).
            for (end, name) in [("from", from), ("to", to)] where !BlockParser.isBlockId(name) {
                throw RemediationFlowError(
                    code: .invalidTransition, path: "\(path).\(end)",
                    detail: "a transition names a block id: 1-64 characters from A-Z a-z 0-9 _ - .")
            }
            var when: Bool?
            switch raw["when"] {
            case nil, .null?: when = nil
            case let .bool(value)?: when = value
            case .string("true")?: when = true
            case .string("false")?: when = false
            default:
                throw RemediationFlowError(
                    code: .invalidSetting, transition: FlowTransition(from: from, to: to),
                    path: "\(path).when", detail: "must be true or false")
            }
            transitions.append(FlowTransition(from: from, to: to, when: when))
        }
        try Self.checkTransitions(transitions, entry: entry, blocks: blocks, index: index)
        guard let start = transitions.first(where: { $0.from == entry })?.to else {
            throw RemediationFlowError(
                code: .noEntryPoint, path: "transitions",
                detail: "no transition leaves the entry point '\(entry)'")
        }
        try Self.checkAcyclic(transitions, blocks: blocks)
        try Self.checkReachable(transitions, start: start, blocks: blocks)

        self.blocks = blocks
        self.index = index
        self.transitions = transitions
        self.startBlockId = start
    }

    private static func checkTransitions(
        _ transitions: [FlowTransition], entry: String, blocks: [RemediationBlock],
        index: [String: Int]
    ) throws(RemediationFlowError) {
        var seen: Set<FlowTransition> = []
        var outgoing: [String: [FlowTransition]] = [:]
        for transition in transitions {
            let sourceBlock = index[transition.from].map { blocks[$0] }
            guard transition.from == entry || sourceBlock != nil else {
                throw RemediationFlowError(
                    code: .unknownTransitionSource, transition: transition,
                    detail: "'\(transition.from)' is neither a block nor the entry point")
            }
            guard index[transition.to] != nil else {
                let detail =
                    transition.to == entry
                    ? "a transition cannot lead to the entry point"
                    : "'\(transition.to)' is not a block"
                throw RemediationFlowError(code: .unknownTransitionTarget, transition: transition, detail: detail)
            }
            guard seen.insert(transition).inserted else {
                throw RemediationFlowError(
                    code: .invalidTransition, transition: transition,
                    detail: "the transition is listed twice")
            }
            let isBranch: Bool = if case .branch? = sourceBlock?.kind { true } else { false }
            let siblings = outgoing[transition.from, default: []]
            if isBranch {
                guard transition.when != nil else {
                    throw RemediationFlowError(
                        code: .invalidTransition, blockId: transition.from, transition: transition,
                        detail: "a transition out of a branch needs \"when\": true or false")
                }
                guard !siblings.contains(where: { $0.when == transition.when }) else {
                    throw RemediationFlowError(
                        code: .invalidTransition, blockId: transition.from, transition: transition,
                        detail: "the branch already has a 'when \(transition.when!)' transition")
                }
            } else {
                guard transition.when == nil else {
                    throw RemediationFlowError(
                        code: .invalidTransition, transition: transition,
                        detail: "only transitions out of a branch block take 'when'")
                }
                guard siblings.isEmpty else {
                    throw RemediationFlowError(
                        code: .invalidTransition, transition: transition,
                        detail: "'\(transition.from)' already has a transition; use a branch block to choose between two")
                }
            }
            outgoing[transition.from, default: []].append(transition)
        }
    }

    private static func checkAcyclic(_ transitions: [FlowTransition], blocks: [RemediationBlock])
        throws(RemediationFlowError)
    {
        var edges: [String: [String]] = [:]
        for transition in transitions { edges[transition.from, default: []].append(transition.to) }
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        for block in blocks where marks[block.id] == nil {
            // Iterative depth-first search keeping the current path, so the cycle can be named.
            var path: [String] = [block.id]
            var stack: [(node: String, next: Int)] = [(block.id, 0)]
            marks[block.id] = .visiting
            while let top = stack.last {
                let targets = edges[top.node] ?? []
                if top.next < targets.count {
                    stack[stack.count - 1].next += 1
                    let target = targets[top.next]
                    switch marks[target] {
                    case .visiting?:
                        let start = path.firstIndex(of: target) ?? 0
                        let cycle = (path[start...] + [target]).map { "'\($0)'" }.joined(separator: " → ")
                        throw RemediationFlowError(code: .cycle, blockId: target, detail: "the transitions loop: \(cycle)")
                    case .done?:
                        continue
                    case nil:
                        marks[target] = .visiting
                        path.append(target)
                        stack.append((target, 0))
                    }
                } else {
                    marks[top.node] = .done
                    path.removeLast()
                    stack.removeLast()
                }
            }
        }
    }

    private static func checkReachable(_ transitions: [FlowTransition], start: String, blocks: [RemediationBlock])
        throws(RemediationFlowError)
    {
        var reached: Set<String> = [start]
        var queue = [start]
        while let node = queue.popLast() {
            for transition in transitions where transition.from == node && reached.insert(transition.to).inserted {
                queue.append(transition.to)
            }
        }
        if let orphan = blocks.first(where: { !reached.contains($0.id) }) {
            throw RemediationFlowError(
                code: .unreachableBlock, blockId: orphan.id,
                detail: "no path from the entry point leads to this block")
        }
    }
}

// MARK: - Blocks

/// Parses one block's JSON into a ``RemediationBlock``.
enum BlockParser {
    static let seedTagPaths: Set<String> = ["/api/v2/recordings/{recordingId}", "/api/v2/recordings/{data.recordingId}"]
    static let seedDatasetPath = "/api/v2/analytics/datadatasets/records"

    static func parse(_ raw: JSONValue, position: Int, options: RemediationFlow.LoadOptions)
        throws(RemediationFlowError) -> RemediationBlock
    {
        guard raw.objectValue != nil else {
            throw RemediationFlowError(code: .invalidJSON, path: "blocks[\(position)]", detail: "a block must be an object")
        }
        guard let id = raw["id"]?.stringValue else {
            throw RemediationFlowError(code: .missingField, path: "blocks[\(position)].id", detail: "a block needs an id")
        }
        guard isBlockId(id) else {
            throw RemediationFlowError(
                code: .invalidBlockId, path: "blocks[\(position)].id",
                detail: "a block id is 1-64 characters from A-Z a-z 0-9 _ - .")
        }
        guard let type = raw["type"]?.stringValue else {
            throw RemediationFlowError(code: .missingField, blockId: id, path: "type", detail: "a block needs a type")
        }
        let settings: Settings
        switch raw["settings"] {
        case nil, .null?: settings = Settings(blockId: id, path: "settings", object: [:], options: options)
        case let .object(object)?: settings = Settings(blockId: id, path: "settings", object: object, options: options)
        default:
            throw RemediationFlowError(code: .invalidJSON, blockId: id, path: "settings", detail: "must be an object")
        }
        let kind: RemediationBlock.Kind
        switch type {
        case "validate_payload":
            try settings.allow([])
            kind = .validatePayload
        case "script":
            // The seed's validation script: Vigil runs its typed validator instead of JavaScript.
            try settings.allow(["script"])
            _ = try settings.string("script", required: true)
            kind = .validatePayload
        case "tag_recording":
            kind = .tagRecording(try tagRecording(settings))
        case "create_work_item":
            kind = .createWorkItem(try workItem(settings))
        case "legal_hold":
            try settings.allow([])
            kind = .legalHold
        case "branch", "condition":
            kind = .branch(try branch(settings))
        case "api":
            kind = try seedAPI(settings)
        default:
            let registered = options.blockTypes.filter { $0.name == type }
            guard let blockType = registered.first else {
                // Named only when it has a block type's shape: anything else could be anything.
                let named = isBlockId(type) ? " '\(type)'" : ""
                throw RemediationFlowError(
                    code: .unknownBlockType, blockId: id, path: "type",
                    detail: "unknown block type\(named); Vigil runs validate_payload, tag_recording, "
                        + "create_work_item, legal_hold, branch, the seed's script/api blocks "
                        + "and the types registered in LoadOptions.blockTypes")
            }
            guard registered.count == 1 else {
                throw RemediationFlowError(
                    code: .invalidBlockType, blockId: id, path: "type",
                    detail: "block type '\(type)' is registered more than once")
            }
            let plan: any RemediationBlockPlan
            do {
                plan = try blockType.parse(settings)
            } catch let error as RemediationFlowError {
                throw error
            } catch {
                throw settings.error(.invalidSetting, "", "block type '\(type)' refused its settings (\(Swift.type(of: error)))")
            }
            kind = .custom(CustomRemediationBlock(typeName: type, settings: raw["settings"] ?? .object([:]), plan: plan))
        }
        return RemediationBlock(id: id, kind: kind, sourceType: type)
    }

    /// 1–64 characters from `A–Z a–z 0–9 _ - .`: the shape of block ids and transition ends.
    static func isBlockId(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.utf8.allSatisfy(isIdByte)
    }

    private static func isIdByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."):
            true
        default: false
        }
    }

    static func tagRecording(_ settings: Settings) throws(RemediationFlowError) -> TagRecordingSettings {
        try settings.allow(["annotation", "externalTag", "participantAttributes", "participantPurposes"])
        var annotation: AnnotationSettings?
        if let nested = try settings.object("annotation") {
            try nested.allow(["name", "description", "type", "durationMs"])
            let name = try nested.template("name", required: true)!
            try nested.require(name, "name", minLength: 1)
            let type = try nested.constant("type") ?? "bookmark"
            let duration = try nested.integer("durationMs", in: 0...86_400_000) ?? 0
            annotation = AnnotationSettings(
                name: name, description: try nested.template("description"), type: type,
                durationMs: Int64(duration))
        }
        let externalTag = try settings.template("externalTag")
        if let externalTag { try settings.require(externalTag, "externalTag", minLength: 1) }
        let attributes = try settings.templateMap("participantAttributes")
        guard annotation != nil || externalTag != nil || !attributes.isEmpty else {
            throw settings.error(
                .missingField, "",
                "tag_recording needs at least one of annotation, externalTag, participantAttributes")
        }
        var tagSettings = TagRecordingSettings(annotation: annotation, externalTag: externalTag, participantAttributes: attributes)
        if let purposes = try settings.stringList("participantPurposes") {
            guard !purposes.isEmpty, purposes.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0 == "_" } }) else {
                throw settings.error(
                    .invalidSetting, "participantPurposes",
                    "must be a non-empty list of participant purposes such as \"customer\", \"agent\"")
            }
            guard !attributes.isEmpty else {
                throw settings.error(.invalidSetting, "participantPurposes", "only applies with participantAttributes")
            }
            tagSettings.participantPurposes = purposes.map { $0.lowercased() }
        }
        return tagSettings
    }

    static func workItem(_ settings: Settings) throws(RemediationFlowError) -> WorkItemTarget {
        switch try settings.string("target", required: true) ?? "" {
        case "workitem":
            try settings.allow([
                "target", "typeId", "queueId", "workbinId", "priority", "name", "description",
                "customFields"
            ])
            let name = try settings.template("name", required: true)!
            try settings.require(name, "name", minLength: WorkitemCreate.nameLength.lowerBound)
            let priority = try settings.integer("priority", in: WorkitemCreate.priorityRange)
            return .workitem(
                WorkitemSettings(
                    typeId: try settings.constant("typeId", required: true)!,
                    queueId: try settings.constant("queueId", required: true)!,
                    workbinId: try settings.constant("workbinId"),
                    priority: priority,
                    name: name,
                    description: try settings.template("description"),
                    customFields: try settings.valueMap("customFields")))
        case "datatable":
            try settings.allow(["target", "datatableId", "key", "columns"])
            let key: RemediationTemplate
            if let explicitKey = try settings.template("key") {
                key = explicitKey
            } else {
                key = try settings.parse("{data.recordingId}", path: "key")
            }
            try settings.requireRecordingId(key, "key")
            var columns = try settings.valueMap("columns", required: true)
            columns["key"] = nil
            return .dataTable(
                DataTableSettings(
                    datatableId: try settings.constant("datatableId", required: true)!,
                    key: key, columns: columns))
        default:
            throw settings.error(.invalidSetting, "target", "must be \"workitem\" or \"datatable\"")
        }
    }

    static func branch(_ settings: Settings) throws(RemediationFlowError) -> BranchCondition {
        try settings.allow(["field", "operator", "value", "values"])
        let fieldName = try settings.string("field", required: true)!
        guard let field = BranchCondition.Field(rawValue: fieldName) else {
            throw settings.error(
                .invalidSetting, "field",
                "must be one of "
                    + BranchCondition.Field.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let op = try settings.string("operator", required: true)!
        let comparison: BranchCondition.Comparison
        if field == .confidenceScore {
            guard let value = settings.object["value"]?.numberValue, (0...1).contains(value) else {
                throw settings.error(.invalidSetting, "value", "confidenceScore is compared with a number in 0…1")
            }
            switch op {
            case ">=": comparison = .atLeast(value)
            case ">": comparison = .greaterThan(value)
            case "<=": comparison = .atMost(value)
            case "<": comparison = .lessThan(value)
            default: throw settings.error(.invalidSetting, "operator", "confidenceScore takes >=, >, <= or <")
            }
        } else {
            switch op {
            case "==", "!=":
                guard let value = settings.object["value"]?.stringValue else {
                    throw settings.error(.invalidSetting, "value", "\(fieldName) is compared with a string")
                }
                comparison = op == "==" ? .equals(value) : .notEquals(value)
            case "in", "notIn":
                guard let values = settings.object["values"]?.arrayValue, !values.isEmpty,
                    values.allSatisfy({ $0.stringValue != nil })
                else {
                    throw settings.error(.invalidSetting, "values", "'\(op)' needs a non-empty array of strings")
                }
                let set = Set(values.compactMap(\.stringValue))
                comparison = op == "in" ? .isIn(set) : .notIn(set)
            default:
                throw settings.error(.invalidSetting, "operator", "\(fieldName) takes ==, !=, in or notIn")
            }
        }
        return BranchCondition(field: field, comparison: comparison)
    }

    /// The seed's raw `api` blocks, mapped onto the real endpoints (see the module documentation).
    static func seedAPI(_ settings: Settings) throws(RemediationFlowError) -> RemediationBlock.Kind {
        try settings.allow(["method", "path", "body"])
        let method = try settings.string("method", required: true)!.uppercased()
        var path = try settings.string("path", required: true)!
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        let body: [String: JSONValue]
        switch settings.object["body"] {
        case let .string(text)?:
            guard let parsed = try? VigilJSON.decode(JSONValue.self, from: text), let object = parsed.objectValue else {
                throw settings.error(.invalidSetting, "body", "the body must be a JSON object (or a string holding one)")
            }
            body = object
        case let .object(object)?:
            body = object
        default:
            throw settings.error(.missingField, "body", "an api block needs a body")
        }
        let bodySettings = settings.nested(body, path: "body")
        if method == "PATCH", seedTagPaths.contains(path) {
            // Recording tags do not exist on the real Recording resource: each tag becomes a participant
            // attribute, and the recording is annotated and the conversation externally tagged.
            try bodySettings.allow(["tags"])
            guard let tags = body["tags"]?.arrayValue else {
                throw bodySettings.error(.missingField, "tags", "expected an array of {\"key\", \"value\"}")
            }
            var attributes: [String: RemediationTemplate] = [:]
            for (position, tag) in tags.enumerated() {
                guard let key = tag["key"]?.stringValue, !key.isEmpty, let value = tag["value"]?.stringValue else {
                    throw bodySettings.error(
                        .invalidSetting, "tags[\(position)]",
                        "each tag is {\"key\": non-empty string, \"value\": string}")
                }
                attributes[key] = try bodySettings.parse(value, path: "tags[\(position)].value")
            }
            return .tagRecording(
                TagRecordingSettings(
                    annotation: AnnotationSettings(
                        name: try settings.parse("Compliance: {data.violationType}", path: "annotation.name"),
                        description: try settings.parse(
                            "Flagged by Vigil: {data.violationType}, verdict {data.verdict}, confidence "
                                + "{data.confidenceScore}, correlation {data.correlationId}", path: "annotation.description"),
                        type: "bookmark", durationMs: 0),
                    externalTag: try settings.parse("compliance-flag", path: "externalTag"),
                    participantAttributes: attributes))
        }
        if method == "POST", path == seedDatasetPath {
            // "Data datasets" do not exist: the record becomes a row of an Architect data table.
            try bodySettings.allow(["datasetId", "record"])
            let dataset = try bodySettings.constant("datasetId", required: true)!
            guard let record = try bodySettings.object("record") else {
                throw bodySettings.error(.missingField, "record", "expected the record object")
            }
            let key: RemediationTemplate
            if let explicitKey = try record.template("key") {
                key = explicitKey
            } else {
                key = try settings.parse("{data.recordingId}", path: "key")
            }
            try record.requireRecordingId(key, "key")
            var columns: [String: TemplatedValue] = [:]
            for (column, value) in record.object where column != "key" {
                columns[column] = try record.value(value, path: column)
            }
            return .createWorkItem(
                .dataTable(
                    DataTableSettings(
                        datatableId: settings.options.dataTableIDs[dataset] ?? dataset, key: key, columns: columns)))
        }
        throw settings.error(
            .unsupportedAPIBlock, "path",
            "\(method) \(path) is not mapped onto a Genesys Cloud endpoint; use a typed block "
                + "(tag_recording, create_work_item, legal_hold)")
    }
}

typealias Settings = RemediationBlockSettings

/// Typed access to one block's settings object while its flow loads, producing
/// ``RemediationFlowError``s that name the block and the path (and never quote a value).
///
/// Built-in blocks read their settings through it, and so does a host's ``RemediationBlockType``.
public struct RemediationBlockSettings: Sendable {
    /// The block being loaded.
    public let blockId: String
    /// The path of this object in the block (`settings`, `settings.annotation`…).
    public let path: String
    /// The object as written.
    public let object: [String: JSONValue]
    /// The flow's load options (parameters for `{params.NAME}`).
    public let options: RemediationFlow.LoadOptions

    init(blockId: String, path: String, object: [String: JSONValue], options: RemediationFlow.LoadOptions) {
        self.blockId = blockId
        self.path = path
        self.object = object
        self.options = options
    }

    func nested(_ object: [String: JSONValue], path: String) -> Settings {
        Settings(blockId: blockId, path: join(path), object: object, options: options)
    }

    func join(_ key: String) -> String { key.isEmpty ? path : "\(path).\(key)" }

    /// An error of `code` at `key` of this object, naming the block.
    public func error(_ code: RemediationFlowError.Code, _ key: String, _ detail: String) -> RemediationFlowError {
        RemediationFlowError(code: code, blockId: blockId, path: join(key), detail: detail)
    }

    /// Refuses any member not in `keys` (``RemediationFlowError/Code/unknownSetting``).
    public func allow(_ keys: Set<String>) throws(RemediationFlowError) {
        if let unknown = object.keys.sorted().first(where: { !keys.contains($0) }) {
            let known = keys.isEmpty ? "this block takes no settings" : "known: " + keys.sorted().joined(separator: ", ")
            throw error(.unknownSetting, unknown, "unknown setting; \(known)")
        }
    }

    /// A string member, or `nil` when absent (`required`: missing is ``RemediationFlowError/Code/missingField``).
    public func string(_ key: String, required: Bool = false) throws(RemediationFlowError) -> String? {
        switch object[key] {
        case nil, .null?:
            if required { throw error(.missingField, key, "required setting is missing") }
            return nil
        case let .string(value)?:
            if required, value.isEmpty { throw error(.missingField, key, "required setting is empty") }
            return value
        default:
            throw error(.invalidSetting, key, "must be a string")
        }
    }

    /// An array of strings, or `nil` when absent.
    public func stringList(_ key: String) throws(RemediationFlowError) -> [String]? {
        switch object[key] {
        case nil, .null?: return nil
        case let .array(values)?:
            var strings: [String] = []
            for value in values {
                guard let text = value.stringValue else { throw error(.invalidSetting, key, "must be a list of strings") }
                strings.append(text)
            }
            return strings
        default: throw error(.invalidSetting, key, "must be a list of strings")
        }
    }

    func parse(_ text: String, path key: String) throws(RemediationFlowError) -> RemediationTemplate {
        do {
            return try RemediationTemplate.parse(text, parameters: options.parameters)
        } catch {
            throw self.error(error.code, key, error.detail)
        }
    }

    /// A template member (`{data.…}`, `{params.…}` placeholders checked now), or `nil` when absent.
    public func template(_ key: String, required: Bool = false) throws(RemediationFlowError) -> RemediationTemplate? {
        guard let text = try string(key, required: required) else { return nil }
        return try parse(text, path: key)
    }

    /// A setting that may use `{params.…}` but not `{data.…}` (ids, types).
    public func constant(_ key: String, required: Bool = false) throws(RemediationFlowError) -> String? {
        guard let template = try template(key, required: required) else { return nil }
        guard template.isConstant else {
            throw error(.invalidSetting, key, "must not depend on the verdict (no {data.…} placeholders)")
        }
        let value = template.segments.map { if case let .literal(text) = $0 { text } else { "" } }.joined()
        if required, value.isEmpty { throw error(.missingField, key, "required setting is empty") }
        return value
    }

    /// An integer member inside `range`, or `nil` when absent.
    public func integer(_ key: String, in range: ClosedRange<Int>) throws(RemediationFlowError) -> Int? {
        guard let raw = object[key], raw != .null else { return nil }
        guard let number = raw.numberValue, number == number.rounded(), abs(number) < 1e15,
            range.contains(Int(number))
        else {
            throw error(.invalidSetting, key, "must be an integer in \(range.lowerBound)…\(range.upperBound)")
        }
        return Int(number)
    }

    /// A nested object, read with the same rules, or `nil` when absent.
    public func object(_ key: String) throws(RemediationFlowError) -> RemediationBlockSettings? {
        switch object[key] {
        case nil, .null?: return nil
        case let .object(value)?: return nested(value, path: key)
        default: throw error(.invalidSetting, key, "must be an object")
        }
    }

    /// An object of templates (name → template); empty when absent.
    public func templateMap(_ key: String) throws(RemediationFlowError) -> [String: RemediationTemplate] {
        guard let nested = try object(key) else { return [:] }
        var result: [String: RemediationTemplate] = [:]
        for (name, value) in nested.object {
            guard !name.isEmpty else { throw nested.error(.invalidSetting, name, "names must not be empty") }
            guard let text = value.stringValue else { throw nested.error(.invalidSetting, name, "must be a string") }
            result[name] = try nested.parse(text, path: name)
        }
        return result
    }

    /// An object of values (strings are templates, anything else is sent as written).
    public func valueMap(_ key: String, required: Bool = false) throws(RemediationFlowError) -> [String: TemplatedValue] {
        guard let nested = try object(key) else {
            if required { throw error(.missingField, key, "required setting is missing") }
            return [:]
        }
        var result: [String: TemplatedValue] = [:]
        for (name, value) in nested.object {
            guard !name.isEmpty else { throw nested.error(.invalidSetting, name, "names must not be empty") }
            result[name] = try nested.value(value, path: name)
        }
        return result
    }

    func value(_ value: JSONValue, path key: String) throws(RemediationFlowError) -> TemplatedValue {
        if let text = value.stringValue { return .text(try parse(text, path: key)) }
        return .literal(value)
    }

    func require(_ template: RemediationTemplate, _ key: String, minLength: Int) throws(RemediationFlowError) {
        guard template.minimumLength >= minLength else {
            throw error(.invalidSetting, key, "must resolve to at least \(minLength) characters for every verdict")
        }
    }

    func requireRecordingId(_ template: RemediationTemplate, _ key: String) throws(RemediationFlowError) {
        guard template.placeholders.contains(.recordingId) else {
            throw error(.invalidSetting, key, "the row key must contain {data.recordingId} so each recording has one row")
        }
    }
}
