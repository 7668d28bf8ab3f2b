import Foundation
import Testing
import Vigil
import VigilEventSub
import VigilModels
import VigilPlatformClient
import VigilTesting

/// `ProvisioningPlan` (the seed's subscription → what Genesys Cloud needs) and `ProvisioningApplier`
/// on the simulator: created once, found again, updated in place, refused when it cannot be applied.
@Suite("Provisioning the platform side")
struct ProvisioningTests {
    static let workflowId = "7c1f2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b"

    static func subscription(
        event: String = "recording:recordingAvailable", url: String = "https://vigil.example.com/webhooks/genesys",
        summary: String = "Triggers external compliance validation"
    ) throws -> EventSubscription {
        try VigilJSON.decode(
            EventSubscription.self,
            from: """
                {"name":"ComplianceRecordingIngestion","description":"\(summary)","event":"\(event)",
                 "eventData":{"include":["recordingId","direction","channel"]},
                 "destination":{"type":"webhook","url":"\(url)"}}
                """)
    }

    @Test("The seed's subscription renders to a conversation-end trigger, EventBridge filters and AudioHook settings")
    func render() throws {
        let plan = try ProvisioningPlan.render(
            try Self.subscription(), workflowId: Self.workflowId,
            audioHookURI: URL(string: "wss://vigil.example.com/audiohook/ws"))
        #expect(plan.trigger.name == "ComplianceRecordingIngestion")
        #expect(plan.trigger.topicName == "v2.detail.events.conversation.{id}.customer.end")
        #expect(plan.trigger.target == .init(type: "Workflow", id: Self.workflowId, workflowTargetSettings: .init(dataFormat: "Json")))
        #expect(plan.trigger.matchCriteria == [.init(jsonPath: "mediaType", operator: "Equal", value: "VOICE")])
        #expect(plan.trigger.eventTTLSeconds == 60 && plan.trigger.delayBySeconds == nil)
        #expect(plan.eventBridgeTopicFilters == ["v2.detail.events.conversation.{id}.customer.end"])
        #expect(plan.audioHook?.connectionUri == "wss://vigil.example.com/audiohook/ws")
        #expect(plan.webhook.url == "https://vigil.example.com/webhooks/genesys")
        #expect(plan.manualSteps.count == 3)
        // What the platform cannot deliver is refused with the reason.
        for (subscription, reason) in [
            (try Self.subscription(event: "recording:recordingStarted"), "no organisation-wide topic"),
            (try Self.subscription(url: "http://127.0.0.1:8080/webhooks/genesys"), "https://")
        ] {
            let error = #expect(throws: ProvisioningError.self) { try ProvisioningPlan.render(subscription, workflowId: Self.workflowId) }
            #expect(error?.description.contains(reason) == true)
        }
        #expect(throws: ProvisioningError.self) { try ProvisioningPlan.render(try Self.subscription(), workflowId: "flow name") }
        #expect(throws: ProvisioningError.self) {
            try ProvisioningPlan.render(try Self.subscription(), workflowId: Self.workflowId, audioHookURI: URL(string: "ws://insecure/ws"))
        }
    }

    @Test("Applied twice: one trigger; a changed subscription updates it in place; a clash is refused")
    func apply() async throws {
        let cloud = SimulatedGenesysCloud()
        let applier = ProvisioningApplier(client: GenesysCloudClient(region: cloud.region, credentials: cloud.credentials, transport: cloud))
        let plan = try ProvisioningPlan.render(try Self.subscription(), workflowId: Self.workflowId)
        guard case let .created(id) = try await applier.apply(plan) else {
            Issue.record("the first run must create the trigger")
            return
        }
        #expect(try await applier.apply(plan) == .unchanged(triggerId: id))
        var triggers = await cloud.processAutomationTriggers
        #expect(triggers.count == 1 && triggers.first?.version == 1)
        #expect(triggers.first.map { $0.configures(sameAs: plan.trigger) } == true)

        let changed = try ProvisioningPlan.render(try Self.subscription(summary: "Now also for audits"), workflowId: Self.workflowId)
        #expect(try await applier.apply(changed) == .updated(triggerId: id))
        triggers = await cloud.processAutomationTriggers
        #expect(triggers.count == 1 && triggers.first?.version == 2)
        #expect(triggers.first?.description?.contains("Now also for audits") == true)
        #expect(try await applier.apply(changed) == .unchanged(triggerId: id))

        // A trigger of that name on another topic cannot be changed into this one.
        let other = SimulatedGenesysCloud()
        let otherClient = GenesysCloudClient(region: other.region, credentials: other.credentials, transport: other)
        var foreign = plan.trigger
        foreign.topicName = "v2.detail.events.conversation.{id}.acw"
        _ = try await otherClient.createTrigger(foreign)
        let clash = await #expect(throws: ProvisioningError.self) { _ = try await ProvisioningApplier(client: otherClient).apply(plan) }
        #expect(clash?.description.contains("cannot change") == true)
        _ = try await otherClient.createTrigger(foreign)
        let twice = await #expect(throws: ProvisioningError.self) { _ = try await ProvisioningApplier(client: otherClient).apply(plan) }
        #expect(twice?.description.contains("2 triggers") == true)
        #expect(await other.processAutomationTriggers.count == 2)
    }

    @Test("The client refuses an invalid trigger before any request")
    func invalidTrigger() async throws {
        let cloud = SimulatedGenesysCloud()
        let client = GenesysCloudClient(region: cloud.region, credentials: cloud.credentials, transport: cloud)
        let base = try ProvisioningPlan.render(try Self.subscription(), workflowId: Self.workflowId).trigger
        var both = base
        both.delayBySeconds = 120
        var short = base
        short.eventTTLSeconds = 5
        var unnamed = base
        unnamed.name = " "
        for trigger in [both, short, unnamed] {
            await #expect(throws: GenesysAPIError.self) { _ = try await client.createTrigger(trigger) }
        }
        #expect(await cloud.requests.isEmpty)
    }
}
