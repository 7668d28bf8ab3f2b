import Foundation
import Logging
import PostgresNIO
import Testing
import VigilCore
import VigilPostgres

/// Every test in this target runs against a real server and one at a time (a test restarts the
/// server, which would break any test running beside it).
@Suite(.serialized) enum PostgresTests {}

/// A test could not run: the environment is missing something it needs. Fails the test — never a
/// silent skip.
struct EnvironmentMissing: Error, CustomStringConvertible {
    let description: String
}

enum TestServer {
    /// `VIGIL_POSTGRES_URL`, or a failure telling how to get one.
    static func url() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["VIGIL_POSTGRES_URL"], !url.isEmpty else {
            throw EnvironmentMissing(
                description:
                    "VIGIL_POSTGRES_URL is not set: run the tests under Scripts/with-postgres.sh, e.g. "
                    + "`cd Adapters/VigilPostgres && ../../Scripts/with-postgres.sh swift test`")
        }
        return url
    }

    /// `VIGIL_POSTGRES_DATA` and `VIGIL_POSTGRES_BIN`, which the restart test needs.
    static func serverDirectories() throws -> (data: String, bin: String) {
        let environment = ProcessInfo.processInfo.environment
        guard let data = environment["VIGIL_POSTGRES_DATA"], let bin = environment["VIGIL_POSTGRES_BIN"],
            !data.isEmpty, !bin.isEmpty
        else {
            throw EnvironmentMissing(
                description:
                    "VIGIL_POSTGRES_DATA / VIGIL_POSTGRES_BIN are not set: the restart test controls the server, so "
                    + "run it under Scripts/with-postgres.sh (which starts its own) rather than against an external URL")
        }
        return (data, bin)
    }

    /// A configuration for the test server, optionally for another database or with a statement timeout.
    static func configuration(
        database: String? = nil, applicationName: String? = nil,
        statementTimeout: Duration? = nil, maxConnections: Int = 20
    ) throws -> VigilPostgresConfiguration {
        var configuration = try VigilPostgresConfiguration(url: url())
        if let database { configuration.clientConfiguration.database = database }
        if let applicationName {
            configuration.clientConfiguration.options.additionalStartupParameters.append(("application_name", applicationName))
        }
        configuration.setStatementTimeout(statementTimeout)
        configuration.clientConfiguration.options.maximumConnections = maxConnections
        return configuration
    }

    /// Runs `body` with a running client; the client shuts down when `body` returns or throws.
    @discardableResult
    static func withClient<T: Sendable>(
        database: String? = nil, applicationName: String? = nil,
        statementTimeout: Duration? = nil, maxConnections: Int = 20,
        _ body: @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        let client = try configuration(
            database: database, applicationName: applicationName,
            statementTimeout: statementTimeout, maxConnections: maxConnections
        ).makeClient()
        return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
            group.addTask { await client.run() }
            let result = try await body(client)
            group.cancelAll()
            return result
        }
    }

    /// A name no other test (or earlier run) uses.
    static func unique(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}

extension PostgresClient {
    /// Runs a statement and returns its rows (test helper).
    @discardableResult
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await self.query(query).collect()
    }

    /// A single bigint from a one-row, one-column statement.
    func int(_ query: PostgresQuery) async throws -> Int64 {
        try await rows(query).first?.decode(Int64.self) ?? -1
    }
}

/// Polls `condition` until it holds or `timeout` of real time has passed — only ever to wait for the
/// real server (a backend to block, a connection to come back), never for the code under test's clock.
func eventually(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

/// Runs `body`, repeating it (a few times, briefly) only while it fails with a *retryable* Vigil
/// error: the first write after a backend was killed may meet the dead connection before the pool has
/// noticed, which the adapter reports as a retryable `storageFailure` — exactly what a caller retries.
func afterReconnect<T>(_ body: () async throws -> T) async throws -> T {
    for _ in 0..<5 {
        do {
            return try await body()
        } catch let error as any VigilError where error.isRetryable {
            try await Task.sleep(for: .milliseconds(100))  // the pool is replacing the connection
        }
    }
    return try await body()
}

/// A thread-safe boolean, for tests.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

extension PostgresConnection {
    /// Runs a statement on this connection and waits for it to complete (a lock is held on return).
    func execute(_ query: PostgresQuery) async throws {
        _ = try await self.query(query, logger: Logger(label: "vigil.postgres.tests", factory: { _ in SwiftLogNoOpLogHandler() }))
            .collect()
    }
}
