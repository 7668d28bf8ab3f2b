import Foundation
import Logging
import PostgresNIO
import Testing
import VigilCore
import VigilIdempotency
import VigilPostgres
import VigilTesting

extension PostgresTests {
    @Suite struct Configuration {
        @Test func parsesAConnectionURL() throws {
            let config = try VigilPostgresConfiguration(
                url:
                    "postgres://vig%40il:s3cr%2Fet-pw@db.internal:6543/vigil_prod?sslmode=disable&application_name=worker&statement_timeout=2500&pool_max=7"
            )
            #expect(config.clientConfiguration.host == "db.internal")
            #expect(config.clientConfiguration.port == 6543)
            #expect(config.clientConfiguration.username == "vig@il")
            #expect(config.clientConfiguration.password == "s3cr/et-pw")
            #expect(config.clientConfiguration.database == "vigil_prod")
            #expect(config.clientConfiguration.options.maximumConnections == 7)
            #expect(config.statementTimeout == .milliseconds(2_500))
            #expect(config.sslMode == "disable")
            #expect(!config.description.contains("s3cr"), "the password must never be printed")
            #expect(config.description == "postgres://vig@il@db.internal:6543/vigil_prod?sslmode=disable")

            let verified = try VigilPostgresConfiguration(url: "postgres://u@db/x?sslmode=verify-full&sslrootcert=/etc/ssl/ca.pem")
            #expect(verified.sslMode == "verify-full")

            let defaults = try VigilPostgresConfiguration(url: "postgresql://vigil@localhost")
            #expect(defaults.clientConfiguration.port == 5432)
            #expect(defaults.sslMode == "prefer", "TLS is disabled only when asked")
            #expect(defaults.clientConfiguration.password == nil)
            #expect(defaults.clientConfiguration.database == nil)
        }

        @Test func rejectsBadURLsWithoutEchoingThePassword() {
            let bad = [
                "mysql://u:hunter2@h/db", "postgres://:hunter2@h/db", "postgres://u:hunter2@/db",
                "postgres://u:hunter2@h/db?sslmode=maybe", "postgres://u:hunter2@h/db?password=hunter2",
                "postgres://u:hunter2@h/db?statement_timeout=soon", "postgres://u:hunter2@h/a/b"
            ]
            for url in bad {
                do {
                    _ = try VigilPostgresConfiguration(url: url)
                    Issue.record("\(url) must be rejected")
                } catch let error as VigilPostgresError {
                    #expect(error.code == .invalidConfiguration)
                    #expect(!error.description.contains("hunter2"), "\(error)")
                } catch {
                    Issue.record("unexpected \(error)")
                }
            }
        }

        @Test func theStatementTimeoutIsSetOnEveryConnection() async throws {
            try await TestServer.withClient(statementTimeout: .milliseconds(250)) { client in
                let setting = try await client.rows("SHOW statement_timeout").first?.decode(String.self)
                #expect(setting == "250ms")
            }
        }

        /// A failing statement's error names the operation and the SQLSTATE — never a bound value.
        @Test func storageErrorsCarryNoBoundValues() async throws {
            let app = TestServer.unique("timeout")
            try await TestServer.withClient { admin in
                try await TestServer.withClient(applicationName: app, statementTimeout: .milliseconds(300)) { client in
                    let clock = TestClock()
                    let store = PostgresIdempotencyStore(client: client, now: clock.wall)
                    let key = "recording:4111111111111111-\(UUID().uuidString)"
                    let fingerprint = "fp-SECRET-\(UUID().uuidString)"
                    guard case .acquired(let token) = try await store.claim(key, fingerprint: fingerprint, lease: .seconds(5)) else {
                        Issue.record("a fresh key must be acquired")
                        return
                    }
                    let name = TestServer.unique("secret-queue")
                    let queue = PostgresJobQueue<String>(client: client, name: name, now: clock.wall)
                    try await queue.enqueue("payload-4111111111111111")
                    let leased = try #require(try await queue.lease(max: 1, for: .seconds(60)).first)

                    let errors: [any Error] = try await admin.withConnection { connection in
                        try await connection.execute("BEGIN")
                        try await connection.execute("SELECT 1 FROM vigil_idempotency WHERE key = \(key) FOR UPDATE")
                        try await connection.execute("SELECT 1 FROM vigil_jobs WHERE queue = \(name) FOR UPDATE")
                        var errors: [any Error] = []
                        do {
                            try await store.complete(
                                key, token: token, outcome: StoredOutcome(status: "x", completedAt: clock.wallNow),
                                retain: .seconds(60))
                        } catch { errors.append(error) }
                        do {
                            try await queue.retry(leased.token, after: .zero, reason: "reason-SECRET-4111111111111111")
                        } catch { errors.append(error) }
                        try await connection.execute("ROLLBACK")
                        return errors
                    }
                    #expect(errors.count == 2, "both statements must time out on the held locks")
                    for error in errors {
                        let text = "\(error) \(String(reflecting: error))"
                        #expect(text.contains("57014"), "the SQLSTATE must be named: \(text)")
                        for secret in [key, fingerprint, token.rawValue, leased.token.rawValue, "4111111111111111", "SECRET", name] {
                            #expect(!text.contains(secret), "an error leaked a bound value: \(text)")
                        }
                    }
                    #expect((errors.first as? IdempotencyError)?.code == .storageFailure)
                    #expect((errors.last as? JobQueueError)?.code == .storageFailure)
                }
            }
        }
    }
}
