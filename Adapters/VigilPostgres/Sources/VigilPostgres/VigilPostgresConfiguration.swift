import Foundation
import Logging
import PostgresNIO

/// A `PostgresClient.Configuration` read from a connection URL, for hosts configured by environment.
///
/// ```swift
/// let config = try VigilPostgresConfiguration(url: "postgres://vigil:secret@db:5432/vigil?sslmode=require")
/// let client = config.makeClient()
/// try await withThrowingDiscardingTaskGroup { group in
///     group.addTask { await client.run() }        // or put the client in a ServiceGroup
///     let queue = PostgresJobQueue<RecordingJob>(client: client)
///     …
/// }
/// ```
///
/// The URL is `postgres://` (or `postgresql://`) `user[:password]@host[:port][/database][?options]`;
/// user and password may be percent-encoded. The options:
///
/// | option | meaning |
/// |---|---|
/// | `sslmode` | `disable` (no TLS — only when asked), `prefer` (the default: TLS when the server offers it), `require`, `verify-ca`, `verify-full` (TLS or fail). PostgresNIO verifies the certificate and host name whenever TLS is used, except `verify-ca`, which skips the host name. |
/// | `sslrootcert` | a PEM file of CA certificates to verify the server against (e.g. a cloud provider's bundle) |
/// | `application_name` | shown in `pg_stat_activity` |
/// | `statement_timeout` | milliseconds; set on every connection at start-up (`-c statement_timeout=…`), so a statement that hangs fails with SQLSTATE 57014 instead of holding a worker |
/// | `connect_timeout` | seconds to establish a connection (default 10) |
/// | `pool_max` | the most connections the client opens (default 20) |
///
/// An unknown option is an error, so a typo does not silently weaken the connection. The password
/// never appears in ``description`` or in any error.
public struct VigilPostgresConfiguration: Sendable, CustomStringConvertible {
    /// The configuration to create a `PostgresClient` with.
    public var clientConfiguration: PostgresClient.Configuration
    /// The `statement_timeout` every connection sets at start-up, if any.
    public private(set) var statementTimeout: Duration?
    /// The `sslmode` the URL asked for (`prefer` when absent).
    public let sslMode: String

    /// Parses a connection URL.
    ///
    /// - Throws: ``VigilPostgresError`` with code `invalidConfiguration` naming what is wrong (never the
    ///   password).
    public init(url: String) throws {
        func invalid(_ detail: String) -> VigilPostgresError {
            VigilPostgresError(code: .invalidConfiguration, detail: "connection URL: \(detail)")
        }
        guard let components = URLComponents(string: url) else { throw invalid("not a URL") }
        guard let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql" else {
            throw invalid("the scheme must be postgres:// or postgresql://")
        }
        guard let host = components.host, !host.isEmpty else { throw invalid("no host") }
        let user = components.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? ""
        guard !user.isEmpty else { throw invalid("no user") }
        let password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        let path = components.percentEncodedPath.removingPercentEncoding ?? components.path
        let database = path.hasPrefix("/") ? String(path.dropFirst()) : path
        guard !database.contains("/") else { throw invalid("the path must be a single database name") }
        let port = components.port ?? 5432
        guard (1...65_535).contains(port) else { throw invalid("the port must be 1…65535") }

        var sslMode = "prefer"
        var rootCertificates: String?
        var applicationName: String?
        var statementTimeout: Duration?
        var connectTimeout: Duration?
        var poolMax: Int?
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode": sslMode = value
            case "sslrootcert":
                guard !value.isEmpty else { throw invalid("sslrootcert must be a file path") }
                rootCertificates = value
            case "application_name": applicationName = value
            case "statement_timeout":
                guard let ms = Int(value), ms >= 0 else { throw invalid("statement_timeout must be milliseconds (0 = none)") }
                statementTimeout = ms == 0 ? nil : .milliseconds(ms)
            case "connect_timeout":
                guard let seconds = Int(value), seconds > 0 else { throw invalid("connect_timeout must be positive seconds") }
                connectTimeout = .seconds(seconds)
            case "pool_max":
                guard let count = Int(value), count > 0 else { throw invalid("pool_max must be a positive count") }
                poolMax = count
            default:
                throw invalid("unsupported option '\(item.name.prefix(40))'")
            }
        }

        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
        if let rootCertificates { tlsConfiguration.trustRoots = .file(rootCertificates) }
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(tlsConfiguration)
        case "require", "verify-full": tls = .require(tlsConfiguration)
        case "verify-ca":
            tlsConfiguration.certificateVerification = .noHostnameVerification
            tls = .require(tlsConfiguration)
        default:
            throw invalid("sslmode must be disable, allow, prefer, require, verify-ca or verify-full")
        }

        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password,
            database: database.isEmpty ? nil : database, tls: tls)
        var startup: [(String, String)] = []
        if let applicationName { startup.append(("application_name", applicationName)) }
        if let statementTimeout {
            startup.append(("options", "-c statement_timeout=\(Millis.of(statementTimeout))"))
        }
        configuration.options.additionalStartupParameters = startup
        if let connectTimeout { configuration.options.connectTimeout = connectTimeout }
        if let poolMax { configuration.options.maximumConnections = poolMax }
        self.clientConfiguration = configuration
        self.statementTimeout = statementTimeout
        self.sslMode = sslMode
    }

    /// Sets (or with `nil` clears) the `statement_timeout` every connection sets at start-up.
    public mutating func setStatementTimeout(_ timeout: Duration?) {
        var startup = clientConfiguration.options.additionalStartupParameters.filter { $0.0 != "options" }
        if let timeout, timeout > .zero {
            startup.append(("options", "-c statement_timeout=\(Swift.max(1, Millis.of(timeout)))"))
            statementTimeout = timeout
        } else {
            statementTimeout = nil
        }
        clientConfiguration.options.additionalStartupParameters = startup
    }

    /// Creates a client. The host must run its `run()` in a long-lived task (or a `ServiceGroup`)
    /// while the client is used; cancelling that task closes the client.
    ///
    /// - Parameter backgroundLogger: where the pool logs connection events. Default: nothing.
    public func makeClient(backgroundLogger: Logger? = nil) -> PostgresClient {
        PostgresClient(configuration: clientConfiguration, backgroundLogger: backgroundLogger ?? Database.silent)
    }

    /// The URL without its password, e.g. `postgres://vigil@db:5432/vigil?sslmode=require`.
    public var description: String {
        let user = clientConfiguration.username
        let host = clientConfiguration.host ?? "?"
        let port = clientConfiguration.port.map(String.init) ?? "?"
        let database = clientConfiguration.database ?? ""
        return "postgres://\(user)@\(host):\(port)/\(database)?sslmode=\(sslMode)"
    }
}
