import Foundation
import Testing
import VigilCore
import VigilModels
import VigilPlatformClient
import VigilTesting

/// A simulator, a client on it, and the test clock both use.
struct Harness {
    let clock: TestClock
    let cloud: SimulatedGenesysCloud
    let client: GenesysCloudClient

    init(
        faults: SimulatedGenesysCloud.Faults = .init(), seed: UInt64 = 7,
        configure: (inout SimulatedGenesysCloud.Configuration) -> Void = { _ in },
        client clientConfiguration: GenesysClientConfiguration = Harness.defaultClientConfiguration,
        credentials: GenesysCredentials? = nil
    ) {
        let clock = TestClock()
        var configuration = SimulatedGenesysCloud.Configuration(seed: seed, faults: faults)
        configure(&configuration)
        let cloud = SimulatedGenesysCloud(configuration: configuration, clock: clock)
        self.clock = clock
        self.cloud = cloud
        client = GenesysCloudClient(
            region: cloud.region, credentials: credentials ?? cloud.credentials,
            transport: cloud, configuration: clientConfiguration, clock: clock,
            now: clock.wall)
    }

    /// Seeded jitter so schedules are reproducible.
    static let defaultClientConfiguration = GenesysClientConfiguration(
        retryPolicy: ExponentialBackoffPolicy(random: .seeded(42)))

    /// Runs `operation`, moving the test clock to each sleeper's deadline until it finishes.
    func drive<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await Self.drive(clock, operation)
    }

    static func drive<T: Sendable>(_ clock: TestClock, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let done = Locked(false)
        let task = Task {
            defer { done.withLock { $0 = true } }
            return try await operation()
        }
        var rounds = 0
        while !done.withLock({ $0 }), rounds < 100_000 {
            await clock.runUntilIdle(maxYields: 20)
            rounds += 1
        }
        return try await task.value
    }

    func requests() async -> [SimulatedGenesysCloud.RecordedRequest] { await cloud.requests }
    func apiRequests() async -> [SimulatedGenesysCloud.RecordedRequest] { await cloud.requests.filter { $0.host == .api } }
}

/// Runs `body` and returns the ``GenesysAPIError`` it throws (records an issue otherwise).
func apiError(_ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> GenesysAPIError? {
    do {
        try await body()
        Issue.record("expected a GenesysAPIError, got success", sourceLocation: sourceLocation)
        return nil
    } catch let error as GenesysAPIError {
        return error
    } catch {
        Issue.record("expected a GenesysAPIError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

let tokenJSON = Array(#"{"access_token":"tok-SECRET-abcdef","token_type":"bearer","expires_in":3600}"#.utf8)
