import Foundation
import Testing
import VigilCore
import VigilIdempotency
import VigilModels
import VigilRemediation
import VigilTesting

/// A host's chat port: the one action a `notify_channel` block performs.
actor FakeChat {
    private(set) var posts: [(channel: String, text: String)] = []
    private var failures: [any Error] = []

    func fail(with errors: [any Error]) { failures += errors }

    func post(channel: String, text: String) throws -> String {
        if !failures.isEmpty { throw failures.removeFirst() }
        posts.append((channel, text))
        return "msg-\(posts.count)"
    }
}

/// A host block: posts one message per flagged recording.
struct NotifyBlock: RemediationBlockPlan {
    let channel: String
    let text: RemediationTemplate
    let chat: FakeChat

    func steps(for verdict: ComplianceVerdict, context: RemediationContext, values: RemediationValues) -> [RemediationStep] {
        let text = text.resolve(values)
        let channel = channel
        let chat = chat
        return [
            RemediationStep(
                action: RemediationStepAction(custom: "notify")!,
                inputs: ["channel": .string(channel), "text": .string(text)]
            ) {
                .created(["messageId": try await chat.post(channel: channel, text: text)])
            }
        ]
    }
}

func notifyType(_ chat: FakeChat) throws -> RemediationBlockType {
    try RemediationBlockType(name: "notify_channel") { settings in
        try settings.allow(["channel", "text"])
        return NotifyBlock(
            channel: try settings.string("channel", required: true)!,
            text: try settings.template("text", required: true)!, chat: chat)
    }
}

func notifyFlow(
    _ chat: FakeChat, text: String = "Violation {data.violationType} on {data.recordingId}",
    extraSettings: String = ""
) throws -> RemediationFlow {
    try RemediationFlow(
        json: """
            { "name": "Notify",
              "entryPoints": [ { "name": "Start", "type": "webhook" } ],
              "blocks": [ { "id": "validate_payload", "type": "validate_payload" },
                          { "id": "notify", "type": "notify_channel",
                            "settings": { "channel": "#compliance", "text": "\(text)"\(extraSettings) } } ],
              "transitions": [ { "from": "Start", "to": "validate_payload" },
                               { "from": "validate_payload", "to": "notify" } ] }
            """, options: .init(blockTypes: [try notifyType(chat)]))
}

@Suite("Host block types: parse once, plan purely, one action, exactly once")
struct CustomBlockTests {
    @Test func aRegisteredTypeLoadsAndRunsExactlyOnce() async throws {
        let h = Harness()
        let chat = FakeChat()
        let flow = try notifyFlow(chat)
        let executor = h.executor()
        let first = try await h.run(executor, flow)
        #expect(first.status == .completed, "\(first)")
        let step = try #require(first.step("notify", RemediationStepAction(custom: "notify")!))
        #expect(step.outcome == .ran(details: ["messageId": "msg-1"], recorded: true))
        #expect(step.idempotencyKey == "vigil.remediation:\(recordingId):notify:notify")
        #expect(await chat.posts.map(\.text) == ["Violation PCI_MID_CAPTURE on \(recordingId)"])

        let again = try await h.run(executor, flow)
        #expect(again.step("notify", RemediationStepAction(custom: "notify")!)?.outcome.label == "skipped-already-done")
        #expect(await chat.posts.count == 1, "a redelivery does not post twice")
    }

    @Test func changedInputsAreAConflictNotASecondEffect() async throws {
        let h = Harness()
        let chat = FakeChat()
        let executor = h.executor()
        _ = try await h.run(executor, try notifyFlow(chat))
        let changed = try await h.run(executor, try notifyFlow(chat, text: "Other text {data.recordingId}"))
        #expect(changed.status == .deadLettered)
        #expect(await chat.posts.count == 1)
        #expect(await h.sink.letters.first?.errorCode == "remediation.idempotencyConflict")
    }

    @Test func transientAndPermanentFailuresFollowTheOneRule() async throws {
        let h = Harness()
        let chat = FakeChat()
        await chat.fail(with: [FakeAPIError(status: 503)])
        let executor = h.executor()
        let first = try await h.run(executor, try notifyFlow(chat))
        #expect(first.status == .retryLater)
        #expect(try await h.run(executor, try notifyFlow(chat)).status == .completed)
        #expect(await chat.posts.count == 1)

        let other = Harness()
        let failing = FakeChat()
        await failing.fail(with: [FakeAPIError(status: 400)])
        let report = try await other.run(other.executor(), try notifyFlow(failing))
        #expect(report.status == .deadLettered)
        #expect(await other.sink.letters.first?.action == "notify")
    }

    @Test func itsSettingsAreCheckedWhenTheFlowLoads() throws {
        let chat = FakeChat()
        #expect { try notifyFlow(chat, extraSettings: #", "colour": "red""#) } throws: {
            let error = $0 as? RemediationFlowError
            return error?.code == .unknownSetting && error?.blockId == "notify" && error?.path == "settings.colour"
        }
        #expect { try notifyFlow(chat, text: "{data.cardNumber}") } throws: {
            ($0 as? RemediationFlowError)?.blockId == "notify"
        }
    }

    @Test func unregisteredReservedAndDuplicateTypesAreRefused() throws {
        let chat = FakeChat()
        let document = """
            { "name": "N", "entryPoints": [ { "name": "Start" } ],
              "blocks": [ { "id": "notify", "type": "notify_channel", "settings": { "channel": "c", "text": "t" } } ],
              "transitions": [ { "from": "Start", "to": "notify" } ] }
            """
        #expect { try RemediationFlow(json: document) } throws: {
            ($0 as? RemediationFlowError)?.code == .unknownBlockType
        }
        for name in ["tag_recording", "api", "", "no spaces", String(repeating: "x", count: 65)] {
            #expect {
                try RemediationBlockType(name: name) { _ in NotifyBlock(channel: "", text: try! RemediationTemplate(""), chat: chat) }
            } throws: { ($0 as? RemediationFlowError)?.code == .invalidBlockType }
        }
        let type = try notifyType(chat)
        #expect { try RemediationFlow(json: document, options: .init(blockTypes: [type, type])) } throws: {
            ($0 as? RemediationFlowError)?.code == .invalidBlockType
        }
        #expect(try RemediationFlow(json: document, options: .init(blockTypes: [type])).blocks.count == 1)
    }

    @Test func thePlannerShowsWhatAFlowWouldDoWithoutDoingIt() async throws {
        let chat = FakeChat()
        let flow = try notifyFlow(chat)
        let platform = FakePlatform()
        let planner = RemediationPlanner(actions: platform)
        let verdict = makeVerdict(), context = makeContext()
        let values = RemediationValues(verdict: verdict, context: context)
        let planned = flow.blocks.flatMap { planner.steps(for: $0, verdict: verdict, context: context, values: values) }
        #expect(planned.map(\.action.rawValue) == ["validate", "notify"])
        guard case let .platform(key, fingerprint, _) = planned[1].work else { Issue.record("\(planned[1].work)"); return }
        #expect(key == "vigil.remediation:\(recordingId):notify:notify")
        #expect(fingerprint.count == 64)
        #expect(await chat.posts.isEmpty, "planning calls nothing")

        let builtIn = try defaultFlow().blocks.flatMap { planner.steps(for: $0, verdict: verdict, context: context, values: values) }
        #expect(builtIn.map(\.action) == [.validate, .annotation, .externalTag, .participantAttributes, .workitem])
        #expect(await platform.count(.createWorkitem) == 0)
    }
}
