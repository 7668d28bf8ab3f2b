import VigilRedaction

/// Finds a payment card number *inside* a longer run of digits — a menu choice before it, an expiry, a
/// security code or a PIN after it — for keyed (DTMF) and spoken digits alike.
///
/// A run that is a valid card as a whole needs no search. Inside a run, the chance that some stretch
/// of random digits passes the IIN table and Luhn is high (one in forty per stretch tried), so the
/// search only tries what people actually key or say around a card:
///
/// - **before** the card: nothing, or 1–2 digits (a menu choice, "one" for "yes");
/// - **the card**: the length its network is issued in today — 16 for Visa, Mastercard, Discover,
///   JCB, UnionPay and Maestro, 15 for American Express, 14 or 16 for Diners Club (13- and 19-digit
///   Visas and other rare lengths are found only as a whole run);
/// - **after** the card: nothing, 3–4 digits, 6 digits reading `MMYYYY`, or 7–8 digits that start with
///   an `MMYY` expiry (then a code). Three digits (four for American Express) are a code; four after
///   another card are a PIN or an expiry — reported as a code for keyed digits (a PIN is sensitive
///   authentication data too, and the two cannot be told apart), not for spoken ones (customers read
///   the expiry after the number; PINs are keyed).
///
/// Stretches are tried fewest extra digits first, then fewest leading digits. Even so, a random run of
/// 17–24 digits holds such a card now and then: `Documentation/transcript-detection.md` has the measured
/// rate, which is why spoken runs are searched only in card context.
enum CardRunSearch {
    /// A card found in a run.
    struct Match: Equatable {
        /// Digit offsets of the card in the run.
        let card: Range<Int>
        let network: CardNetwork
        /// Digit offsets of the security code after it, if the trailing digits hold one.
        let code: Range<Int>?
    }

    /// Longest run of extra digits considered.
    static let maxLeading = 2

    /// The lengths a card of `network` is searched for inside a run.
    static func commonLengths(_ network: CardNetwork) -> Set<Int> {
        switch network {
        case .amex: [15]
        case .diners: [14, 16]
        case .uatp: []
        default: [16]
        }
    }

    /// The card inside `digits` (ASCII), whose start and end must fall on one of `boundaries` (digit
    /// offsets; every offset when `nil`). `keyed`: four digits after a card are reported as a code.
    static func find(in digits: [UInt8], boundaries: Set<Int>? = nil, keyed: Bool) -> Match? {
        guard digits.count >= 14 else { return nil }
        for extra in 1...(maxLeading + 8) {
            for leading in 0...min(maxLeading, extra) {
                let trailing = extra - leading
                let end = digits.count - trailing
                guard end - leading >= 14, trailing <= 8 else { continue }
                if let boundaries, !boundaries.contains(leading) || !boundaries.contains(end) { continue }
                let candidate = digits[leading..<end]
                guard let network = PaymentCard.network(ofDigits: candidate),
                    commonLengths(network).contains(candidate.count), PaymentCard.isLuhnValid(candidate),
                    let code = securityCode(in: digits[end...], network: network, keyed: keyed)
                else { continue }
                return Match(
                    card: leading..<end, network: network,
                    code: code.isEmpty ? nil : (end + code.lowerBound)..<(end + code.upperBound))
            }
        }
        return nil
    }

    /// The digits keyed so far when they are a complete card from the first digit on: a Luhn-valid
    /// card of a network with one common length, at that length. Diners Club (14 or 16) is left to the
    /// run's end, where its length is known, and so is a card after leading digits (a menu choice): a
    /// stretch that starts later in a run is a card by chance too often (11 % of random 17–24 digit
    /// runs would be flagged, against 4.5 % when the whole run is known).
    static func earlyCard(in digits: [UInt8]) -> (card: Range<Int>, network: CardNetwork)? {
        guard let network = PaymentCard.network(ofDigits: digits) else { return nil }
        let lengths = commonLengths(network)
        guard lengths.count == 1, lengths.contains(digits.count), PaymentCard.isLuhnValid(digits) else { return nil }
        return (0..<digits.count, network)
    }

    /// A run of 19 digits that is a valid card as a whole but also a valid 16-digit card followed by a
    /// 3-digit code: 19-digit cards are rare, and a code after a 16-digit card makes a Luhn-valid
    /// 19-digit run one time in ten. Returns the card's length and network.
    static func cardAndCode(in digits: ArraySlice<UInt8>) -> (card: Int, network: CardNetwork)? {
        guard digits.count == 19, PaymentCard.isValid(digits) else { return nil }
        let card = digits.prefix(16)
        guard let network = PaymentCard.network(ofDigits: card), commonLengths(network).contains(16),
            PaymentCard.isLuhnValid(card)
        else { return nil }
        return (16, network)
    }

    /// Where the security code lies in the digits after a card (offsets relative to their start; an
    /// empty range when there is none), or `nil` when they do not have the shape of what follows a card.
    static func securityCode(in trailing: ArraySlice<UInt8>, network: CardNetwork, keyed: Bool) -> Range<Int>? {
        let digits = Array(trailing)
        func isMonth(_ offset: Int) -> Bool {
            let month = Int(digits[offset] &- 48) * 10 + Int(digits[offset + 1] &- 48)
            return (1...12).contains(month)
        }
        switch digits.count {
        case 0: return 0..<0
        case 3: return 0..<3
        case 4: return keyed || network == .amex ? 0..<4 : 0..<0
        case 6: return isMonth(0) && digits[2] == 50 && digits[3] == 48 ? 0..<0 : nil  // MMYYYY, 20YY
        case 7, 8: return isMonth(0) ? 4..<digits.count : nil
        default: return nil
        }
    }
}
