import VigilCore

/// Why a remediation flow document was rejected when it was loaded.
///
/// Every problem a flow can have — an unknown block type, a placeholder no verdict can fill, a
/// transition to nowhere, a cycle, a block nothing leads to — is found by
/// `RemediationFlow(json:options:)`, so a flow that loads never fails at run time for a reason
/// that was visible in the document. The error names the block (``blockId``) or the transition
/// (``transition``) and the settings path, never a value from a verdict.
public struct RemediationFlowError: VigilCodedError, Hashable {
    /// The kind of problem; new kinds are added as new static members.
    public struct Code: VigilErrorCode {
        private enum Base: String, Hashable, Sendable {
            case invalidJSON, missingField, invalidSetting, unknownSetting, unknownBlockType, invalidBlockType
            case unsupportedAPIBlock, unknownPlaceholder, malformedTemplate, missingParameter
            case invalidBlockId, duplicateBlockId, noEntryPoint, multipleEntryPoints, noBlocks
            case unknownTransitionSource, unknownTransitionTarget, invalidTransition, cycle, unreachableBlock
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The document is not JSON, or a field has the wrong JSON type.
        public static let invalidJSON = Code(.invalidJSON)
        /// A required field or block setting is absent.
        public static let missingField = Code(.missingField)
        /// A setting has the wrong type or a value outside its allowed range.
        public static let invalidSetting = Code(.invalidSetting)
        /// A block has a setting Vigil does not know (a typo would otherwise be ignored silently).
        public static let unknownSetting = Code(.unknownSetting)
        /// A block's `type` is not one Vigil can run.
        public static let unknownBlockType = Code(.unknownBlockType)
        /// A host's ``RemediationBlockType`` has a malformed name, takes a built-in one, or is
        /// registered twice.
        public static let invalidBlockType = Code(.invalidBlockType)
        /// An `api` block calls an endpoint Vigil does not map onto the real platform.
        public static let unsupportedAPIBlock = Code(.unsupportedAPIBlock)
        /// A template names a placeholder that no verdict provides (e.g. `{data.agentName}`).
        public static let unknownPlaceholder = Code(.unknownPlaceholder)
        /// A template has an unterminated `{` or a stray `}`.
        public static let malformedTemplate = Code(.malformedTemplate)
        /// A `{params.NAME}` placeholder has no value in ``RemediationFlow/LoadOptions/parameters``.
        public static let missingParameter = Code(.missingParameter)
        /// A block id is empty, too long, or uses characters outside `A–Z a–z 0–9 _ - .`.
        public static let invalidBlockId = Code(.invalidBlockId)
        /// Two blocks share an id, or a block shares its id with the entry point.
        public static let duplicateBlockId = Code(.duplicateBlockId)
        /// The flow has no entry point, or no transition leaves it.
        public static let noEntryPoint = Code(.noEntryPoint)
        /// The flow has more than one entry point (Vigil runs a flow from exactly one).
        public static let multipleEntryPoints = Code(.multipleEntryPoints)
        /// The flow has no blocks.
        public static let noBlocks = Code(.noBlocks)
        /// A transition starts at something that is neither a block nor the entry point.
        public static let unknownTransitionSource = Code(.unknownTransitionSource)
        /// A transition leads to something that is not a block.
        public static let unknownTransitionTarget = Code(.unknownTransitionTarget)
        /// A transition is not allowed where it is: two ways out of a plain block, a `when` on a plain
        /// block, a branch without a `true` arm, or two arms with the same `when`.
        public static let invalidTransition = Code(.invalidTransition)
        /// The transitions form a cycle; a remediation must terminate.
        public static let cycle = Code(.cycle)
        /// A block cannot be reached from the entry point.
        public static let unreachableBlock = Code(.unreachableBlock)

        /// `remediationFlow`: codes read `remediationFlow.<name>`.
        public static let domain = "remediationFlow"
        /// The name within ``domain``.
        public var name: String { base.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// The block the problem is in, if it is in one.
    public let blockId: String?
    /// The transition the problem is in, if it is in one.
    public let transition: FlowTransition?
    /// Where inside the block or document, e.g. `settings.annotation.name`. Empty for the whole thing.
    public let path: String
    /// A short explanation authored by Vigil (placeholder and setting names only, never verdict data).
    public let detail: String

    /// Creates an error.
    public init(
        code: Code, blockId: String? = nil, transition: FlowTransition? = nil, path: String = "",
        detail: String
    ) {
        self.code = code
        self.blockId = blockId
        self.transition = transition
        self.path = path
        self.detail = detail
    }


    /// A flow document does not get better by loading it again.
    public var isRetryable: Bool { false }

    /// `remediationFlow.cycle — block 'a' settings.x: <detail>` (with the parts that apply).
    public var description: String {
        var location: [String] = []
        if let blockId { location.append("block '\(blockId)'") }
        if let transition { location.append("transition \(transition)") }
        if !path.isEmpty { location.append(path) }
        let prefix = location.isEmpty ? "" : location.joined(separator: " ") + ": "
        return "\(code) — \(prefix)\(detail)"
    }
}

/// A failure of ``RemediationExecutor`` input, or a verdict that the `validate_payload` block refused.
public struct RemediationError: VigilDetailedError, Hashable {
    /// The kind of failure; new kinds are added as new static members.
    public struct Code: VigilErrorCode {
        private enum Base: String, Hashable, Sendable {
            case recordingMismatch, verdictRejected, idempotencyConflict
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The verdict is about a different recording than the context. Nothing was done.
        public static let recordingMismatch = Code(.recordingMismatch)
        /// The `validate_payload` block refused the verdict (see ``RemediationVerdictValidator``).
        public static let verdictRejected = Code(.verdictRejected)
        /// A step's idempotency key was first claimed with different inputs (the verdict or the context
        /// changed between runs). The step is dead-lettered rather than done twice or silently skipped.
        public static let idempotencyConflict = Code(.idempotencyConflict)

        /// `remediation`: codes read `remediation.<name>`.
        public static let domain = "remediation"
        /// The name within ``domain``.
        public var name: String { base.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// A short explanation; identifiers only, never evidence or personal data.
    public let detail: String

    /// Creates an error.
    public init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }


    /// Neither failure goes away by trying again.
    public var isRetryable: Bool { false }

}

/// An error a ``RemediationActions`` implementation throws for an outcome the executor handles
/// specially rather than as a failure.
public struct RemediationActionError: VigilDetailedError, Hashable {
    /// The kind of outcome; new kinds are added as new static members.
    public struct Code: VigilErrorCode {
        private enum Base: String, Hashable, Sendable {
            case alreadyExists, unsupported
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The resource Vigil tried to create already exists (a data-table row with the same `key`):
        /// an earlier attempt created it. The executor reports the step as found-existing.
        public static let alreadyExists = Code(.alreadyExists)
        /// The implementation cannot perform this action (the platform client lacks the call). Permanent:
        /// the step is dead-lettered with this reason.
        public static let unsupported = Code(.unsupported)

        /// `remediationAction`: codes read `remediationAction.<name>`.
        public static let domain = "remediationAction"
        /// The name within ``domain``.
        public var name: String { base.rawValue }
    }

    /// What happened.
    public let code: Code
    /// A short explanation; identifiers only.
    public let detail: String

    /// Creates an error.
    public init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }


    /// Neither outcome goes away by retrying.
    public var isRetryable: Bool { false }

}
