import Testing
import VigilRedaction

@Suite("Redaction: Presidio's known false positives are not repeated")
struct FalsePositiveTests {
    // Source: presidio issue #1607 (1748503543012, Luhn-valid) and the seed's event JSON timestamps.
    @Test(
        "13-digit millisecond timestamps are not cards",
        arguments: ["1748503543012", "1649237504949", "1700000000000", "1999999999999", "1000000000000"])
    func timestamps(value: String) {
        #expect(detector.findings(in: value).isEmpty)
        #expect(detector.findings(in: "{\"eventTime\": \(value), \"x\": 1}").isEmpty)
        #expect(detector.findings(in: "at \(value) ms").isEmpty)
    }

    @Test("The timestamp of issue #1607 is Luhn-valid, so only the IIN and timestamp rules reject it")
    func timestampIsLuhnValid() {
        #expect(PaymentCard.isLuhnValid(Array("1748503543012".utf8)))
        #expect(!PaymentCard.isValid(Array("1748503543012".utf8)))
        // Even with card words nearby: no IIN range starts with 1 at 13 digits.
        #expect(detector.findings(in: "credit card 1748503543012").isEmpty)
    }

    @Test("13-digit Visa numbers: below the 2100 epoch-ms bound they need card context")
    func thirteenDigitVisa() {
        // 4000000000006 is Luhn-valid and reads as 2096-10-02 in epoch milliseconds.
        #expect(detector.findings(in: "at 4000000000006").isEmpty)
        #expect(found(.creditCard, in: "visa card 4000000000006") == ["4000000000006"])
        // 4222222222222 is beyond 2100-01-01, so it is a card without context.
        #expect(found(.creditCard, in: "4222222222222") == ["4222222222222"])
    }

    @Test(
        "GUIDs yield nothing",
        arguments: [
            "2f7bf00a-0fc2-4d6a-9b56-92238191433e",
            "c03d300e-5c5a-4b58-9a5b-1748503543012",
            "12345678-9012-3456-7890-123456789012",
            "41111111-1111-1111-1111-111111111111",
            "{\"conversationId\":\"2f7bf00a-0fc2-4d6a-9b56-92238191433e\"}"
        ])
    func guids(text: String) {
        #expect(detector.findings(in: text).isEmpty)
        #expect(detector.findings(in: "call me re 2f7bf00a-0fc2-4d6a-9b56-92238191433e phone").isEmpty)
    }

    @Test(
        "ISO dates and times yield nothing",
        arguments: [
            "2026-11-28", "2026-11-28T15:23:02.123Z", "2026-11-28T15:23:02+02:00", "2026-11-28 15:23:02 +0200",
            "20261128T152302Z", "11/28/2026", "28.11.2026"
        ])
    func isoDates(text: String) {
        #expect(detector.findings(in: "card at \(text)").isEmpty)
    }

    @Test(
        "IP addresses yield nothing",
        arguments: [
            "192.168.100.200", "10.0.0.1", "255.255.255.255", "172.16.254.1:8443", "2001:db8::8a2e:370:7334"
        ])
    func ips(text: String) {
        #expect(detector.findings(in: "phone number host \(text)").isEmpty)
    }

    @Test(
        "Order and case ids yield nothing",
        arguments: [
            "ORD-2024-000123456", "order 20261128000123", "order 4000123412341235", "case #100200300400500", "INV4111111111111111",
            "ticket 1234567890123456", "id_4111111111111111x", "3.14159265358979323846"
        ])
    func orderIDs(text: String) {
        #expect(found(.creditCard, in: text).isEmpty)
        #expect(found(.phoneNumber, in: text).isEmpty)
    }
}
