/// What to put in place of a finding.
///
/// | Operator | `4111 1111 1111 1111` becomes |
/// |---|---|
/// | ``mask(character:keepingLast:)`` | `************1111` |
/// | ``token`` | `tok_pan_3q2Z…` (22 characters after the prefix) |
/// | ``drop`` | nothing |
/// | ``replace(with:)`` | `<CREDIT_CARD>` |
public struct RedactionOperator: Hashable, Sendable, CustomStringConvertible {
    enum Storage: Hashable, Sendable {
        case mask(Character, Int)
        case token
        case drop
        case replace(String?)
    }

    let storage: Storage

    private init(_ storage: Storage) { self.storage = storage }

    /// Replaces the finding with `character` repeated, followed by the last `keepingLast` characters
    /// of its normalised value (digits only for numbers, so separators disappear).
    ///
    /// At most half of the value is ever kept, and CVVs and expiry dates are always masked in full.
    /// A negative count is treated as 0.
    public static func mask(character: Character = "*", keepingLast: Int = 4) -> RedactionOperator {
        RedactionOperator(.mask(character, max(0, keepingLast)))
    }

    /// Replaces the finding with a keyed deterministic token (see ``TokenKey``). A ``Redactor`` whose
    /// policy uses it requires a key.
    public static let token = RedactionOperator(.token)

    /// Removes the finding.
    public static let drop = RedactionOperator(.drop)

    /// Replaces the finding with `label`, or `<LABEL>` from ``PIIKind/label`` (`<CREDIT_CARD>`)
    /// when `label` is `nil`.
    public static func replace(with label: String? = nil) -> RedactionOperator {
        RedactionOperator(.replace(label))
    }

    /// `mask("*", keep 4)`, `token`, `drop` or `replace(<label>)`.
    public var description: String {
        switch storage {
        case .mask(let character, let kept): "mask(\"\(character)\", keep \(kept))"
        case .token: "token"
        case .drop: "drop"
        case .replace(let label): "replace(\(label ?? "<LABEL>"))"
        }
    }
}

/// Which operator applies to which kind of finding.
public struct RedactionPolicy: Hashable, Sendable {
    /// Operators by kind; kinds not listed use ``defaultOperator``.
    public var operators: [PIIKind: RedactionOperator]
    /// The operator for kinds not in ``operators``.
    public var defaultOperator: RedactionOperator

    /// Creates a policy.
    public init(_ operators: [PIIKind: RedactionOperator] = [:], default defaultOperator: RedactionOperator = .replace()) {
        self.operators = operators
        self.defaultOperator = defaultOperator
    }

    /// The operator for `kind`.
    public func `operator`(for kind: PIIKind) -> RedactionOperator {
        operators[kind] ?? defaultOperator
    }

    /// Cards masked to their last four digits, everything else replaced by its label. Needs no key.
    public static let standard = RedactionPolicy([.creditCard: .mask()], default: .replace())

    /// Everything tokenized (the default of ``JSONSanitizer``).
    public static let tokenizeAll = RedactionPolicy(default: .token)

    /// Whether any kind uses the token operator.
    var usesToken: Bool {
        defaultOperator == .token || operators.values.contains(.token)
    }
}
