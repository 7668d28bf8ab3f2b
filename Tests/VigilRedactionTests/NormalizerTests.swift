import Testing
import VigilRedaction

@Suite("Redaction: spoken-digit normaliser")
struct NormalizerTests {
    @Test("Sixteen spoken digits become a Luhn-valid card with the original range")
    func spokenCard() {
        let text = "sure it's four one one one one one one one one one one one one one one one thanks"
        #expect(SpokenDigitNormalizer.normalize(text).text == "sure it's 4111111111111111 thanks")
        let findings = detector.findings(inTranscript: text)
        #expect(findings.count == 1)
        #expect(findings.first?.kind == .creditCard)
        let range = findings[0].range(in: text)!
        #expect(text[range] == "four one one one one one one one one one one one one one one one")
    }

    @Test("double, triple, oh, zero, teens and tens")
    func words() {
        let cases: [(String, String)] = [
            ("double five", "55"), ("triple seven", "777"), ("Double Oh Seven", "007"),
            ("four oh one", "401"), ("oh four", "04"), ("zero nine", "09"), ("twenty one", "21"),
            ("twenty-one", "21"), ("twenty", "20"), ("nineteen", "19"), ("four one, uh, one one", "4111"),
            ("4111 one one", "411111"), ("FOUR ONE", "41")
        ]
        for (spoken, digits) in cases {
            #expect(SpokenDigitNormalizer.normalize(spoken).text == digits, "\(spoken)")
        }
        #expect(SpokenDigitNormalizer.normalize("oh, I see").text == "oh, I see")
        #expect(SpokenDigitNormalizer.normalize("a double room").text == "a double room")
        #expect(SpokenDigitNormalizer.normalize("one hundred").text == "1 hundred")
    }

    /// Found by the spoken-digits fuzz harness: "double o11" read as "00" then "11" ended the
    /// sequence, so a second pass joined what the first had left in two runs.
    @Test("A word glued to digits is no spoken digit after double or triple, and one pass is final")
    func gluedWordAfterMultiplier() {
        for text in ["2 double o11 one one one 1", "triple five7 one", "double oh4 two"] {
            let once = SpokenDigitNormalizer.normalize(text).text
            #expect(SpokenDigitNormalizer.normalize(once).text == once, "\(text)")
        }
        #expect(SpokenDigitNormalizer.normalize("2 double o11 one one").text == "2 double o11 11")
    }

    @Test("Alignment maps digits back to their words")
    func alignment() {
        let text = "is double five ok"
        let normalized = SpokenDigitNormalizer.normalize(text)
        #expect(normalized.text == "is 55 ok")
        #expect(normalized.originalRange(forNormalizedUTF8: 3..<5) == 3..<14)
        #expect(normalized.originalRange(forNormalizedUTF8: 0..<2) == 0..<2)
        #expect(normalized.originalRange(forNormalizedUTF8: 6..<8) == 15..<17)
        #expect(!String(describing: normalized).contains("55"))
    }

    @Test("A card spoken across phrases, with fillers, is found and masked in each phrase")
    func phrases() throws {
        let phrases = [
            "my card number is four one one one,",
            "uh, one one one one one one one one",
            "one one one one and that's it"
        ]
        let findings = detector.findings(inPhrases: phrases)
        #expect(findings.count == 1)
        let finding = try #require(findings.first)
        #expect(finding.kind == .creditCard)
        #expect(finding.segments.map(\.phraseIndex) == [0, 1, 2])
        // From the first digit word to the last; what lies between (commas, fillers) is inside.
        #expect(finding.segments[0].utf8Range == 18..<35)
        #expect(finding.segments[1].utf8Range == 0..<35)
        #expect(finding.segments[2].utf8Range == 0..<15)

        let redactor = try Redactor()
        let result = redactor.redact(phrases: phrases)
        #expect(result.phrases == ["my card number is ************1111", "", " and that's it"])
        #expect(!String(describing: result).contains("one one"))
    }

    @Test("Spoken SSN and phone with context words")
    func spokenOthers() throws {
        let redactor = try Redactor()
        #expect(
            redactor.redact(transcript: "my social is five three six two two one two three four").text
                == "my social is <US_SSN>")
        #expect(
            redactor.redact(transcript: "call me on three one seven five five five oh one two three").text
                == "call me on <PHONE_NUMBER>")
    }
}
