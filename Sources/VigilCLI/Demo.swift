import Foundation
import VigilCore

/// `vigil demo`.
enum Demo {
    static func run(_ arguments: [String]) async -> Int32 {
        print("vigil demo: not implemented yet")
        return 1
    }
}
