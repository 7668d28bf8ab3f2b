/// The kind of personal data a finding is about.
///
/// An extensible struct rather than an enum, so that new kinds can be added in later releases without
/// breaking anyone's exhaustive `switch`: compare with `==` against the static values.
public struct PIIKind: Hashable, Sendable, CustomStringConvertible {
    private enum Base: String, Sendable {
        case creditCard, usSSN, email, phoneNumber, cvv, cardExpiry, sensitiveField
    }

    private let base: Base
    private init(_ base: Base) { self.base = base }

    /// A payment card number (PAN): 13–19 digits, Luhn-valid, in a known IIN range for its length.
    public static let creditCard = PIIKind(.creditCard)
    /// A US Social Security number.
    public static let usSSN = PIIKind(.usSSN)
    /// An e-mail address.
    public static let email = PIIKind(.email)
    /// A telephone number (E.164 or North American Numbering Plan).
    public static let phoneNumber = PIIKind(.phoneNumber)
    /// A card verification value (CVV, CVC, CID), detected only in card context.
    public static let cvv = PIIKind(.cvv)
    /// A card expiry date (`MM/YY`, `MM/YYYY`, `MM-YY`), detected only in card context.
    public static let cardExpiry = PIIKind(.cardExpiry)
    /// The value of a field that is tokenized whatever it looks like (see
    /// ``JSONSanitizer/alwaysTokenizedKeys``). Never produced by the detector.
    public static let sensitiveField = PIIKind(.sensitiveField)

    /// The kinds ``PIIDetector`` can detect, in order of precedence when two findings overlap.
    public static let detectable: [PIIKind] = [.creditCard, .usSSN, .phoneNumber, .email, .cardExpiry, .cvv]

    /// A stable, machine-readable name, e.g. `"creditCard"`. Safe as a metric label.
    public var name: String { base.rawValue }

    /// The entity label used by the `replace` operator, e.g. `"CREDIT_CARD"` (Presidio's names
    /// where Presidio has the entity).
    public var label: String {
        switch base {
        case .creditCard: "CREDIT_CARD"
        case .usSSN: "US_SSN"
        case .email: "EMAIL_ADDRESS"
        case .phoneNumber: "PHONE_NUMBER"
        case .cvv: "CVV"
        case .cardExpiry: "CARD_EXPIRY"
        case .sensitiveField: "SENSITIVE_FIELD"
        }
    }

    /// The short tag inside tokens, e.g. `"pan"` in `tok_pan_…`. Part of the keyed input, so two
    /// kinds never produce the same token for the same characters.
    public var tokenTag: String {
        switch base {
        case .creditCard: "pan"
        case .usSSN: "ssn"
        case .email: "email"
        case .phoneNumber: "phone"
        case .cvv: "cvv"
        case .cardExpiry: "exp"
        case .sensitiveField: "fld"
        }
    }

    /// Precedence when findings overlap (lower wins).
    var precedence: Int {
        switch base {
        case .creditCard: 0
        case .usSSN: 1
        case .phoneNumber: 2
        case .email: 3
        case .cardExpiry: 4
        case .cvv: 5
        case .sensitiveField: 6
        }
    }

    /// A bit unique to the kind.
    var bit: UInt32 { 1 << UInt32(precedence) }

    /// Whether the kind's value is compared as its digits only (separators removed).
    var isNumeric: Bool { base != .email && base != .sensitiveField }

    /// The ``name``.
    public var description: String { name }
}

/// The card network an issuer identification number (IIN) range belongs to.
///
/// Reported on ``PIIFinding/cardNetwork`` for ``PIIKind/creditCard`` findings; the network is not
/// personal data (PCI DSS allows displaying it).
public struct CardNetwork: Hashable, Sendable, CustomStringConvertible {
    private enum Base: String, Sendable {
        case visa, mastercard, amex, discover, diners, jcb, unionPay, maestro, uatp
    }

    private let base: Base
    private init(_ base: Base) { self.base = base }

    /// Visa: IIN 4; 13, 16 or 19 digits.
    public static let visa = CardNetwork(.visa)
    /// Mastercard: IIN 51–55 and the 2-series 2221–2720; 16 digits.
    public static let mastercard = CardNetwork(.mastercard)
    /// American Express: IIN 34, 37; 15 digits.
    public static let amex = CardNetwork(.amex)
    /// Discover: IIN 6011, 644–649, 65, 622126–622925; 16–19 digits.
    public static let discover = CardNetwork(.discover)
    /// Diners Club: IIN 300–305, 36, 38; 14–19 digits.
    public static let diners = CardNetwork(.diners)
    /// JCB: IIN 3528–3589; 16–19 digits.
    public static let jcb = CardNetwork(.jcb)
    /// UnionPay: IIN 62 (outside Discover's 622126–622925); 16–19 digits.
    public static let unionPay = CardNetwork(.unionPay)
    /// Maestro (and Dankort, which shares IIN 50…): IIN 50, 56–69 where no other network claims the
    /// prefix; 12–19 digits.
    public static let maestro = CardNetwork(.maestro)
    /// UATP (including Lufthansa AirPlus): IIN 1; 15 digits.
    public static let uatp = CardNetwork(.uatp)

    /// A stable, machine-readable name, e.g. `"visa"`.
    public var name: String { base.rawValue }

    /// The ``name``.
    public var description: String { name }
}
