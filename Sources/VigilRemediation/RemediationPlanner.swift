import Foundation
@_spi(VigilInternal) import VigilCore
import VigilModels

/// Turns a flow's block into the steps to run for one verdict — pure: it reads the verdict and
/// context and builds steps (each with its idempotency key and fingerprint); nothing is called until
/// ``RemediationExecutor`` performs a step.
///
/// Built-in blocks and a host's ``RemediationBlockType``s are planned the same way: a block yields
/// ``RemediationStep``s (an action, its resolved inputs, one call), and the planner keys and
/// fingerprints each. Call it directly to see what a flow would do for a verdict (a dry run).
public struct RemediationPlanner: Sendable {
    /// A step ready to run: where it is claimed and what it does.
    public struct PlannedStep: Sendable {
        /// What the step does.
        public enum Work: Sendable {
            /// Run the ``RemediationVerdictValidator`` (`validate_payload`).
            case validate
            /// Evaluate a `branch` block's condition.
            case branch(BranchCondition)
            /// One side effect, claimed under `key` with `fingerprint`.
            case platform(key: String, fingerprint: String, perform: @Sendable () async throws -> RemediationStepResult)
        }
        /// The block the step belongs to.
        public let blockId: String
        /// The step's action.
        public let action: RemediationStepAction
        /// What it does.
        public let work: Work
    }

    private let actions: any RemediationActions
    private let keyPrefix: String

    /// Creates a planner whose built-in steps call `actions`, keyed under `keyPrefix`.
    public init(actions: any RemediationActions, keyPrefix: String = "vigil.remediation") {
        self.actions = actions
        self.keyPrefix = keyPrefix
    }

    /// The idempotency key of a step: `<prefix>:<recordingId>:<blockId>:<action>`.
    public static func idempotencyKey(
        prefix: String = "vigil.remediation", recordingId: GenesysID, blockId: String,
        action: RemediationStepAction
    ) -> String {
        "\(prefix):\(recordingId):\(blockId):\(action)"
    }

    /// The `externalTag` Vigil gives the work item a block creates: `vigil-<recordingId>-<blockId>`.
    /// Deterministic, so a retry finds the item an earlier, crashed attempt created.
    public static func workitemExternalTag(recordingId: GenesysID, blockId: String) -> String {
        "vigil-\(recordingId)-\(blockId)"
    }

    /// The steps `block` runs for `verdict` on the recording `context` describes, in order.
    public func steps(
        for block: RemediationBlock, verdict: ComplianceVerdict, context: RemediationContext,
        values: RemediationValues
    ) -> [PlannedStep] {
        switch block.kind {
        case .validatePayload:
            return [PlannedStep(blockId: block.id, action: .validate, work: .validate)]
        case let .branch(condition):
            return [PlannedStep(blockId: block.id, action: .branch, work: .branch(condition))]
        case let .custom(custom):
            return custom.plan.steps(for: verdict, context: context, values: values).map { keyed($0, block: block.id, context) }
        default:
            return builtInSteps(block, verdict: verdict, context: context, values: values).map { keyed($0, block: block.id, context) }
        }
    }

    /// A step with its key (`<prefix>:<recordingId>:<blockId>:<action>`) and fingerprint (SHA-256 of the
    /// canonical JSON of its inputs and action).
    private func keyed(_ step: RemediationStep, block blockId: String, _ context: RemediationContext) -> PlannedStep {
        var object = step.inputs
        object["action"] = .string(step.action.rawValue)
        let bytes = (try? VigilJSON.encode(JSONValue.object(object))) ?? Data(step.action.rawValue.utf8)
        let key = Self.idempotencyKey(prefix: keyPrefix, recordingId: context.recordingId, blockId: blockId, action: step.action)
        return PlannedStep(
            blockId: blockId, action: step.action,
            work: .platform(key: key, fingerprint: SHA256Hasher.hash(bytes).hex, perform: step.perform))
    }

    private func encoded(_ value: some Encodable) -> JSONValue {
        (try? JSONValue(encoding: value)) ?? .null
    }

    // MARK: - The built-in blocks

    func builtInSteps(
        _ block: RemediationBlock, verdict: ComplianceVerdict, context: RemediationContext,
        values: RemediationValues
    ) -> [RemediationStep] {
        let id = block.id
        let conversationId = context.conversationId
        let recordingId = context.recordingId
        let actions = self.actions
        switch block.kind {
        case .validatePayload, .branch, .custom:
            return []
        case .legalHold:
            return [
                RemediationStep(
                    action: .legalHold, inputs: ["conversationId": .string(conversationId.rawValue)],
                    perform: {
                        try await actions.applyLegalHold(conversationIds: [conversationId])
                        return .created(["conversationId": conversationId.rawValue])
                    })
            ]
        case let .tagRecording(settings):
            var steps: [RemediationStep] = []
            if let annotationSettings = settings.annotation {
                let offset = max(0, verdict.timestampOffsetMs ?? 0)
                let location = context.recordingDurationMs.map { min(offset, max(0, $0)) } ?? offset
                let annotation = Annotation(
                    name: annotationSettings.name.resolve(values), type: annotationSettings.type, location: location,
                    durationMs: annotationSettings.durationMs,
                    description: annotationSettings.description?.resolve(values, maxLength: Annotation.maxDescriptionLength))
                steps.append(
                    RemediationStep(
                        action: .annotation,
                        inputs: [
                            "conversationId": .string(conversationId.rawValue),
                            "annotation": encoded(annotation)
                        ],
                        perform: {
                            var details = ["location": String(location)]
                            // Look first: an earlier attempt may have created it and crashed before recording it.
                            if let existing = try await actions.findAnnotation(
                                conversationId: conversationId, recordingId: recordingId, matching: annotation)
                            {
                                if let annotationId = existing.id { details["annotationId"] = annotationId }
                                return .found(details)
                            }
                            let created = try await actions.createAnnotation(
                                conversationId: conversationId,
                                recordingId: recordingId, annotation: annotation)
                            if let annotationId = created.id { details["annotationId"] = annotationId }
                            return .created(details)
                        }))
            }
            if let tagTemplate = settings.externalTag {
                let tag = tagTemplate.resolve(values)
                steps.append(
                    RemediationStep(
                        action: .externalTag,
                        inputs: [
                            "conversationId": .string(conversationId.rawValue),
                            "externalTag": .string(tag)
                        ],
                        perform: {
                            try await actions.setExternalTag(conversationId: conversationId, tag: tag)
                            return .created([:])
                        }))
            }
            if !settings.participantAttributes.isEmpty {
                let attributes = ParticipantAttributes(
                    attributes: settings.participantAttributes.mapValues { $0.resolve(values) })
                let named = context.participantIds.sorted()
                let purposes = settings.participantPurposes
                steps.append(
                    RemediationStep(
                        action: .participantAttributes,
                        inputs: [
                            "conversationId": .string(conversationId.rawValue),
                            "participants": .array(named.map { .string($0.rawValue) }),
                            "purposes": .array(named.isEmpty ? purposes.map { .string($0) } : []),
                            "attributes": encoded(attributes)
                        ],
                        perform: {
                            // PATCH is idempotent: re-sending to a participant already done is harmless.
                            if !named.isEmpty {
                                for participant in named {
                                    try await actions.patchParticipantAttributes(
                                        conversationId: conversationId, participantId: participant, attributes: attributes)
                                }
                                return .created(["participants": String(named.count)])
                            }
                            // The job names no participant: the conversation says who had which role.
                            let chosen = try await actions.conversationParticipants(conversationId: conversationId)
                                .filter { purposes.contains($0.purpose?.lowercased() ?? "") }
                            for participant in chosen {
                                try await actions.patchParticipantAttributes(
                                    conversationId: conversationId, participant: participant, attributes: attributes)
                            }
                            return .created([
                                "participants": String(chosen.count),
                                "purposes": chosen.compactMap(\.purpose).joined(separator: ",")
                            ])
                        }))
            }
            return steps
        case let .createWorkItem(.workitem(settings)):
            let tag = Self.workitemExternalTag(recordingId: recordingId, blockId: id)
            var body = WorkitemCreate(
                name: settings.name.resolve(values, maxLength: WorkitemCreate.nameLength.upperBound),
                typeId: settings.typeId, workbinId: settings.workbinId, priority: settings.priority,
                description: settings.description?.resolve(values, maxLength: WorkitemCreate.maxDescriptionLength),
                queueId: settings.queueId, externalTag: tag)
            if !settings.customFields.isEmpty {
                body.customFields = settings.customFields.mapValues { $0.resolve(values) }
            }
            let workitem = body
            let typeId = settings.typeId
            let liveTag = verdict.violationType.map {
                LiveWorkitem.externalTag(conversationId: conversationId, violationType: $0)
            }
            return [
                RemediationStep(
                    action: .workitem, inputs: ["workitem": encoded(workitem)],
                    perform: {
                        // A live analysis of the call may already have opened the work item.
                        if let liveTag, let live = try await actions.findWorkitem(externalTag: liveTag, typeId: typeId) {
                            return .found(["workitemId": live.id, "externalTag": liveTag])
                        }
                        // Look first: an earlier attempt may have created it and crashed before recording it.
                        if let existing = try await actions.findWorkitem(externalTag: tag, typeId: typeId) {
                            return .found(["workitemId": existing.id, "externalTag": tag])
                        }
                        let created = try await actions.createWorkitem(workitem)
                        return .created(["workitemId": created.id, "externalTag": tag])
                    })
            ]
        case let .createWorkItem(.dataTable(settings)):
            let row = DataTableRow(
                key: settings.key.resolve(values),
                columns: settings.columns.mapValues { $0.resolve(values) })
            let datatableId = settings.datatableId
            return [
                RemediationStep(
                    action: .dataTableRow, inputs: ["datatableId": .string(datatableId), "row": encoded(row)],
                    perform: {
                        do {
                            _ = try await actions.addDataTableRow(datatableId: datatableId, row: row)
                            return .created(["rowKey": row.key])
                        } catch let error as RemediationActionError where error.code == .alreadyExists {
                            return .found(["rowKey": row.key])
                        }
                    })
            ]
        }
    }
}
