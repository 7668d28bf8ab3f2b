import Foundation
import VigilModels

/// What Genesys Cloud really needs for the seed's declarative subscription.
///
/// The seed's `POST /api/v2/eventsub/eventsubscriptions` does not exist, and there is no
/// organisation-wide recording topic (the `v2.users.{id}…recordings` topics are per user). A
/// recording becomes interesting when its call ends, so the plan subscribes to the
/// **conversation-end detail event** `v2.detail.events.conversation.{id}.customer.end` two ways:
///
/// - a **Process Automation trigger** that starts an Architect workflow, whose data action posts
///   the event to the subscription's destination (Vigil's `/webhooks/genesys`) — applied by
///   ``ProvisioningApplier``, found again by name, so re-running it never creates a second;
/// - or the **Amazon EventBridge** integration's topic filters (for hosts that consume from an event
///   bus) — rendered here, configured in the integration (its API is not used);
/// - plus the **AudioHook Monitor** integration's settings for live calls, when a URI is given —
///   rendered, configured in the integration.
public struct ProvisioningPlan: Codable, Sendable, Hashable {
    /// The trigger to create or update.
    public var trigger: ProcessAutomationTrigger
    /// Topic filters for the EventBridge integration.
    public var eventBridgeTopicFilters: [String]
    /// AudioHook Monitor settings, when asked for.
    public var audioHook: AudioHookIntegration?
    /// Where the workflow's data action must post, and what it must sign with (never the secret).
    public var webhook: Webhook
    /// What a human must still do, in order.
    public var manualSteps: [String]

    /// The webhook the workflow calls.
    public struct Webhook: Codable, Sendable, Hashable {
        public var url: String
        public var signing: String
    }

    /// The AudioHook Monitor integration's settings.
    public struct AudioHookIntegration: Codable, Sendable, Hashable {
        public var connectionUri: String
        public var credentials: String
    }

    /// The conversation-end topic every plan uses.
    public static let conversationEndTopic = "v2.detail.events.conversation.{id}.customer.end"

    /// Renders the plan.
    ///
    /// - Parameters:
    ///   - subscription: the seed's subscription (event, destination, retry policy).
    ///   - workflowId: the Architect workflow the trigger starts (its data action posts to the destination).
    ///   - audioHookURI: the service's `wss://…/audiohook/ws`, for live calls.
    /// - Throws: ``ProvisioningError`` when the subscription asks for something the platform cannot deliver.
    public static func render(_ subscription: EventSubscription, workflowId: String, audioHookURI: URL? = nil)
        throws(ProvisioningError) -> ProvisioningPlan
    {
        switch subscription.event {
        case .recordingCompleted, .recordingAvailable:
            break
        case .recordingStarted:
            throw ProvisioningError(
                "recording:recordingStarted has no organisation-wide topic; subscribe to the end of the call "
                    + "(recordingCompleted) and use AudioHook Monitor for live audio")
        case .other(let name):
            throw ProvisioningError("\(name) is not a recording event this plan can deliver")
        }
        guard !workflowId.isEmpty, workflowId.allSatisfy({ $0.isHexDigit || $0 == "-" }) else {
            throw ProvisioningError("the workflow id must be the Architect workflow's id (a UUID)")
        }
        guard subscription.destination.url.scheme == "https" else {
            throw ProvisioningError("the destination must be an https:// URL: Genesys Cloud's data actions call public HTTPS endpoints")
        }
        if let uri = audioHookURI, uri.scheme != "wss" {
            throw ProvisioningError("the AudioHook URI must be wss://: the platform connects with TLS only")
        }
        let description = String(("Vigil: \(subscription.summary ?? subscription.name) → \(subscription.destination.url.host ?? "?")").prefix(512))
        let trigger = ProcessAutomationTrigger(
            name: subscription.name, topicName: conversationEndTopic, enabled: true,
            target: .init(id: workflowId.lowercased(), workflowTargetSettings: .init(dataFormat: "Json")),
            matchCriteria: [.init(jsonPath: "mediaType", operator: "Equal", value: "VOICE")],
            eventTTLSeconds: 60, description: description)
        var steps = [
            "Create (or reuse) an Architect workflow with one input variable for the event (dataFormat Json) whose data action "
                + "(Web Services Data Actions integration) POSTs it to \(subscription.destination.url.absoluteString) signed as Standard Webhooks; "
                + "pass its id as the workflow id.",
            "Grant the OAuth client processautomation:trigger:view/add/edit for this plan, and Vigil's runtime client "
                + "recording:recording:view, annotations, conversation tags, Task Management work items."
        ]
        if audioHookURI != nil {
            steps.append(
                "In the AudioHook Monitor integration, set the connection URI and an API key + client secret, "
                    + "and give the same pair to vigil-service as VIGIL_AUDIOHOOK_CLIENTS.")
        }
        return ProvisioningPlan(
            trigger: trigger, eventBridgeTopicFilters: [conversationEndTopic],
            audioHook: audioHookURI.map { AudioHookIntegration(connectionUri: $0.absoluteString, credentials: "API key + client secret (base64)") },
            webhook: Webhook(url: subscription.destination.url.absoluteString, signing: "Standard Webhooks (whsec_… in VIGIL_WEBHOOK_SECRETS)"),
            manualSteps: steps)
    }
}

/// A subscription the plan cannot render, or a trigger it cannot apply.
public struct ProvisioningError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public let description: String
    /// Creates an error.
    public init(_ description: String) { self.description = description }
}
