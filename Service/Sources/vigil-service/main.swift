import Foundation
import VigilService

// All of the command lives in the library (VigilServiceCommand), so tests run it in process.
let code = await VigilServiceCommand.run(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
exit(code)
