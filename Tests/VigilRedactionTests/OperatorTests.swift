import Testing
import VigilRedaction

@Suite("Redaction: operators and Redactor")
struct OperatorTests {
    @Test("mask keeps the last four by default; character and count are configurable")
    func mask() throws {
        let standard = try Redactor()
        #expect(standard.redact("card 4111111111111111.").text == "card ************1111.")
        #expect(standard.redact("card 4012-8888-8888-1881").text == "card ************1881")
        let custom = try Redactor(policy: RedactionPolicy(default: .mask(character: "#", keepingLast: 2)))
        #expect(custom.redact("4111111111111111").text == "##############11")
        #expect(custom.redact("card 4111111111111111 cvv 123").text == "card ##############11 cvv ###")
        // Never more than half.
        let greedy = try Redactor(policy: RedactionPolicy(default: .mask(keepingLast: 12)))
        #expect(greedy.redact("4111111111111111").text == "********11111111")
    }

    @Test("replace and drop")
    func replaceAndDrop() throws {
        let replace = try Redactor(policy: RedactionPolicy(default: .replace()))
        #expect(replace.redact("4111111111111111 or a@b.io").text == "<CREDIT_CARD> or <EMAIL_ADDRESS>")
        let custom = try Redactor(policy: RedactionPolicy(default: .replace(with: "[x]")))
        #expect(custom.redact("ssn 536-22-1234").text == "ssn [x]")
        let drop = try Redactor(policy: RedactionPolicy(default: .drop))
        #expect(drop.redact("card 4111111111111111!").text == "card !")
    }

    @Test("token: stable for equal values, different for values, keys and kinds")
    func token() throws {
        let redactor = try Redactor(policy: .tokenizeAll, tokenKey: testKey)
        let a = redactor.redact("4111111111111111").text
        let b = redactor.redact("4111 1111 1111 1111").text
        #expect(a == b)
        #expect(a.hasPrefix("tok_pan_"))
        #expect(a.count == "tok_pan_".count + 22)
        #expect(redactor.redact("5555555555554444").text != a)
        let other = try Redactor(policy: .tokenizeAll, tokenKey: otherKey)
        #expect(other.redact("4111111111111111").text != a)
        // The same characters as another kind do not collide.
        #expect(
            testKey.token(for: "4111111111111111", kind: .creditCard)
                != testKey.token(for: "4111111111111111", kind: .phoneNumber).replacingOccurrences(of: "phone", with: "pan"))
        // Every spelling of one phone number tokenizes alike; e-mail is case-insensitive.
        let phones = ["+1 317 555 0123", "(317) 555-0123", "317.555.0123", "+13175550123"].map { redactor.redact("call \($0)").text }
        #expect(Set(phones).count == 1)
        #expect(redactor.redact("Jane@Example.com").text == redactor.redact("jane@example.com").text)
        // Spoken and written numbers agree.
        #expect(redactor.redact(transcript: "four one one one one one one one one one one one one one one one").text == a)
    }

    @Test("token needs a key; short keys are refused; keys never print")
    func keys() throws {
        #expect(throws: RedactionError(.missingTokenKey)) { try Redactor(policy: .tokenizeAll) }
        #expect(throws: RedactionError(.invalidTokenKey)) { try TokenKey(Array(repeating: 1, count: 15)) }
        var dumped = ""
        dump(testKey, to: &dumped)
        #expect(String(describing: testKey) == "TokenKey(<redacted>)")
        #expect(!dumped.contains("HMAC") && !dumped.contains("inner"))
        #expect(RedactionError(.invalidJSON, offset: 3).description == "redaction.invalidJSON at byte offset 3")
    }

    @Test("Results and findings never contain raw values")
    func noRawValues() throws {
        let text = "card 4111111111111111 exp 12/27 cvv 123, ssn 536-22-1234, jane@example.com, +44 20 7946 0958"
        let redactor = try Redactor(policy: .tokenizeAll, tokenKey: testKey)
        let result = redactor.redact(text)
        #expect(result.findings.map(\.kind) == [.creditCard, .cardExpiry, .cvv, .usSSN, .email, .phoneNumber])
        var dumped = ""
        dump(result, to: &dumped)
        for rendering in [
            result.text, String(describing: result), String(reflecting: result), dumped,
            String(describing: result.findings)
        ] {
            for raw in ["4111111111111111", "12/27", "cvv 123", "536-22-1234", "jane@example.com", "7946 0958"] {
                #expect(!rendering.contains(raw), "\(raw)")
            }
        }
    }
}
