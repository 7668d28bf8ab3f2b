import Foundation
import PostgresNIO
import Testing
import VigilCore
import VigilIdempotency
import VigilPostgres

extension PostgresTests {
    @Suite struct Migrations {
        /// Creates a fresh database, runs `body` against it, drops it.
        func withFreshDatabase(_ body: @Sendable (String) async throws -> Void) async throws {
            let database = "vigil_mig_\(UUID().uuidString.prefix(8).lowercased())"
            try await TestServer.withClient { admin in
                try await admin.rows(PostgresQuery(unsafeSQL: "CREATE DATABASE \(database)"))
            }
            do {
                try await body(database)
            } catch {
                _ = try? await TestServer.withClient { admin in
                    try await admin.rows(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(database) WITH (FORCE)"))
                }
                throw error
            }
            try await TestServer.withClient { admin in
                try await admin.rows(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(database) WITH (FORCE)"))
            }
        }

        @Test func eightClientsMigratingAtOnceApplyEachVersionExactlyOnce() async throws {
            try await withFreshDatabase { database in
                let applied = try await withThrowingTaskGroup(of: [Int].self, returning: [Int].self) { group in
                    for _ in 0..<8 {
                        group.addTask {
                            try await TestServer.withClient(database: database, maxConnections: 2) { client in
                                try await VigilPostgres.migrate(client)
                            }
                        }
                    }
                    var all: [Int] = []
                    for try await versions in group { all += versions }
                    return all
                }
                let expected = Array(1...VigilPostgres.latestSchemaVersion)
                #expect(applied.sorted() == expected, "each migration must be applied by exactly one of the 8 clients")
                try await TestServer.withClient(database: database) { client in
                    #expect(
                        try await client.int("SELECT count(*)::bigint FROM vigil_schema_migrations")
                            == Int64(VigilPostgres.latestSchemaVersion))
                    #expect(try await VigilPostgres.schemaVersion(client) == VigilPostgres.latestSchemaVersion)
                    #expect(try await VigilPostgres.migrate(client).isEmpty, "a current schema needs nothing")
                    // The tables work.
                    let store = PostgresIdempotencyStore(client: client)
                    guard case .acquired = try await store.claim("k", fingerprint: "f", lease: .seconds(5)) else {
                        Issue.record("a fresh store must acquire")
                        return
                    }
                }
            }
        }

        @Test func aSchemaNewerThanThisBuildIsRefused() async throws {
            try await withFreshDatabase { database in
                try await TestServer.withClient(database: database) { client in
                    try await VigilPostgres.migrate(client)
                    let future = VigilPostgres.latestSchemaVersion + 1
                    try await client.rows("INSERT INTO vigil_schema_migrations (version, name) VALUES (\(future), 'from the future')")

                    await #expect(throws: VigilPostgresError.self) { try await VigilPostgres.migrate(client) }
                    do {
                        try await VigilPostgres.migrate(client)
                    } catch let error as VigilPostgresError {
                        #expect(error.code == .schemaTooNew)
                        #expect(!error.isRetryable)
                        #expect(error.description.contains("\(future)"))
                    }
                    let store = PostgresIdempotencyStore(client: client)
                    do {
                        try await store.prepare()
                        Issue.record("prepare() must refuse a newer schema")
                    } catch let error as VigilPostgresError {
                        #expect(error.code == .schemaTooNew)
                    }
                    // Through the port, the refusal is the port's error type, and nothing was written.
                    do {
                        _ = try await store.claim("never-written", fingerprint: "f", lease: .seconds(5))
                        Issue.record("a claim must not run against a newer schema")
                    } catch let error as IdempotencyError {
                        #expect(error.code == .storageFailure)
                        #expect(error.detail.contains("newer"))
                    }
                    #expect(try await client.int("SELECT count(*)::bigint FROM vigil_idempotency") == 0)
                    #expect(
                        try await client.int("SELECT count(*)::bigint FROM vigil_schema_migrations")
                            == Int64(future))
                }
            }
        }
    }
}
