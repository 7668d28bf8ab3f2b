import Foundation
import VigilModels

/// A block type a host adds to its remediation flows, next to the built-in ones.
///
/// A block is a small unit: its settings are **parsed once**, when the flow loads (a flow that loads
/// cannot fail at run time because of its document); for each verdict it **plans** its steps, without
/// any I/O; each step is **one action** through the host's own port, which the executor runs exactly
/// once per recording like a built-in step (claimed under `<prefix>:<recordingId>:<blockId>:<action>`,
/// fingerprinted by its inputs, skipped when done, dead-lettered when it fails for good). Registering a
/// type changes nothing else: no enum, parser, planner or `RemediationActions` requirement to extend.
///
/// ```swift
/// let notify = try RemediationBlockType(name: "notify_channel") { settings in
///     try settings.allow(["channel", "text"])
///     let channel = try settings.string("channel", required: true)!
///     let text = try settings.template("text", required: true)!
///     return NotifyBlock(channel: channel, text: text, chat: chatClient)   // a RemediationBlockPlan
/// }
/// let flow = try RemediationFlow(json: document, options: .init(blockTypes: [notify]))
/// ```
public struct RemediationBlockType: Sendable, Hashable {
    /// The `type` written in flow documents, e.g. `notify_channel`.
    public let name: String
    let parse: @Sendable (RemediationBlockSettings) throws -> any RemediationBlockPlan

    /// The names Vigil's own blocks use; a host type cannot take them.
    public static let builtInNames: Set<String> = [
        "validate_payload", "script", "tag_recording", "create_work_item", "legal_hold", "branch", "condition", "api"
    ]

    /// Registers a block type.
    ///
    /// - Parameters:
    ///   - name: the `type` in flow documents: 1–64 characters from `A–Z a–z 0–9 _ - .`, not one of
    ///     ``builtInNames``.
    ///   - parse: reads a block's settings (refusing unknown or invalid ones by throwing the settings'
    ///     own errors, which name the block and path) and returns what the block does per verdict. Any
    ///     other error it throws refuses the flow as ``RemediationFlowError/Code/invalidSetting`` (its
    ///     description is not quoted: it could hold a value).
    /// - Throws: ``RemediationFlowError/Code/invalidBlockType`` when the name is malformed or reserved.
    public init(
        name: String,
        parse: @escaping @Sendable (RemediationBlockSettings) throws -> any RemediationBlockPlan
    )
        throws(RemediationFlowError)
    {
        guard BlockParser.isBlockId(name), !Self.builtInNames.contains(name) else {
            throw RemediationFlowError(
                code: .invalidBlockType, path: "blockTypes",
                detail: "a block type is 1-64 characters from A-Z a-z 0-9 _ - . and not a built-in type")
        }
        self.name = name
        self.parse = parse
    }

    /// Types are equal when their names are (a flow registers each name once).
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.name == rhs.name }
    /// Hashes the name.
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

/// What a host's block does for one verdict: the steps it plans. Planning is pure — it reads the
/// verdict and context and builds steps; only a step's ``RemediationStep/perform`` talks to a platform.
public protocol RemediationBlockPlan: Sendable {
    /// The steps for `verdict` on the recording described by `context`, in order.
    ///
    /// - Parameters:
    ///   - values: every placeholder's value for this verdict, to resolve templates with.
    func steps(for verdict: ComplianceVerdict, context: RemediationContext, values: RemediationValues) -> [RemediationStep]
}

/// One side-effecting step of a block: its action, the inputs that make its fingerprint, and the call.
public struct RemediationStep: Sendable {
    /// The action; with the block id, the step's idempotency key.
    public var action: RemediationStepAction
    /// The resolved inputs. Their canonical JSON's SHA-256 is the step's fingerprint: a redelivery with
    /// different inputs is a conflict (dead-lettered), never a silent second effect.
    public var inputs: [String: JSONValue]
    /// Performs the step once: one call through a port. Throw a `VigilError` whose `isRetryable` says
    /// whether a later delivery may succeed (anything else is permanent).
    public var perform: @Sendable () async throws -> RemediationStepResult

    /// Creates a step.
    public init(
        action: RemediationStepAction, inputs: [String: JSONValue],
        perform: @escaping @Sendable () async throws -> RemediationStepResult
    ) {
        self.action = action
        self.inputs = inputs
        self.perform = perform
    }
}

/// What a performed step reports.
public enum RemediationStepResult: Sendable, Hashable {
    /// The step made its effect now; `details` holds identifiers only (never personal data).
    case created([String: String])
    /// The effect was already there (an earlier attempt made it); `details` as above.
    case found([String: String])
}

/// A block of a host-registered type, as loaded: its type name and settings, and its plan.
public struct CustomRemediationBlock: Sendable, Hashable {
    /// The block's `type`.
    public let typeName: String
    /// The block's settings as written (what makes two loads of a flow equal).
    public let settings: JSONValue
    /// What the block does per verdict.
    public let plan: any RemediationBlockPlan

    /// Equal when the type and settings are.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.typeName == rhs.typeName && lhs.settings == rhs.settings }
    /// Hashes the type and settings.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(typeName)
        hasher.combine(settings)
    }
}
