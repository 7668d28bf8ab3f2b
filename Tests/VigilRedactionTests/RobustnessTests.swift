import Testing
import VigilCore
import VigilRedaction

@Suite("Redaction: robustness")
struct RobustnessTests {
    static let pieces: [String] = [
        "0", "1", "4", "9", "4111", "5555", " ", "-", ".", "/", ":", "+", "(", ")", "@", "a", "e", "x.com",
        "one", "oh", "double", "twenty", "uh", ",", "é", "\n", "\"", "cvv", "card", "ssn", "exp", "12/27"
    ]

    @Test("Random text: no traps, ranges in bounds, ordered, non-overlapping; redaction removes every finding")
    func randomText() throws {
        var random = SplitMix64(seed: 42)
        let redactor = try Redactor(policy: RedactionPolicy(default: .replace(with: "#")))
        for _ in 0..<1500 {
            var text = ""
            for _ in 0..<Int(random.next() % 40) {
                text += Self.pieces[Int(random.next() % UInt64(Self.pieces.count))]
            }
            for findings in [detector.findings(in: text), detector.findings(inTranscript: text)] {
                var previousEnd = 0
                for finding in findings {
                    #expect(finding.utf8Range.lowerBound >= previousEnd)
                    #expect(finding.utf8Range.upperBound <= text.utf8.count)
                    #expect(!finding.utf8Range.isEmpty)
                    previousEnd = finding.utf8Range.upperBound
                }
            }
            let once = redactor.redact(text).text
            #expect(found(.creditCard, in: once).isEmpty)
            _ = redactor.redact(transcript: text)
            _ = redactor.redact(phrases: text.split(separator: " ").map(String.init))
        }
    }

    @Test("Random bytes into the JSON sanitiser: errors or JSON, never traps")
    func randomJSON() throws {
        var random = SplitMix64(seed: 7)
        let sanitizer = try JSONSanitizer(tokenKey: testKey)
        let alphabet = Array("{}[],:\"\\u0034 1-.eE+tfnrl4111ab\u{e9}".utf8) + [0xff, 0x0a]
        for _ in 0..<3000 {
            let bytes = (0..<Int(random.next() % 24)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            _ = try? sanitizer.sanitize(bytes)
        }
    }
}
