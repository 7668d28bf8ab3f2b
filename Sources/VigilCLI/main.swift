import Foundation
import VigilCore

/// `vigil` — the Vigil command-line tool.
///
/// Arguments are parsed by hand (the root package has no dependencies). Exit codes: 0 success,
/// 1 a command ran and found a problem, 2 usage error.
enum CLI {
    static let usage = """
        vigil — compliance-violation flagging for Genesys Cloud recordings

        USAGE: vigil <command> [options]

        COMMANDS:
          demo        Run the end-to-end demo (see `vigil demo --help`)
          scan        Scan a WAV recording or transcript JSON for violations (vigil scan --help)
          provision   Render the seed's subscription into Genesys Cloud's trigger and integrations; apply it (vigil provision --help)
          version     Print the Vigil version
          help        Show this help

        OPTIONS:
          -h, --help     Show this help
          --version      Print the Vigil version

        """

    static func run(_ arguments: [String]) async -> Int32 {
        guard let command = arguments.first else {
            FileHandle.standardError.write(Data(usage.utf8))
            return 2
        }
        let rest = Array(arguments.dropFirst())
        switch command {
        case "-h", "--help", "help":
            print(usage, terminator: "")
            return 0
        case "--version", "version":
            print("vigil \(VigilBuild.version)")
            return 0
        case "demo":
            return await Demo.run(rest)
        case "scan":
            return Scan.run(rest)
        case "provision":
            return await Provision.run(rest)
        default:
            FileHandle.standardError.write(Data("vigil: unknown command '\(command)'\n\n\(usage)".utf8))
            return 2
        }
    }
}

exit(await CLI.run(Array(CommandLine.arguments.dropFirst())))
