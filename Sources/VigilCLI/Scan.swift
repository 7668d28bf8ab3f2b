import Foundation
import VigilAnalysis
import VigilModels

/// `vigil scan`: runs the reference compliance engine on a local WAV or transcript JSON.
///
/// The verdict (seed schema) goes to stdout as JSON, a readable summary to stderr. Exit codes: 0 done,
/// 1 violation found with `--fail-on-violation`, 2 usage or input error.
enum Scan {
    static let usage = """
    USAGE: vigil scan FILE [--policy POLICY.json] [--fail-on-violation] [--evidence-clip OUT.wav]
           vigil scan --generate-sample OUT.wav

    Scans a recording (WAV: PCM 16-bit, µ-law or A-law; 8 or 16 kHz; mono or stereo) for DTMF card
    numbers, security codes and SSNs, or a Speech & Text Analytics transcript (JSON) for spoken card
    numbers and SSNs, missing disclosures and prohibited phrases. Prints the verdict as JSON on stdout
    and a summary on stderr.

    OPTIONS:
      --policy FILE          Rules (JSON); every key optional, see README.md
      --fail-on-violation    Exit 1 when the verdict is VIOLATION_DETECTED
      --evidence-clip OUT    For a WAV with findings: write a copy with the flagged spans silenced
      --generate-sample OUT  Write a synthetic 12 s stereo call with a test card keyed in it
                             (OUT.json: a sample transcript instead)

    """

    static func run(_ arguments: [String]) -> Int32 {
        var file: String?
        var policyPath: String?
        var failOnViolation = false
        var samplePath: String?
        var clipPath: String?
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "-h", "--help":
                print(usage, terminator: "")
                return 0
            case "--fail-on-violation":
                failOnViolation = true
            case "--policy", "--generate-sample", "--evidence-clip":
                guard index + 1 < arguments.count else { return usageError("\(argument) needs a file") }
                index += 1
                switch argument {
                case "--policy": policyPath = arguments[index]
                case "--evidence-clip": clipPath = arguments[index]
                default: samplePath = arguments[index]
                }
            default:
                guard !argument.hasPrefix("-"), file == nil else { return usageError("unexpected argument '\(argument)'") }
                file = argument
            }
            index += 1
        }
        if let samplePath {
            guard file == nil else { return usageError("--generate-sample takes no FILE") }
            return generateSample(at: samplePath)
        }
        guard let file else { return usageError("missing FILE") }

        var policy = AnalysisPolicy()
        if let policyPath {
            guard let data = FileManager.default.contents(atPath: policyPath) else {
                return inputError("cannot read policy \(policyPath)")
            }
            do {
                policy = try AnalysisPolicy.decode(from: data)
            } catch {
                return inputError("\(policyPath): \(error)")
            }
        }
        let report: FileScan.Report
        do {
            report = try FileScan.scan(fileAtPath: file, policy: policy)
        } catch {
            return inputError("\(file): \(error)")
        }
        guard let json = try? VigilJSON.encode(report.verdict) else { return inputError("cannot encode the verdict") }
        FileHandle.standardOutput.write(json + Data("\n".utf8))
        FileHandle.standardError.write(Data("vigil scan: \(file)\n\(report.summary)".utf8))
        if let clipPath, report.kind == .audio, !report.findings.isEmpty {
            do {
                try FileScan.writeMaskedClip(from: file, to: clipPath, findings: report.findings)
                FileHandle.standardError.write(Data("masked evidence clip: \(clipPath)\n".utf8))
            } catch {
                return inputError("\(clipPath): \(error)")
            }
        }
        return failOnViolation && report.verdict.verdict == .violationDetected ? 1 : 0
    }

    static func generateSample(at path: String) -> Int32 {
        let transcript = path.lowercased().hasSuffix(".json")
        let bytes = transcript ? FileScan.sampleTranscript() : FileScan.sampleCall()
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            return inputError("cannot write \(path)")
        }
        let what = transcript
            ? "a Speech & Text Analytics transcript: no recording notice, a Visa test card number (…1111) read "
                + "aloud over three phrases from 14.2 s, and a prohibited phrase at 31.0 s"
            : "a 12 s stereo 8 kHz µ-law call; a Visa test card number (…1111) is keyed on the customer channel "
                + "at 3.0 s and a security code at 7.0 s"
        FileHandle.standardError.write(Data("""
        wrote \(path): \(what).
        Try: vigil scan \(path) --fail-on-violation

        """.utf8))
        return 0
    }

    static func usageError(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("vigil scan: \(message)\n\n\(usage)".utf8))
        return 2
    }

    static func inputError(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("vigil scan: \(message)\n".utf8))
        return 2
    }
}
