import VigilModels
import VigilRedaction

/// An ``EventTokenizer`` backed by `VigilRedaction`: tokens from the organisation's `TokenKey`, and
/// identifier screening by `PIIDetector` on top of Vigil's conservative shape rule.
///
/// A personal field's token is `TokenKey.token(for:kind:)` of `field ‖ 0x00 ‖ value` with kind
/// `sensitiveField` — `tok_fld_<22 base64url>` — so equal values of one field give equal tokens under
/// one key and the same value in two fields does not link them. An identifier is carried as is only
/// when it passes ``KeyedEventTokenizer``'s shape rule (a UUID, or fewer than 9 digits) **and** the
/// detector finds no card number, SSN, phone number, e-mail, CVV or expiry in it.
public struct RedactionEventTokenizer: EventTokenizer, CustomStringConvertible {
    private let tokenKey: TokenKey
    private let detector: PIIDetector

    /// Creates a tokenizer.
    ///
    /// - Parameters:
    ///   - tokenKey: the organisation's token key (the same one the rest of the pipeline uses).
    ///   - detector: the detector screening identifiers (all detectable kinds by default).
    public init(tokenKey: TokenKey, detector: PIIDetector = PIIDetector()) {
        self.tokenKey = tokenKey
        self.detector = detector
    }

    /// See ``EventTokenizer/token(for:field:)``.
    public func token(for value: String, field: String) -> PseudonymousToken {
        var input = Array(field.utf8)
        input.append(0)
        input.append(contentsOf: value.utf8)
        let token = tokenKey.token(for: input, kind: .sensitiveField)
        // `tok_fld_<base64url>` always satisfies the token format; fall back defensively all the same.
        return PseudonymousToken(token) ?? PseudonymousToken("tok_fld_invalid")!
    }

    /// See ``EventTokenizer/isSafeIdentifier(_:)``.
    public func isSafeIdentifier(_ identifier: String) -> Bool {
        Screen.isSafeIdentifier(identifier) && (GenesysID(identifier) != nil || detector.findings(in: identifier).isEmpty)
    }

    /// `RedactionEventTokenizer(<redacted>)`.
    public var description: String { "RedactionEventTokenizer(<redacted>)" }
}
