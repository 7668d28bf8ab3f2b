import Testing
import VigilRedaction

@Suite("Redaction: SSN, phone, e-mail, CVV and expiry")
struct OtherDetectorTests {
    @Test("SSN: same separator (hyphen, space, dot)")
    func ssnSeparators() {
        #expect(found(.usSSN, in: "ssn 536-22-1234") == ["536-22-1234"])
        #expect(found(.usSSN, in: "536 22 1234") == ["536 22 1234"])
        #expect(found(.usSSN, in: "536.22.1234") == ["536.22.1234"])
        #expect(found(.usSSN, in: "536-22.1234").isEmpty)  // mixed separators
        #expect(found(.usSSN, in: "536-22-12345").isEmpty)  // longer run
    }

    @Test("SSN: 9 contiguous digits only with context words")
    func ssnContiguous() {
        #expect(found(.usSSN, in: "my social security number is 536221234") == ["536221234"])
        #expect(found(.usSSN, in: "SSN: 536221234") == ["536221234"])
        #expect(found(.usSSN, in: "tracking 536221234").isEmpty)
    }

    @Test(
        "SSN: each rule has a failing case",
        arguments: [
            "000-12-3456",  // area 000
            "666-12-3456",  // area 666
            "900-12-3456", "999-12-3456",  // area 9xx
            "536-00-1234",  // group 00
            "536-22-0000",  // serial 0000
            "078-05-1120", "219-09-9999", "123-45-6789",  // known advertising/sample numbers
            "111-11-1111", "555 55 5555"  // all the same digit
        ])
    func ssnRules(number: String) {
        #expect(found(.usSSN, in: "ssn \(number)").isEmpty)
    }

    @Test("Phone: E.164 and NANP positives")
    func phonePositives() {
        let positives = [
            "+44 20 7946 0958", "+14155552671", "+1 (317) 555-0123", "+49-30-901820", "+33 1 23 45 67 89",
            "(317) 555-0123", "(317)555-0123", "317-555-0123", "317.555.0123", "1-800-555-0199", "317 555 0123"
        ]
        for number in positives {
            #expect(found(.phoneNumber, in: "call \(number) today") == [number], "\(number)")
        }
        #expect(found(.phoneNumber, in: "tel:+13175550123") == ["+13175550123"])
        #expect(found(.phoneNumber, in: "my number is 3175550123") == ["3175550123"])
    }

    @Test("Phone: negatives")
    func phoneNegatives() {
        let negatives = [
            "+0 123 456 789",  // E.164 starts 1–9
            "+1234567",  // 7 digits
            "+1234567890123456",  // 16 digits
            "117-555-0123",  // area starts with 1
            "317-155-0123",  // exchange starts with 1
            "317-555.0123",  // mixed separators
            "3175550123",  // bare 10 digits, no context
            "317-555-01234",  // longer line
            "a317-555-0123",
            "2026-11-28", "192.168.100.200", "2f7bf00a-0fc2-4d6a-9b56-92238191433e",
            "10:20:30+0200"
        ]
        for text in negatives {
            #expect(found(.phoneNumber, in: text).isEmpty, "\(text)")
        }
    }

    @Test("Phone: a '+' digit string that is a card is a card, not a phone")
    func plusCard() {
        #expect(described("+371449635398431") == ["creditCard:371449635398431"])
    }

    @Test("E-mail")
    func email() {
        #expect(found(.email, in: "write to Jane.Doe+cc@mail.example.co.uk.") == ["Jane.Doe+cc@mail.example.co.uk"])
        #expect(found(.email, in: "a@b.io") == ["a@b.io"])
        #expect(found(.email, in: "user@localhost").isEmpty)
        #expect(found(.email, in: "user@example.c").isEmpty)
        #expect(found(.email, in: "user@example.123").isEmpty)
        #expect(found(.email, in: "@example.com").isEmpty)
        #expect(found(.email, in: "user.@example.com").isEmpty)
        #expect(found(.email, in: "user@-example.com").isEmpty)
        // Digits in an address are part of the address, not a separate finding.
        #expect(described("4111111111111111@example.com") == ["email:4111111111111111@example.com"])
    }

    @Test("CVV and expiry only in card context")
    func cvvAndExpiry() {
        #expect(
            described("card 4111111111111111 exp 12/27 cvv 123")
                == ["creditCard:4111111111111111", "cardExpiry:12/27", "cvv:123"])
        #expect(described("the cvc is 4821") == ["cvv:4821"])
        #expect(described("expiry 03/2029") == ["cardExpiry:03/2029"])
        #expect(described("expiration 11-28") == ["cardExpiry:11-28"])
        // Without context: nothing.
        #expect(described("meet at 12/27 in room 123").isEmpty)
        #expect(described("we sold 4821 units by 03/2029").isEmpty)
        // Invalid month, dates, longer numbers.
        #expect(described("card 4111111111111111 exp 13/27").map { $0.hasPrefix("cardExpiry") } == [false])
        #expect(found(.cardExpiry, in: "card 4111111111111111 on 12/27/2026").isEmpty)
        // Far from the card (beyond the window) and no keyword: nothing.
        let far = "card 4111111111111111" + String(repeating: " and so on", count: 8) + " 123"
        #expect(found(.cvv, in: far).isEmpty)
        // Groups of a Luhn-invalid card are not CVVs.
        #expect(described("my credit card number is 4012 8888 8888 1882").isEmpty)
    }
}
