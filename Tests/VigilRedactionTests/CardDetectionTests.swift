import Testing
import VigilRedaction

// Source: microsoft/presidio, presidio-analyzer/tests/test_credit_card_recognizer.py (MIT), as
// summarised in ../shared/reference/peers-and-test-material.md §3.3; Presidio cites datatrans
// test numbers. Verbatim.
let presidioValidCards: [String] = [
    "4012888888881881", "122000000000003", "371449635398431", "5555555555554444", "5019717010103742",
    "30569309025904", "6011000400000000", "3528000700000000", "6759649826438453", "4111111111111111",
    "4917300800000000", "4484070000000000"
]

// Source: Stripe testing documentation as copied in public gists (§3.3 of the same file). Verbatim.
let stripeTestCards: [String] = [
    "4242424242424242", "4000056655665556", "5200828282828210", "5105105105105100", "2223003122003222",
    "378282246310005", "6011111111111117", "6011000990139424", "38520000023237", "36227206271667",
    "3530111333300000", "3566002020360505", "6200000000000005", "6205500000000000004"
]

@Suite("Redaction: payment cards")
struct CardDetectionTests {
    @Test("Presidio's valid card list is detected", arguments: presidioValidCards)
    func presidioValid(number: String) {
        #expect(found(.creditCard, in: number) == [number])
        #expect(found(.creditCard, in: "my credit card number is \(number).") == [number])
    }

    @Test("Presidio's separated spans: 0–16, 17–36, 37–56")
    func presidioSpans() {
        let text = "4012888888881881 4012-8888-8888-1881 4012 8888 8888 1881"
        let findings = detector.findings(in: text)
        #expect(findings.map(\.utf8Range) == [0..<16, 17..<36, 37..<56])
        #expect(findings.allSatisfy { $0.kind == .creditCard && $0.cardNetwork == .visa })
    }

    @Test(
        "Presidio's invalid cards are not detected, even after context words",
        arguments: ["4012-8888-8888-1882", "36168002586008"])
    func presidioInvalid(number: String) {
        #expect(detector.findings(in: number).isEmpty)
        #expect(detector.findings(in: "my credit card number is \(number)").isEmpty)
    }

    @Test("Stripe test PANs are detected, including Mastercard 2-series and 19 digits", arguments: stripeTestCards)
    func stripe(number: String) {
        #expect(found(.creditCard, in: "pay with \(number) please") == [number])
    }

    @Test("Networks from the IIN table")
    func networks() {
        let expected: [(String, CardNetwork)] = [
            ("2223003122003222", .mastercard), ("5555555555554444", .mastercard), ("371449635398431", .amex),
            ("6011000400000000", .discover), ("3528000700000000", .jcb), ("30569309025904", .diners),
            ("6200000000000005", .unionPay), ("6759649826438453", .maestro), ("122000000000003", .uatp),
            ("4111111111111111", .visa), ("5019717010103742", .maestro)
        ]
        for (number, network) in expected {
            #expect(detector.findings(in: number).first?.cardNetwork == network, "\(network)")
        }
    }

    @Test("Luhn failures and IIN/length mismatches are rejected")
    func rejected() {
        #expect(detector.findings(in: "4242424242424241").isEmpty)  // Stripe's Luhn-invalid
        // Luhn-valid but no IIN range for the length: 1234567890123452 (16 digits, IIN 1 is 15 only)
        #expect(PaymentCard.isLuhnValid(Array("1234567890123452".utf8)))
        #expect(detector.findings(in: "1234567890123452").isEmpty)
        // Amex prefix with 16 digits.
        #expect(PaymentCard.network(ofDigits: Array("3714496353984310".utf8)) == nil)
        // Mastercard 2-series boundaries.
        #expect(PaymentCard.network(ofDigits: Array("2221000000000009".utf8)) == .mastercard)
        #expect(PaymentCard.network(ofDigits: Array("2720990000000000".utf8)) == .mastercard)
        #expect(PaymentCard.network(ofDigits: Array("2721000000000000".utf8)) == nil)
        #expect(PaymentCard.network(ofDigits: Array("2220990000000000".utf8)) == nil)
    }

    @Test("Digit-run boundaries: not part of a longer digit or alphanumeric run")
    func boundaries() {
        #expect(detector.findings(in: "94111111111111111").isEmpty)
        #expect(detector.findings(in: "x4111111111111111").isEmpty)
        #expect(detector.findings(in: "4111111111111111a").isEmpty)
        #expect(detector.findings(in: "ORD-4111111111111111").isEmpty)
        #expect(found(.creditCard, in: "card:4111111111111111,") == ["4111111111111111"])
        #expect(found(.creditCard, in: "(4111 1111 1111 1111)") == ["4111 1111 1111 1111"])
        // Mixed separators are not one number.
        #expect(found(.creditCard, in: "4111-1111 1111 1111").isEmpty)
        // A number next to a card in a space-separated run: the card is still found.
        #expect(found(.creditCard, in: "ref 12345 4111 1111 1111 1111") == ["4111 1111 1111 1111"])
        #expect(found(.creditCard, in: "4111111111111111 2027") == ["4111111111111111"])
    }

    @Test("Findings never print the number")
    func noValueInDescription() {
        let text = "card 4111111111111111"
        let finding = detector.findings(in: text)[0]
        var dumped = ""
        dump(finding, to: &dumped)
        for rendering in [String(describing: finding), String(reflecting: finding), dumped] {
            #expect(!rendering.contains("4111111111111111"))
            #expect(!rendering.contains("1111"))
        }
    }
}
