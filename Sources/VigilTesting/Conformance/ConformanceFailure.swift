import Foundation

/// Thrown by a conformance suite (`IdempotencyStoreConformance`, `JobQueueConformance`,
/// `DeadLetterSinkConformance`) when the implementation under test breaks one of the contract's
/// properties.
///
/// It names the suite and the property and says what was expected and what happened, so a failing
/// host test points straight at the broken guarantee.
public struct ConformanceFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The suite, e.g. `IdempotencyStoreConformance`.
    public let suite: String
    /// The property that failed, e.g. `exactlyOneWinner`.
    public let property: String
    /// What was expected and what happened instead.
    public let detail: String

    /// Creates a failure.
    public init(suite: String, property: String, detail: String) {
        self.suite = suite
        self.property = property
        self.detail = detail
    }

    /// `IdempotencyStoreConformance.exactlyOneWinner failed: <detail>`.
    public var description: String { "\(suite).\(property) failed: \(detail)" }
}

/// Collects the checks of one property and turns any deviation — including an unexpected error from
/// the implementation — into a ``ConformanceFailure`` naming it.
struct PropertyCheck: Sendable {
    let suite: String
    let property: String

    func fail(_ detail: String) -> ConformanceFailure {
        ConformanceFailure(suite: suite, property: property, detail: detail)
    }

    func require(_ condition: Bool, _ detail: @autoclosure () -> String) throws {
        if !condition { throw fail(detail()) }
    }

    /// Runs `body`, expecting it to throw an error that `matches` accepts.
    func requireThrows(
        _ detail: String, _ body: () async throws -> Void,
        matches: (any Error) -> Bool
    ) async throws {
        do {
            try await body()
        } catch {
            if matches(error) { return }
            throw fail("\(detail): threw the wrong error: \(error)")
        }
        throw fail("\(detail): did not throw")
    }

    /// Runs `body` for this property, wrapping unexpected errors.
    func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let failure as ConformanceFailure {
            throw failure
        } catch {
            throw fail("unexpected error: \(error)")
        }
    }
}

extension Date {
    /// Whether two dates agree to within `tolerance` seconds (host stores may keep milliseconds).
    func isClose(to other: Date, within tolerance: TimeInterval = 0.001) -> Bool {
        abs(timeIntervalSince(other)) <= tolerance
    }
}
