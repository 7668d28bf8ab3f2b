import Foundation
import Logging
import PostgresNIO
import _ConnectionPoolModule

/// The plumbing every store and queue shares: the host's client, a logger, the once-per-instance
/// schema check, and PII-free error descriptions.
struct Database: Sendable {
    let client: PostgresClient
    let logger: Logger
    private let gate = MigrationGate()

    init(client: PostgresClient, logger: Logger?) {
        self.client = client
        self.logger = logger ?? Database.silent
    }

    /// A logger that drops everything: the default, so no statement is logged unless the host asks.
    static let silent = Logger(label: "vigil.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Migrates (or checks) the schema once for this instance; later calls return at once.
    func ensureSchema() async throws {
        let client = self.client, logger = self.logger
        try await gate.ensure { _ = try await VigilPostgres.migrate(client, logger: logger) }
    }

    /// Runs one statement and collects its rows (the statements here return a handful).
    ///
    /// - Parameter idempotent: the statement may safely run twice (a read, a delete by token, a
    ///   claim that recognises its own token). Such a statement is run once more when the connection
    ///   was lost — typically a pooled connection the server had just closed (a terminated backend, a
    ///   restart) and the pool had not noticed yet. Other statements are not repeated: whether they
    ///   committed is unknown, so the caller gets the retryable error.
    @discardableResult
    func rows(_ query: PostgresQuery, idempotent: Bool = false) async throws -> [PostgresRow] {
        let logger = self.logger
        do {
            return try await withOpenConnection { try await $0.run(query, logger: logger) }
        } catch let error as PSQLError where idempotent && Self.isConnectionLoss(error) {
            return try await withOpenConnection { try await $0.run(query, logger: logger) }
        }
    }

    /// Leases a pooled connection that is still open and runs `body` on it.
    ///
    /// The pool can hand out a connection the server closed an instant ago, before the pool has
    /// processed the close (a terminated backend, a restart). A statement written to such a connection
    /// was never answered by postgres-nio 1.33 — the caller hung — so a closed connection is given back
    /// (the pool then drops it) and another one leased, a few times. Nothing was sent, so this is safe
    /// for any statement.

    func withOpenConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await client.withConnection { connection in
                    guard !connection.isClosed else { throw ConnectionClosedBeforeSending() }
                    return try await body(connection)
                }
            } catch let error as ConnectionClosedBeforeSending where error.beforeAnyStatement {
                attempt += 1
                if attempt >= 5 { throw error }
                // Real time on purpose: this waits for the pool to notice the close, not for work.
                try await Task.sleep(for: .milliseconds(10 * attempt))
            }
        }
    }

    /// Whether `error` means the connection is gone (as opposed to a statement the server refused).
    static func isConnectionLoss(_ error: PSQLError) -> Bool {
        switch error.code {
        case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown:
            return true
        case .server:
            // FATAL errors that end the session: operator intervention (57P01 terminated, 57P02/3
            // shutdown) and connection exceptions (class 08).
            let state = error.serverInfo?[.sqlState] ?? ""
            return state.hasPrefix("57P") || state.hasPrefix("08")
        default:
            return false
        }
    }

    /// Runs `body` in a transaction on one pooled connection: `BEGIN`, body, `COMMIT`; `ROLLBACK` when
    /// the body throws. A connection lost mid-way rolls back on the server by itself.
    func transaction<T: Sendable>(_ body: (PostgresConnection, Logger) async throws -> T) async throws -> T {
        let logger = self.logger
        return try await withOpenConnection { connection in
            try await connection.run("BEGIN", logger: logger)
            let result: T
            do {
                result = try await body(connection, logger)
            } catch {
                try? await Database.rollBack(connection, after: error, logger: logger)
                throw error
            }
            try await connection.run("COMMIT", logger: logger)
            return result
        }
    }

    /// Rolls back after a failed statement — but only when the connection is still usable: when it
    /// was lost, the server has rolled the transaction back already, and a statement written to a
    /// closing connection may never be answered.
    static func rollBack(_ connection: PostgresConnection, after error: any Error, logger: Logger) async throws {
        if let error = error as? PSQLError, isConnectionLoss(error) { return }
        guard !connection.isClosed else { return }
        try await connection.run("ROLLBACK", logger: logger)
    }

    /// A description of `error` that is safe to put in a Vigil error: the operation and, for a server
    /// error, its SQLSTATE — never the PSQLError's own description, which can echo the statement and
    /// its bound values.
    static func describe(_ operation: String, _ error: any Error) -> String {
        "\(operation): \(cause(error))"
    }

    static func cause(_ error: any Error) -> String {
        switch error {
        case let error as PSQLError:
            if error.code == .server {
                let state = error.serverInfo?[.sqlState] ?? "unknown"
                return "server error, SQLSTATE \(state)\(Self.meaning(ofSQLState: state))"
            }
            return "connection failure (\(error.code))"
        case let error as VigilPostgresError:
            return error.description
        case let error as ConnectionPoolError:
            switch error {
            case .poolShutdown: return "the client is shut down (PostgresClient.run() is not running)"
            case .requestCancelled: return "cancelled while waiting for a connection"
            case .connectionCreationCircuitBreakerTripped: return "the server cannot be reached (connection attempts keep failing)"
            default: return "connection pool failure"
            }
        case is ConnectionClosedBeforeSending:
            return "connection failure (closed before the statement was sent)"
        case is CancellationError:
            return "cancelled"
        case is PostgresDecodingError:
            return "a column did not decode as the expected type"
        default:
            return "\(type(of: error))"
        }
    }

    /// Names of the SQLSTATEs a host is likely to meet, so logs read without a lookup table.
    private static func meaning(ofSQLState state: String) -> String {
        switch state {
        case "57014": return " (statement timeout or cancel)"
        case "57P01": return " (server shutting down or backend terminated)"
        case "57P02", "57P03": return " (server not available)"
        case "40001": return " (serialization failure)"
        case "40P01": return " (deadlock detected)"
        case "53300": return " (too many connections)"
        case "42P01": return " (table missing: run VigilPostgres.migrate)"
        case "25P02": return " (transaction aborted)"
        default: return ""
        }
    }
}

/// Runs the schema migration once per instance; concurrent first callers share one attempt, and a
/// failed attempt is retried by the next caller.
final class MigrationGate: @unchecked Sendable {
    private enum State {
        case pending
        case running(Task<Void, any Error>)
        case done
    }

    private let lock = NSLock()
    private var state: State = .pending

    func ensure(_ migrate: @escaping @Sendable () async throws -> Void) async throws {
        let task: Task<Void, any Error>? = lock.withLock {
            switch state {
            case .done: return nil
            case .running(let task): return task
            case .pending:
                let task = Task { try await migrate() }
                state = .running(task)
                return task
            }
        }
        guard let task else { return }
        do {
            try await task.value
            lock.withLock { state = .done }
        } catch {
            lock.withLock {
                if case .running = state { state = .pending }
            }
            throw error
        }
    }
}

/// Wall-clock dates as milliseconds since 1970, the unit every timestamp column uses.
enum Millis {
    static func of(_ date: Date) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1_000).rounded()
        guard value.isFinite else { return value < 0 ? Int64.min / 2 : Int64.max / 2 }
        return Int64(max(min(value, Double(Int64.max / 2)), Double(Int64.min / 2)))
    }

    static func of(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000)
        if overflow { return seconds < 0 ? Int64.min / 2 : Int64.max / 2 }
        return clamp(product.addingReportingOverflow(attoseconds / 1_000_000_000_000_000))
    }

    static func adding(_ duration: Duration, to milliseconds: Int64) -> Int64 {
        clamp(milliseconds.addingReportingOverflow(of(duration)))
    }

    static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1_000)
    }

    private static func clamp(_ result: (partialValue: Int64, overflow: Bool)) -> Int64 {
        result.overflow ? Int64.max / 2 : min(max(result.partialValue, Int64.min / 2), Int64.max / 2)
    }
}

/// When expired rows were last purged, shared by the concurrent callers of one instance.
final class PurgeMark: @unchecked Sendable {
    private let lock = NSLock()
    private var last: Int64

    init(_ start: Int64) { last = start }

    /// Whether a purge is due at `now`; if so, records `now` so only one caller purges.
    func due(at now: Int64, interval: Int64) -> Bool {
        lock.withLock {
            guard now - last >= interval else { return false }
            last = now
            return true
        }
    }

    func set(_ now: Int64) { lock.withLock { last = now } }
}

extension PostgresConnection {
    /// Runs a statement and waits for its **completion**, collecting its rows.
    ///
    /// `query(_:logger:)` returns as soon as the server has described the result, which for a
    /// statement that blocks (a lock) is before it has run. Leaving that sequence unconsumed and
    /// sending the next statement made a terminated backend hang the caller (postgres-nio 1.33), and
    /// would let a transaction's next step be sent before, say, its advisory lock was held. Every
    /// statement on a dedicated connection goes through here.
    ///
    /// A connection found closed is not written to (see ``Database/withOpenConnection(_:)``).
    @discardableResult
    func run(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        guard !isClosed else { throw ConnectionClosedBeforeSending(beforeAnyStatement: false) }
        return try await self.query(query, logger: logger).collect()
    }
}

/// A leased connection was already closed, so the statement was not sent.
struct ConnectionClosedBeforeSending: Error, CustomStringConvertible {
    /// No statement of the operation was sent yet (so it may simply run on another connection).
    var beforeAnyStatement = true

    var description: String { "the connection was closed before the statement was sent" }
}
