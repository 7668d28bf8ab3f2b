import Foundation
import Testing
import VigilTesting

@testable import VigilEventSub

/// The byte-wise reading of `webhook-signature` against the character-wise one it replaced on the hot
/// path: the same signatures, in the same order, and the same refusal of too many entries, on
/// generated ASCII headers (every real header is ASCII; any other still takes the character-wise path).
@Suite("webhook-signature: the byte-wise reader reads what the character-wise one reads")
struct SignatureHeaderTests {
    @Test func generatedHeadersAgree() {
        var random = SplitMix(seed: 0x51_6e_a7)
        let valid = ["v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=", "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="]
        let pieces = [
            "v1,", "v2,", "v1", ",", " ", "  ", "v1,AAAA", "v1,not base64!", "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN_H_pI4=",
            "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4", "V1,", "\t", "v1,,", "="
        ]
        var nonEmpty = 0
        for round in 0..<5_000 {
            var header = ""
            for _ in 0..<Int.random(in: 0...(round % 7 == 0 ? 20 : 6), using: &random) {
                header += Bool.random(using: &random) ? valid.randomElement(using: &random)! : pieces.randomElement(using: &random)!
                if Int.random(in: 0..<3, using: &random) > 0 { header += " " }
            }
            let bytewise = WebhookVerifier.standardSignatures(header)
            #expect(bytewise == WebhookVerifier.standardSignaturesByCharacter(header), "\(header)")
            if let bytewise, !bytewise.isEmpty { nonEmpty += 1 }
        }
        #expect(nonEmpty > 1_000)
        // More than the allowed entries is refused by both.
        let many = Array(repeating: valid[0], count: WebhookVerifier.maxSignatures + 1).joined(separator: " ")
        #expect(WebhookVerifier.standardSignatures(many) == nil)
        #expect(WebhookVerifier.standardSignaturesByCharacter(many) == nil)
        #expect(WebhookVerifier.standardSignatures(" \(valid[0])  \(valid[1]) ")?.count == 2)
    }

    /// A header with a non-ASCII character goes the character-wise way: a space followed by a combining
    /// mark is one character there, not a separator.
    @Test func aNonASCIIHeaderIsReadCharacterWise() {
        let header = "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4= \u{301}v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
        #expect(WebhookVerifier.standardSignatures(header) == WebhookVerifier.standardSignaturesByCharacter(header))
        #expect(WebhookVerifier.standardSignatures(header)?.count == 0)
    }
}
