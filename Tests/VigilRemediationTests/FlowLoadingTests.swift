import Foundation
import Testing
import VigilModels
import VigilTesting

@testable import VigilRemediation

@Suite("RemediationFlow loading")
struct FlowLoadingTests {
    @Test func seedFlowLoadsVerbatim() throws {
        let flow = try seedFlow()
        #expect(flow.name == "ComplianceViolationRemediation")
        #expect(flow.entryPoint == "ComplianceWebhookCallback")
        #expect(flow.startBlockId == "validate_payload")
        #expect(flow.blocks.map(\.id) == ["validate_payload", "tag_recording", "create_work_item"])
        #expect(flow.blocks.map(\.sourceType) == ["script", "api", "api"])
        #expect(flow.successor(of: "validate_payload") == "tag_recording")
        #expect(flow.successor(of: "tag_recording") == "create_work_item")
        #expect(flow.successor(of: "create_work_item") == nil)

        #expect(flow.blocks[0].kind == .validatePayload)
        guard case let .tagRecording(tag) = flow.blocks[1].kind else {
            Issue.record("seed tag_recording did not map to tag_recording"); return
        }
        // PATCH /api/v2/recordings/{id} tags → participant attributes + annotation + external tag.
        #expect(tag.participantAttributes.keys.sorted() == ["compliance_status", "violation_type"])
        #expect(tag.participantAttributes["compliance_status"]?.source == "VIOLATION_DETECTED")
        #expect(tag.participantAttributes["violation_type"]?.placeholders == [.violationType])
        #expect(tag.annotation?.name.placeholders == [.violationType])
        #expect(tag.externalTag?.source == "compliance-flag")

        guard case let .createWorkItem(.dataTable(table)) = flow.blocks[2].kind else {
            Issue.record("seed create_work_item did not map to a data-table row"); return
        }
        // POST /api/v2/analytics/datadatasets/records → POST /api/v2/flows/datatables/{id}/rows.
        #expect(table.datatableId == "compliance_work_items_dataset")
        #expect(table.key.placeholders == [.recordingId])
        #expect(table.columns.keys.sorted() == ["assignedQueue", "priority", "recordingId", "violationType"])
    }

    @Test func seedDatasetNameMapsToARealDataTableId() throws {
        let flow = try seedFlow(options: .init(dataTableIDs: ["compliance_work_items_dataset": "dt-42"]))
        guard case let .createWorkItem(.dataTable(table)) = flow.block("create_work_item")?.kind else {
            Issue.record("not a data table"); return
        }
        #expect(table.datatableId == "dt-42")
    }

    @Test func defaultFlowLoadsWithItsParameters() throws {
        let flow = try defaultFlow()
        #expect(flow.blocks.map(\.id) == ["validate_payload", "tag_recording", "create_work_item"])
        guard case let .createWorkItem(.workitem(settings)) = flow.block("create_work_item")?.kind else {
            Issue.record("not a work item"); return
        }
        #expect(settings.typeId == worktypeId)
        #expect(settings.queueId == queueId)
        #expect(settings.priority == 10)
    }

    @Test func defaultFlowWithoutParametersIsRejected() {
        #expect(loadError(RemediationFlow.defaultFlowJSON)?.code == .missingParameter)
    }

    @Test func aBranchChoosesItsArmAtRunTime() throws {
        let flow = try RemediationFlow(
            json: document(
                blocks: [
                    #"{"id":"gate","type":"branch","settings":{"field":"confidenceScore","operator":">=","value":0.9}}"#,
                    #"{"id":"hold","type":"legal_hold"}"#,
                    #"{"id":"tag","type":"tag_recording","settings":{"externalTag":"review"}}"#
                ],
                transitions: [
                    #"{"from":"Entry","to":"gate"}"#, #"{"from":"gate","to":"hold","when":true}"#,
                    #"{"from":"gate","to":"tag","when":"false"}"#
                ]))
        #expect(flow.successor(of: "gate", result: true) == "hold")
        #expect(flow.successor(of: "gate", result: false) == "tag")
        guard case let .branch(condition) = flow.block("gate")?.kind else { Issue.record("not a branch"); return }
        #expect(condition.evaluate(makeVerdict(confidence: 0.95)))
        #expect(!condition.evaluate(makeVerdict(confidence: 0.5)))
    }

    // MARK: Load-time rejections — one failing case each.

    struct Rejection: Sendable, CustomTestStringConvertible {
        let name: String
        let json: String
        let code: RemediationFlowError.Code
        let blockId: String?
        var testDescription: String { name }
    }

    static let tag = #"{"id":"tag","type":"tag_recording","settings":{"externalTag":"compliance-flag"}}"#
    static let entry = #"{"from":"Entry","to":"tag"}"#

    static let rejections: [Rejection] = [
        Rejection(name: "not JSON", json: "{name:", code: .invalidJSON, blockId: nil),
        Rejection(
            name: "unknown placeholder",
            json: document(
                blocks: [#"{"id":"tag","type":"tag_recording","settings":{"externalTag":"{data.agentName}"}}"#],
                transitions: [entry]), code: .unknownPlaceholder, blockId: "tag"),
        Rejection(
            name: "evidence snippet is not a placeholder",
            json: document(
                blocks: [#"{"id":"tag","type":"tag_recording","settings":{"participantAttributes":{"e":"{data.evidenceSnippet}"}}}"#],
                transitions: [entry]), code: .unknownPlaceholder, blockId: "tag"),
        Rejection(
            name: "unterminated placeholder",
            json: document(
                blocks: [#"{"id":"tag","type":"tag_recording","settings":{"externalTag":"x{data.verdict"}}"#],
                transitions: [entry]), code: .malformedTemplate, blockId: "tag"),
        Rejection(
            name: "unknown block type",
            json: document(
                blocks: [#"{"id":"tag","type":"send_sms","settings":{}}"#], transitions: [entry]),
            code: .unknownBlockType, blockId: "tag"),
        Rejection(
            name: "unknown setting (typo)",
            json: document(
                blocks: [#"{"id":"tag","type":"tag_recording","settings":{"externalTagg":"x"}}"#], transitions: [entry]),
            code: .unknownSetting, blockId: "tag"),
        Rejection(
            name: "tag_recording with nothing to do",
            json: document(
                blocks: [#"{"id":"tag","type":"tag_recording","settings":{}}"#], transitions: [entry]),
            code: .missingField, blockId: "tag"),
        Rejection(
            name: "work item without typeId",
            json: document(
                blocks: [
                    #"{"id":"tag","type":"create_work_item","settings":{"target":"workitem","queueId":"q","name":"Review {data.recordingId}"}}"#
                ],
                transitions: [entry]), code: .missingField, blockId: "tag"),
        Rejection(
            name: "work item without target",
            json: document(
                blocks: [#"{"id":"tag","type":"create_work_item","settings":{"typeId":"t"}}"#], transitions: [entry]),
            code: .missingField, blockId: "tag"),
        Rejection(
            name: "work item name may resolve shorter than 3",
            json: document(
                blocks: [
                    #"{"id":"tag","type":"create_work_item","settings":{"target":"workitem","typeId":"t","queueId":"q","name":"R{data.verdict}"}}"#
                ],
                transitions: [entry]), code: .invalidSetting, blockId: "tag"),
        Rejection(
            name: "priority out of range",
            json: document(
                blocks: [
                    #"{"id":"tag","type":"create_work_item","settings":{"target":"workitem","typeId":"t","queueId":"q","name":"Review","priority":30000000}}"#
                ],
                transitions: [entry]), code: .invalidSetting, blockId: "tag"),
        Rejection(
            name: "queue id depends on the verdict",
            json: document(
                blocks: [
                    #"{"id":"tag","type":"create_work_item","settings":{"target":"workitem","typeId":"t","queueId":"{data.verdict}","name":"Review"}}"#
                ],
                transitions: [entry]), code: .invalidSetting, blockId: "tag"),
        Rejection(
            name: "data-table key without the recording id",
            json: document(
                blocks: [
                    #"{"id":"tag","type":"create_work_item","settings":{"target":"datatable","datatableId":"d","key":"{data.correlationId}","columns":{}}}"#
                ],
                transitions: [entry]), code: .invalidSetting, blockId: "tag"),
        Rejection(
            name: "unmapped api endpoint",
            json: document(
                blocks: [#"{"id":"tag","type":"api","settings":{"method":"DELETE","path":"/api/v2/recordings/{recordingId}","body":"{}"}}"#],
                transitions: [entry]), code: .unsupportedAPIBlock, blockId: "tag"),
        Rejection(
            name: "script without a script",
            json: document(
                blocks: [#"{"id":"tag","type":"script","settings":{}}"#], transitions: [entry]),
            code: .missingField, blockId: "tag"),
        Rejection(
            name: "branch on an unknown field",
            json: document(
                blocks: [#"{"id":"tag","type":"branch","settings":{"field":"agentName","operator":"==","value":"x"}}"#],
                transitions: [entry]), code: .invalidSetting, blockId: "tag"),
        Rejection(
            name: "transition to an unknown block",
            json: document(
                blocks: [tag], transitions: [entry, #"{"from":"tag","to":"nowhere"}"#]),
            code: .unknownTransitionTarget, blockId: nil),
        Rejection(
            name: "transition from an unknown block",
            json: document(
                blocks: [tag], transitions: [entry, #"{"from":"ghost","to":"tag"}"#]),
            code: .unknownTransitionSource, blockId: nil),
        Rejection(
            name: "cycle",
            json: document(
                blocks: [tag, #"{"id":"hold","type":"legal_hold"}"#],
                transitions: [entry, #"{"from":"tag","to":"hold"}"#, #"{"from":"hold","to":"tag"}"#]),
            code: .cycle, blockId: "tag"),
        Rejection(
            name: "unreachable block",
            json: document(
                blocks: [tag, #"{"id":"hold","type":"legal_hold"}"#], transitions: [entry]),
            code: .unreachableBlock, blockId: "hold"),
        Rejection(
            name: "no entry point",
            json: """
                {"name":"F","entryPoints":[],"blocks":[\(tag)],"transitions":[]}
                """, code: .noEntryPoint, blockId: nil),
        Rejection(
            name: "entry point leads nowhere", json: document(blocks: [tag], transitions: []),
            code: .noEntryPoint, blockId: nil),
        Rejection(
            name: "two entry points",
            json: """
                {"name":"F","entryPoints":[{"name":"A"},{"name":"B"}],"blocks":[\(tag)],"transitions":[{"from":"A","to":"tag"}]}
                """, code: .multipleEntryPoints, blockId: nil),
        Rejection(
            name: "duplicate block id", json: document(blocks: [tag, tag], transitions: [entry]),
            code: .duplicateBlockId, blockId: "tag"),
        Rejection(
            name: "invalid block id",
            json: document(
                blocks: [#"{"id":"tag recording","type":"legal_hold"}"#], transitions: []), code: .invalidBlockId, blockId: nil),
        Rejection(
            name: "two ways out of a plain block",
            json: document(
                blocks: [tag, #"{"id":"a","type":"legal_hold"}"#, #"{"id":"b","type":"validate_payload"}"#],
                transitions: [entry, #"{"from":"tag","to":"a"}"#, #"{"from":"tag","to":"b"}"#]),
            code: .invalidTransition, blockId: nil),
        Rejection(
            name: "branch arm without when",
            json: document(
                blocks: [
                    #"{"id":"tag","type":"branch","settings":{"field":"verdict","operator":"==","value":"VIOLATION_DETECTED"}}"#,
                    #"{"id":"a","type":"legal_hold"}"#
                ],
                transitions: [entry, #"{"from":"tag","to":"a"}"#]), code: .invalidTransition, blockId: "tag"),
        Rejection(
            name: "no blocks", json: #"{"name":"F","entryPoints":[{"name":"Entry"}],"blocks":[]}"#,
            code: .noBlocks, blockId: nil)
    ]

    @Test(arguments: rejections)
    func rejectedAtLoad(_ case_: Rejection) {
        guard let error = loadError(case_.json) else { return }
        #expect(error.code == case_.code, "\(error)")
        #expect(error.blockId == case_.blockId, "\(error)")
        #expect(!error.isRetryable)
    }

    @Test func seedWithAnUnknownPlaceholderIsRejectedNamingTheBlock() throws {
        let text = String(decoding: try fixture("seed_flow"), as: UTF8.self)
            .replacingOccurrences(of: "{data.violationType}\\\"}]}", with: "{data.agentEmail}\\\"}]}")
        #expect(text.contains("agentEmail"))
        let error = loadError(text)
        #expect(error?.code == .unknownPlaceholder)
        #expect(error?.blockId == "tag_recording")
        #expect(error?.path == "settings.body.tags[1].value")
        #expect(error?.description.contains("{data.agentEmail}") == true)
    }

    @Test func transitionErrorsNameTheTransition() {
        let error = loadError(Self.document(blocks: [Self.tag], transitions: [Self.entry, #"{"from":"tag","to":"nowhere"}"#]))
        #expect(error?.transition == FlowTransition(from: "tag", to: "nowhere"))
        #expect(error?.description == "remediationFlow.unknownTransitionTarget — transition 'tag' → 'nowhere': 'nowhere' is not a block")
    }

    @Test func cycleErrorNamesTheLoop() {
        let error = loadError(
            Self.document(
                blocks: [Self.tag, #"{"id":"hold","type":"legal_hold"}"#],
                transitions: [Self.entry, #"{"from":"tag","to":"hold"}"#, #"{"from":"hold","to":"tag"}"#]))
        #expect(error?.detail.contains("'tag' → 'hold' → 'tag'") == true)
    }

    /// Found by the remediation-flow fuzz harness: a transition's `from` was quoted whatever it held.
    /// Transition ends and the entry point's name have the block-id shape, checked before any quote.
    @Test func namesOfAnotherShapeAreRefusedUnquoted() {
        let transition = loadError(Self.document(blocks: [Self.tag], transitions: [Self.entry, #"{"from":"card 4111111111111111","to":"tag"}"#]))
        #expect(transition?.code == .invalidTransition)
        #expect(transition?.path == "transitions[1].from")
        #expect(transition?.description.contains("4111") == false)
        let entry = loadError(
            Self.document(blocks: [Self.tag], transitions: [Self.entry])
                .replacingOccurrences(of: #""name":"Entry""#, with: #""name":"call 415 555 0123""#))
        #expect(entry?.code == .invalidBlockId)
        #expect(entry?.description.contains("555") == false)
    }

    // MARK: Helpers

    static func document(blocks: [String], transitions: [String]) -> String {
        """
        {"name":"Test","entryPoints":[{"name":"Entry","type":"webhook"}],
         "blocks":[\(blocks.joined(separator: ","))],
         "transitions":[\(transitions.joined(separator: ","))]}
        """
    }

    func document(blocks: [String], transitions: [String]) -> String {
        Self.document(blocks: blocks, transitions: transitions)
    }
}

func loadError(_ json: String, sourceLocation: SourceLocation = #_sourceLocation) -> RemediationFlowError? {
    do {
        _ = try RemediationFlow(json: json)
        Issue.record("the flow unexpectedly loaded", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// Flow files against the shared ambiguity table: a block id or a setting named twice is refused at
/// load (the way the file reads is the way it runs), naming where, never what.
@Suite("RemediationFlow loading: one reading of a flow file")
struct AmbiguousFlowTests {
    @Test func ambiguousFlowsAreInvalidJSON() throws {
        let text = String(decoding: try fixture("seed_flow"), as: UTF8.self)
        _ = try RemediationFlow(json: text)
        let variants = AmbiguousJSON.refusals(of: text, member: "name", alternative: #""Other""#)
        #expect(variants.count == 16)
        for variant in variants {
            let error = loadError(String(decoding: variant.bytes, as: UTF8.self))
            #expect(error?.code == .invalidJSON, "\(variant)")
        }
        let nested = loadError(text.replacingOccurrences(of: "\"id\": \"tag_recording\",", with: "\"id\": \"tag_recording\", \"id\": \"x\","))
        #expect(nested?.code == .invalidJSON)
        #expect(nested?.path == "blocks[1].id")
        for variant in AmbiguousJSON.equivalents(of: text, member: "name") {
            #expect(
                try RemediationFlow(json: String(decoding: variant.bytes, as: UTF8.self)).name == "ComplianceViolationRemediation",
                "\(variant)")
        }
    }
}
