import Foundation
import Testing
import VigilModels
import VigilTesting

@testable import VigilAnalysis

/// The analysis doors (a transcript handed to the engine, an analysis policy file) against the shared
/// ambiguity table. A transcript whose `transcripts` member appears twice could hide a spoken card
/// from Vigil while every other reader sees it (or the reverse): it is refused, not analysed.
@Suite("Analysis doors: one reading of a transcript or a policy")
struct AmbiguousInputTests {
    static func analyse(_ bytes: [UInt8]) throws(AnalysisError) -> [ComplianceFinding] {
        var analyzer = ContentAnalyzer()
        var found = try analyzer.consume(bytes)
        found += try analyzer.finish()
        return found
    }

    @Test func ambiguousTranscriptsAreRefusedNotAnalysed() throws {
        let document = TranscriptAnalysisTests.document([
            ("internal", "This call may be recorded. How can I help?", 2000),
            ("external", "my card is four one one one one one one one one one one one one one one one", 10000)
        ])
        let text = String(decoding: try VigilJSON.encode(document), as: UTF8.self)
        let baseline = try Self.analyse(Array(text.utf8))
        #expect(baseline.map(\.type).contains(.pciMidCapture))
        let variants = AmbiguousJSON.refusals(of: text, member: "transcripts", alternative: "[]")
        #expect(variants.count == 16)
        for variant in variants {
            #expect(throws: AnalysisError.self, "\(variant)") { try Self.analyse(variant.bytes) }
        }
        for variant in AmbiguousJSON.equivalents(of: text, member: "transcripts") {
            #expect(try Self.analyse(variant.bytes).map(\.type) == baseline.map(\.type), "\(variant)")
        }
    }

    @Test func ambiguousAnalysisPoliciesAreInvalid() throws {
        let text = #"{"promptWindowSeconds": 20, "promptWindowTurns": 3}"#
        #expect(try AnalysisPolicy.decode(from: Array(text.utf8)).promptWindowTurns == 3)
        for variant in AmbiguousJSON.refusals(of: text, member: "promptWindowTurns", alternative: "1") {
            #expect(throws: AnalysisError.self, "\(variant)") { try AnalysisPolicy.decode(from: variant.bytes) }
        }
        let duplicate = Array(#"{"promptWindowTurns": 3, "promptWindowTurns": 1}"#.utf8)
        do {
            _ = try AnalysisPolicy.decode(from: duplicate)
            Issue.record("a duplicate key was accepted")
        } catch {
            #expect(error.key == "promptWindowTurns")
        }
        for variant in AmbiguousJSON.equivalents(of: text, member: "promptWindowTurns") {
            #expect(try AnalysisPolicy.decode(from: variant.bytes).promptWindowTurns == 3, "\(variant)")
        }
    }
}
