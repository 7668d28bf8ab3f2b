import Foundation
import VigilAnalysis
import VigilCore
import VigilModels

/// The `vigil scan` command as a library function: arguments in, the bytes for stdout, the text for
/// stderr and an exit code out, with no process or terminal involved (so it is testable in process).
///
/// ```
/// vigil scan FILE [--policy POLICY.json] [--fail-on-violation] [--evidence-clip OUT.wav]
///                 [--recording-id UUID] [--correlation-id ID]
/// vigil scan --generate-sample OUT.wav|OUT.json
/// ```
///
/// Exit codes: 0 done, 1 violation found with `--fail-on-violation`, 2 usage or input error (the
/// message on stderr is a ``ScanCommandError``).
public enum ScanCommand {
    /// The parsed command line.
    public struct Options: Sendable, Hashable {
        /// The WAV or transcript JSON to scan (`nil` with ``samplePath``).
        public var file: String?
        /// A policy JSON file (``AnalysisPolicy``).
        public var policyPath: String?
        /// Exit 1 when the verdict is `VIOLATION_DETECTED`.
        public var failOnViolation = false
        /// Where to write a masked copy of the recording, for audio with findings.
        public var evidenceClipPath: String?
        /// Where to write a sample call (`.wav`) or transcript (`.json`) instead of scanning.
        public var samplePath: String?
        /// The verdict's `recordingId` instead of the one derived from the content.
        public var recordingId: GenesysID?
        /// The verdict's `correlationId` instead of the one derived from the content.
        public var correlationId: CorrelationID?

        /// Creates options.
        public init(
            file: String? = nil, policyPath: String? = nil, failOnViolation: Bool = false,
            evidenceClipPath: String? = nil, samplePath: String? = nil, recordingId: GenesysID? = nil,
            correlationId: CorrelationID? = nil
        ) {
            self.file = file
            self.policyPath = policyPath
            self.failOnViolation = failOnViolation
            self.evidenceClipPath = evidenceClipPath
            self.samplePath = samplePath
            self.recordingId = recordingId
            self.correlationId = correlationId
        }
    }

    /// What running the command produced.
    public struct Outcome: Sendable, Hashable {
        /// The process exit code: 0, 1 (violation with `--fail-on-violation`) or 2 (usage or input error).
        public var exitCode: Int32
        /// Bytes for stdout: the verdict JSON and a newline (the usage text for `--help`).
        public var standardOutput: [UInt8]
        /// Text for stderr: the summary (masked) or the error and usage.
        public var standardError: String
        /// The scan's report, when a file was scanned.
        public var report: FileScan.Report?
        /// The error, for exit code 2.
        public var error: ScanCommandError?
    }

    /// The usage text.
    public static let usage = """
        USAGE: vigil scan FILE [--policy POLICY.json] [--fail-on-violation] [--evidence-clip OUT.wav]
                               [--recording-id UUID] [--correlation-id ID]
               vigil scan --generate-sample OUT.wav|OUT.json

        Scans a recording (WAV: PCM 16-bit, µ-law or A-law; 8 or 16 kHz; mono or stereo) for DTMF card
        numbers, security codes and SSNs, or a Speech & Text Analytics transcript (JSON) for spoken card
        numbers and SSNs, missing disclosures and prohibited phrases. Prints the verdict as JSON on stdout
        and a summary on stderr.

        OPTIONS:
          --policy FILE          Rules (JSON); every key optional, see README.md
          --fail-on-violation    Exit 1 when the verdict is VIOLATION_DETECTED
          --evidence-clip OUT    For a WAV with findings: write a copy with the flagged spans silenced
          --recording-id UUID    The verdict's recordingId (default: a UUID from the file's SHA-256)
          --correlation-id ID    The verdict's correlationId (default: scan- and 16 hex digits of the SHA-256)
          --generate-sample OUT  Write a synthetic 12 s stereo call with a test card keyed in it
                                 (OUT.json: a sample transcript instead)

        EXIT CODES: 0 done, 1 violation (with --fail-on-violation), 2 usage or input error

        """

    /// Parses the arguments after `scan`; `nil` for `--help`.
    ///
    /// - Throws: ``ScanCommandError`` with code ``ScanCommandError/Code/usage``.
    public static func parse(_ arguments: [String]) throws(ScanCommandError) -> Options? {
        var options = Options()
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "-h", "--help":
                return nil
            case "--fail-on-violation":
                options.failOnViolation = true
            case "--policy", "--generate-sample", "--evidence-clip", "--recording-id", "--correlation-id":
                guard index + 1 < arguments.count else { throw .usage("\(argument) needs a value") }
                index += 1
                let value = arguments[index]
                switch argument {
                case "--policy": options.policyPath = value
                case "--evidence-clip": options.evidenceClipPath = value
                case "--generate-sample": options.samplePath = value
                case "--recording-id":
                    guard let id = GenesysID(value) else { throw .usage("--recording-id must be a UUID, got '\(value)'") }
                    options.recordingId = id
                default:
                    guard let id = CorrelationID(value) else { throw .usage("--correlation-id '\(value)' is not valid") }
                    options.correlationId = id
                }
            default:
                guard !argument.hasPrefix("-") else { throw .usage("unknown option '\(argument)'") }
                guard options.file == nil else { throw .usage("unexpected argument '\(argument)'") }
                options.file = argument
            }
            index += 1
        }
        if options.samplePath != nil {
            guard options.file == nil else { throw .usage("--generate-sample takes no FILE") }
        } else if options.file == nil {
            throw .usage("missing FILE")
        }
        return options
    }

    /// Runs `vigil scan` with the arguments after `scan`.
    public static func run(_ arguments: [String]) -> Outcome {
        let options: Options
        do {
            guard let parsed = try parse(arguments) else {
                return Outcome(exitCode: 0, standardOutput: Array(usage.utf8), standardError: "")
            }
            options = parsed
        } catch {
            return failure(error)
        }
        return run(options)
    }

    /// Runs `vigil scan` with parsed options.
    public static func run(_ options: Options) -> Outcome {
        do {
            return try execute(options)
        } catch {
            return failure(error)
        }
    }

    private static func execute(_ options: Options) throws(ScanCommandError) -> Outcome {
        if let samplePath = options.samplePath {
            return try generateSample(at: samplePath)
        }
        guard let file = options.file else { throw .usage("missing FILE") }
        var policy = AnalysisPolicy()
        if let policyPath = options.policyPath {
            guard let data = FileManager.default.contents(atPath: policyPath) else {
                throw .input("cannot read policy \(policyPath)")
            }
            do {
                policy = try AnalysisPolicy.decode(from: data)
            } catch {
                throw .input("\(policyPath): \(error)", cause: error)
            }
        }
        var report: FileScan.Report
        do {
            report = try FileScan.scan(fileAtPath: file, policy: policy)
        } catch {
            throw .input("\(file): \(error)", cause: error)
        }
        if let recordingId = options.recordingId { report.verdict.recordingId = recordingId }
        if let correlationId = options.correlationId { report.verdict.correlationId = correlationId }
        guard let json = try? VigilJSON.encode(report.verdict) else { throw .input("cannot encode the verdict") }
        var standardError = "vigil scan: \(file)\n\(report.summary)"
        if let clipPath = options.evidenceClipPath, report.kind == .audio, !report.findings.isEmpty {
            do {
                try FileScan.writeMaskedClip(from: file, to: clipPath, findings: report.findings)
            } catch {
                throw .input("\(clipPath): \(error)", cause: error)
            }
            standardError += "masked evidence clip: \(clipPath)\n"
        }
        let violation = report.verdict.verdict == .violationDetected
        return Outcome(
            exitCode: options.failOnViolation && violation ? 1 : 0,
            standardOutput: Array(json) + [0x0A], standardError: standardError, report: report)
    }

    private static func generateSample(at path: String) throws(ScanCommandError) -> Outcome {
        let transcript = path.lowercased().hasSuffix(".json")
        let bytes = transcript ? FileScan.sampleTranscript() : FileScan.sampleCall()
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw .input("cannot write \(path)")
        }
        let what =
            transcript
            ? "a Speech & Text Analytics transcript: no recording notice, a Visa test card number (…1111) read "
                + "aloud over three phrases from 14.2 s, and a prohibited phrase at 31.0 s"
            : "a 12 s stereo 8 kHz µ-law call; a Visa test card number (…1111) is keyed on the customer channel "
                + "at 3.0 s and a security code at 7.0 s"
        return Outcome(
            exitCode: 0, standardOutput: [],
            standardError: "wrote \(path): \(what).\nTry: vigil scan \(path) --fail-on-violation\n")
    }

    private static func failure(_ error: ScanCommandError) -> Outcome {
        let text = error.code == .usage ? "vigil scan: \(error.message)\n\n\(usage)" : "vigil scan: \(error.message)\n"
        return Outcome(exitCode: 2, standardOutput: [], standardError: text, error: error)
    }
}

/// Why `vigil scan` stopped with exit code 2.
public struct ScanCommandError: VigilError, Hashable {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The stable code string.
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }

        /// The command line is wrong (missing FILE, unknown option, missing value, bad id).
        public static let usage = Code("scan.usage")
        /// A file could not be read or written, or its content is unusable (bad policy, not a WAV or
        /// transcript); ``ScanCommandError/cause`` holds the ``AnalysisError``, when there is one.
        public static let input = Code("scan.input")

        /// ``rawValue``.
        public var description: String { rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// A one-line explanation naming the file, option or policy key at fault (never file content).
    public let message: String
    /// The analysis error behind an input error.
    public let cause: AnalysisError?

    /// A usage error.
    public static func usage(_ message: String) -> ScanCommandError {
        ScanCommandError(code: .usage, message: message, cause: nil)
    }

    /// An input error.
    public static func input(_ message: String, cause: AnalysisError? = nil) -> ScanCommandError {
        ScanCommandError(code: .input, message: message, cause: cause)
    }

    /// The stable code string.
    public var errorCode: String { code.rawValue }
    /// Never: the same command fails the same way.
    public var isRetryable: Bool { false }
    /// `scan.usage: missing FILE`.
    public var description: String { "\(code): \(message)" }
}
