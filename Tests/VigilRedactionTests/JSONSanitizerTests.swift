import Foundation
import Testing
import VigilRedaction

@Suite("Redaction: JSON sanitiser")
struct JSONSanitizerTests {
    let sanitizer = try! JSONSanitizer(tokenKey: testKey)

    func sanitize(_ json: String) throws -> String {
        String(decoding: try sanitizer.sanitize(Array(json.utf8)), as: UTF8.self)
    }

    @Test("PANs, SSNs and e-mails in nested strings, arrays and numbers do not survive")
    func nested() throws {
        let json = """
            {"eventTime": 1649237504949, "card": 4111111111111111, "amount": 12.5,
             "notes": ["paid with 4012 8888 8888 1881", {"deep": {"ssn": "ssn 536-22-1234"}}],
             "contact": "reach me at jane.doe@example.com", "escaped": "\\u0034111111111111111",
             "cards": [5555555555554444, "6205500000000000004", -371449635398431, 2223003122003222.0],
             "ok": true, "none": null}
            """
        let output = try sanitize(json)
        for raw in [
            "4111111111111111", "4012 8888 8888 1881", "536-22-1234", "jane.doe@example.com",
            "5555555555554444", "6205500000000000004", "1881", "4444", "371449635398431",
            "2223003122003222"
        ] {
            #expect(!output.contains(raw), "\(raw)")
        }
        #expect(output.contains("\"eventTime\": 1649237504949"))
        #expect(output.contains("\"amount\": 12.5"))
        #expect(output.contains("\"card\": \"tok_pan_"))
        // Structure: still JSON with the same keys in the same order.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["eventTime", "card", "amount", "notes", "contact", "escaped", "cards", "ok", "none"])
        #expect((object["notes"] as? [Any])?.count == 2)
        #expect(object["ok"] as? Bool == true)
        #expect(output.firstRange(of: "\"eventTime\"")!.lowerBound < output.firstRange(of: "\"none\"")!.lowerBound)
    }

    /// Found by the json-sanitizer fuzz harness (the input is its reproducer, verbatim): the first
    /// pass wrote `tok_cvv_…`, and in a second pass the `cvv` inside that token was taken as context,
    /// so `132` became a CVV. Tokens are no context, and one pass is final.
    @Test("A sanitised document sanitises to itself: tokens are no context words")
    func onePassIsFinal() throws {
        let input =
            #"{"note":"card 4111 1111 1111 1111, ssn 123$4 1111 111rd 4111111 1111, s{ 1111, s{sn 132\#u{FEFF}-45;.doe@e0-abcd-00000:05:2CCCC23UInt.789","^ard":411111111.7e3}"#
        let once = try sanitizer.sanitize(Array(input.utf8))
        #expect(String(decoding: once, as: UTF8.self).contains("tok_cvv_"))
        #expect(try sanitizer.sanitize(once) == once)
        #expect(
            try sanitizer.sanitize(Array(#"{"a":"tok_cvv_zn0vBdyig7HB6J4aXs-zOg, 132"}"#.utf8))
                == Array(#"{"a":"tok_cvv_zn0vBdyig7HB6J4aXs-zOg, 132"}"#.utf8))
        #expect(try sanitizer.sanitize(Array(#"{"a":"cvv 132"}"#.utf8)) != Array(#"{"a":"cvv 132"}"#.utf8))
        // The second reproducer: overlapping addresses left `…@exiv…e.doe@…` after the first token,
        // and the token itself read as the next address's local part.
        let emails = #"{"aA":"䀴1123800341123800e.doe@exivdivfau403e.doe@exivdivfau40341123800e.doe@exilsee"}"#
        let first = try sanitizer.sanitize(Array(emails.utf8))
        #expect(String(decoding: first, as: UTF8.self).contains("tok_email_"))
        #expect(try sanitizer.sanitize(first) == first)
    }

    @Test("Documents without PII come back byte for byte")
    func unchanged() throws {
        let json = "{ \"a\" : [1, -2.5e3, true, null, \"x\\n\\u00e9\"],\n  \"b\": {}, \"c\": [] }"
        #expect(try sanitize(json) == json)
        #expect(try sanitize("  \"2f7bf00a-0fc2-4d6a-9b56-92238191433e\" ") == "  \"2f7bf00a-0fc2-4d6a-9b56-92238191433e\" ")
    }

    @Test("Always-tokenized keys are tokenized whatever the value, at any depth; keys are kept")
    func alwaysTokenized() throws {
        let json = """
            {"ani": "tel:+13175550123", "DNIS": "sip:helpdesk@example", "callbackNumbers": ["3175550123", 42],
             "participant": {"externalCallerId": "Jane", "addressFrom": {"x": "y", "z": false}}, "email": ""}
            """
        let output = try sanitize(json)
        for raw in ["3175550123", "helpdesk", "Jane", "\"y\"", ": 42"] {
            #expect(!output.contains(raw), "\(raw)")
        }
        #expect(output.contains("\"ani\": \"tok_fld_"))
        #expect(output.contains("\"DNIS\": \"tok_fld_"))
        #expect(output.contains("\"z\": false"))
        #expect(output.contains("\"email\": \"\""))
        // Equal values, equal tokens.
        let twice = try sanitize("[{\"ani\": \"x\"}, {\"ani\": \"x\"}]")
        let tokens = twice.split(separator: "\"").filter { $0.hasPrefix("tok_") }
        #expect(tokens.count == 2 && tokens[0] == tokens[1])
    }

    @Test("eventData.include: only the listed top-level members survive")
    func includeList() throws {
        // The seed's subscription: include recordingId, mediaUri, participants, startTime, endTime,
        // direction, channel, tags.
        let include: Set<String> = [
            "recordingId", "mediaUri", "participants", "startTime", "endTime", "direction",
            "channel", "tags"
        ]
        let minimiser = try JSONSanitizer(tokenKey: testKey, includedKeys: include)
        let json = """
            { "recordingId": "2f7bf00a-0fc2-4d6a-9b56-92238191433e", "transcript": "card 4111111111111111",
              "participants": [{"ani": "tel:+13175550123", "name": "Jane"}], "extension": "4711",
              "direction": "inbound", "nested": {"recordingId": "kept only at top level"} }
            """
        let output = String(decoding: try minimiser.sanitize(Array(json.utf8)), as: UTF8.self)
        #expect(output.hasPrefix("{\"recordingId\":\"2f7bf00a-0fc2-4d6a-9b56-92238191433e\",\"participants\":[{\"ani\": \"tok_fld_"))
        #expect(output.hasSuffix(",\"direction\":\"inbound\"}"))
        for dropped in ["transcript", "4111", "extension", "4711", "nested", "3175550123"] {
            #expect(!output.contains(dropped), "\(dropped)")
        }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["recordingId", "participants", "direction"])
        #expect(try minimiser.sanitize(Array("{}".utf8)) == Array("{}".utf8))
        #expect(try minimiser.sanitize(Array(" {\"other\": 1} ".utf8)) == Array(" {} ".utf8))
        #expect(throws: RedactionError(.notAnObject, offset: 0)) { try minimiser.sanitize(Array("[1]".utf8)) }
    }

    @Test("Bad input throws errors that carry no input")
    func errors() throws {
        let cases: [(String, RedactionError.Code)] = [
            ("{\"card\": \"4111111111111111\"", .invalidJSON),
            ("{\"a\": 01}", .invalidJSON),
            ("[1,]", .invalidJSON),
            ("\"\\ud800\"", .invalidJSON),
            ("{\"a\": tru}", .invalidJSON),
            (String(repeating: "[", count: 65) + String(repeating: "]", count: 65), .nestingTooDeep)
        ]
        for (json, code) in cases {
            do {
                _ = try sanitizer.sanitize(Array(json.utf8))
                Issue.record("accepted \(json.prefix(20))")
            } catch {
                #expect(error.code == code)
                #expect(!error.description.contains("4111"))
            }
        }
        #expect(throws: RedactionError(.invalidUTF8, offset: 2)) {
            try sanitizer.sanitize([0x22, 0x41, 0xff, 0x22])
        }
        let small = try JSONSanitizer(tokenKey: testKey, maximumInputSize: 4)
        #expect(throws: RedactionError(.inputTooLarge)) { try small.sanitize(Array("[1,2,3]".utf8)) }
    }

    @Test("Data in, Data out; spoken digits optional")
    func dataAndTranscripts() throws {
        let spoken = try JSONSanitizer(tokenKey: testKey, normalizesSpokenDigits: true)
        let json = Data("{\"transcript\": \"card four one one one one one one one one one one one one one one one\"}".utf8)
        let output = String(decoding: try spoken.sanitize(json), as: UTF8.self)
        #expect(output == "{\"transcript\": \"card \(testKey.token(for: "4111111111111111", kind: .creditCard))\"}")
        #expect(try sanitizer.sanitize(json) == json)
    }
}
