import Foundation
import VigilAnalysis
import VigilCommandLine

/// `vigil scan`: runs the reference compliance engine on a local WAV or transcript JSON.
///
/// The logic lives in `ScanCommand` (VigilCommandLine: the CLI's own library target, not a product, so
/// argv parsing and exit codes stay out of the SDK) so it is tested in process; this writes its
/// outcome: the verdict JSON (or usage) on stdout, the summary or error on stderr. Exit codes: 0 done,
/// 1 violation found with `--fail-on-violation`, 2 usage or input error.
enum Scan {
    static func run(_ arguments: [String]) -> Int32 {
        let outcome = ScanCommand.run(arguments)
        if !outcome.standardOutput.isEmpty { FileHandle.standardOutput.write(Data(outcome.standardOutput)) }
        if !outcome.standardError.isEmpty { FileHandle.standardError.write(Data(outcome.standardError.utf8)) }
        return outcome.exitCode
    }
}
