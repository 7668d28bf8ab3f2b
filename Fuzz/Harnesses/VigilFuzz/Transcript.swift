// The STA transcript decoder and the transcript rules on fuzzed bytes. Invariants:
// 1. A refusal's renderings hold no 6-digit run of the input.
// 2. A decoded document's description (and its phrases' and words') hold no card number or SSN of the
//    input: they omit the spoken text.
// 3. Every finding of `TranscriptAnalyzer` has a non-negative offset and duration and a confidence in
//    [0, 1], and neither its evidence nor its description holds a card number or SSN of the input.
import VigilAnalysis
import VigilModels

private let analyzer = TranscriptAnalyzer()

func fuzzSTATranscript(_ buffer: UnsafeBufferPointer<UInt8>) {
    let bytes = Array(buffer), runs = digitRuns(in: bytes), secrets = plantedSecrets(in: bytes)
    let document: STATranscriptDocument
    do {
        document = try VigilJSON.decode(STATranscriptDocument.self, from: bytes)
    } catch {
        for text in renderings(of: error) { checkNoDigits(text, from: runs, in: "a transcript decoding error") }
        return
    }
    var texts = [document.description, String(reflecting: document)]
    for transcript in document.transcripts {
        for phrase in transcript.phrases {
            texts.append(phrase.description)
            texts += (phrase.words ?? []).map(\.description)
        }
    }
    for text in texts { checkNoSecrets(text, secrets, in: "a transcript's description") }
    for finding in analyzer.findings(in: document) {
        guard finding.offsetMs >= 0, finding.durationMs >= 0, (0...1).contains(finding.confidence) else {
            violated("a finding with a negative offset or duration or a confidence outside [0, 1]")
        }
        for text in [finding.evidence, finding.description, String(reflecting: finding)] {
            checkNoSecrets(text, secrets, in: "a transcript finding")
        }
    }
}
