import VigilEventSub
import VigilModels
import VigilPlatformClient

/// Applies a ``ProvisioningPlan``'s trigger idempotently: the organisation's triggers are listed, one
/// with the plan's name is left alone when it already does what the plan says, updated (`PUT`, with its
/// id and version) when it differs, and created only when there is none — so running it twice, or after
/// a crash between create and report, never makes a second trigger.
public struct ProvisioningApplier: Sendable {
    /// What ``apply(_:)`` did.
    public enum Outcome: Sendable, Hashable {
        case created(triggerId: String)
        case updated(triggerId: String)
        case unchanged(triggerId: String)
    }

    /// The platform client (an OAuth client with `processautomation:trigger:view`, `:add`, `:edit`).
    public let client: GenesysCloudClient

    /// Creates an applier.
    public init(client: GenesysCloudClient) { self.client = client }

    /// Creates, updates or leaves the plan's trigger.
    ///
    /// - Throws: ``ProvisioningError`` when several triggers carry the name, or the existing one listens
    ///   to another topic (a trigger's topic cannot change: delete it first); the client's errors.
    public func apply(_ plan: ProvisioningPlan) async throws -> Outcome {
        let wanted = plan.trigger
        let existing = try await client.processAutomationTriggers().filter { $0.name == wanted.name }
        guard existing.count <= 1 else {
            throw ProvisioningError("\(existing.count) triggers are named \(wanted.name): remove the extra ones first")
        }
        guard let current = existing.first else {
            let created = try await client.createTrigger(wanted)
            return .created(triggerId: created.id ?? "")
        }
        guard let id = current.id else { throw ProvisioningError("the platform listed the trigger \(wanted.name) without an id") }
        guard current.topicName == wanted.topicName else {
            throw ProvisioningError(
                "the trigger \(wanted.name) listens to \(current.topicName); a trigger's topic cannot change — delete it and run again")
        }
        if current.configures(sameAs: wanted) { return .unchanged(triggerId: id) }
        var update = wanted
        update.id = id
        update.version = current.version
        _ = try await client.updateTrigger(update, triggerId: id)
        return .updated(triggerId: id)
    }
}
