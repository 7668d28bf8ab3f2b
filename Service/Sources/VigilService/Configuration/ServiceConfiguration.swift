import Foundation
import Logging
import VigilCore
import VigilEventSub
import VigilModels
import VigilPlatformClient
import VigilVerdict

/// What a `vigil-service serve` process runs.
public enum ServiceRole: String, Sendable, Hashable, CaseIterable {
    /// HTTP ingest only (webhooks, callbacks, health, metrics); no workers.
    case ingest
    /// Pipeline workers plus health and metrics; no webhook or callback routes.
    case worker
    /// Both.
    case all

    /// Whether the webhook and callback routes are served.
    public var servesIngest: Bool { self != .worker }
    /// Whether pipeline workers run.
    public var runsWorkers: Bool { self != .ingest }
}

/// Where the idempotency store, queue, pending verdicts, callback replay ids and dead letters live.
public enum StoreLocation: Sendable, Hashable, CustomStringConvertible {
    /// One SQLite file (WAL), shareable between processes on one machine.
    case sqlite(path: String)
    /// A PostgreSQL database (the URL carries credentials: never logged).
    case postgres(url: String)

    /// `sqlite:<path>` or `postgres://<host>/…` without user info.
    public var description: String {
        switch self {
        case let .sqlite(path): "sqlite:\(path)"
        case let .postgres(url): URL(string: url).map { "postgres://\($0.host ?? "?")\($0.port.map { ":\($0)" } ?? "")\($0.path)" } ?? "postgres://…"
        }
    }
}

/// Which compliance engine evaluates recordings.
public enum EngineSelection: Sendable, CustomStringConvertible {
    /// Vigil's `ReferenceComplianceEngine` in process.
    case reference
    /// A remote engine (`HTTPComplianceEngine`), requests signed with the secret.
    case http(endpoint: URL, secret: VerdictSigningSecret)

    /// `reference` or the endpoint without query.
    public var description: String {
        switch self {
        case .reference: "reference"
        case let .http(endpoint, _): endpoint.redactedForLogging
        }
    }
}

/// A configuration value that cannot be used. Names the key, never the value.
public struct ServiceConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The configuration key (its environment name, e.g. `VIGIL_HTTP_PORT`).
    public let key: String
    /// What is wrong, without the value.
    public let reason: String

    /// Creates an error.
    public init(key: String, reason: String) {
        self.key = key
        self.reason = reason
    }

    /// `VIGIL_HTTP_PORT: must be a number from 0 to 65535`.
    public var description: String { "\(key): \(reason)" }
}

/// The whole validated configuration of `vigil-service serve`.
///
/// Built by ``load(environment:file:)`` from the environment and an optional JSON file (the
/// environment wins). Every value is validated here, so a process that starts has a usable
/// configuration; secrets are kept as typed values whose descriptions are redacted.
public struct ServiceConfiguration: Sendable {
    /// Every key, by its environment name.
    public enum Key {
        public static let httpHost = "VIGIL_HTTP_HOST"
        public static let httpPort = "VIGIL_HTTP_PORT"
        public static let store = "VIGIL_STORE"
        public static let genesysRegion = "VIGIL_GENESYS_REGION"
        public static let genesysAPIBase = "VIGIL_GENESYS_API_BASE"
        public static let genesysClientID = "VIGIL_GENESYS_CLIENT_ID"
        public static let genesysClientSecret = "VIGIL_GENESYS_CLIENT_SECRET"
        public static let webhookSecrets = "VIGIL_WEBHOOK_SECRETS"
        public static let engine = "VIGIL_ENGINE"
        public static let engineSecret = "VIGIL_ENGINE_SECRET"
        public static let callbackSecrets = "VIGIL_CALLBACK_SECRETS"
        public static let flow = "VIGIL_FLOW"
        public static let worktypeID = "VIGIL_WORKTYPE_ID"
        public static let reviewQueueID = "VIGIL_REVIEW_QUEUE_ID"
        public static let policy = "VIGIL_POLICY"
        public static let analysisPolicy = "VIGIL_ANALYSIS_POLICY"
        public static let workers = "VIGIL_WORKERS"
        public static let maxBodyBytes = "VIGIL_MAX_BODY_BYTES"
        public static let logLevel = "VIGIL_LOG_LEVEL"
        public static let tokenKey = "VIGIL_TOKEN_KEY"
        public static let jobLeaseSeconds = "VIGIL_JOB_LEASE_SECONDS"
        public static let audioHookClients = "VIGIL_AUDIOHOOK_CLIENTS"
        public static let audioHookMaxSessions = "VIGIL_AUDIOHOOK_MAX_SESSIONS"
        public static let audioHookIdleSeconds = "VIGIL_AUDIOHOOK_IDLE_SECONDS"
        public static let evidenceDirectory = "VIGIL_EVIDENCE_DIR"
        public static let evidenceKeys = "VIGIL_EVIDENCE_KEYS"
        public static let evidenceLinkSecret = "VIGIL_EVIDENCE_LINK_SECRET"
        public static let evidenceBaseURL = "VIGIL_EVIDENCE_BASE_URL"
        public static let evidenceLinkSeconds = "VIGIL_EVIDENCE_LINK_SECONDS"

        /// All keys, in documentation order.
        public static let all = [
            httpHost, httpPort, store, genesysRegion, genesysAPIBase, genesysClientID,
            genesysClientSecret, webhookSecrets, engine, engineSecret, callbackSecrets, flow,
            worktypeID, reviewQueueID, policy, analysisPolicy, workers, maxBodyBytes, logLevel,
            tokenKey, jobLeaseSeconds, audioHookClients, audioHookMaxSessions, audioHookIdleSeconds,
            evidenceDirectory, evidenceKeys, evidenceLinkSecret, evidenceBaseURL, evidenceLinkSeconds
        ]
    }

    /// Listen address. Default `127.0.0.1`.
    public var httpHost: String
    /// Listen port (`0`: any free port). Default 8080.
    public var httpPort: Int
    /// Where shared state lives. Default `sqlite:./vigil.sqlite`.
    public var store: StoreLocation
    /// The Genesys Cloud region (a public region, or `.custom(apiBase:)`).
    public var region: GenesysRegion
    /// The OAuth client.
    public var credentials: GenesysCredentials
    /// Standard Webhooks secrets accepted on `/webhooks/genesys` (rotation: several).
    public var webhookSecrets: [String]
    /// The engine.
    public var engine: EngineSelection
    /// Secrets accepted on `/callbacks/verdict`; empty: the route answers 404.
    public var callbackSecrets: [VerdictSigningSecret]
    /// The remediation flow.
    public var flow: RemediationFlowSource
    /// The verdict policy JSON, when given.
    public var policyPath: String?
    /// The reference engine's analysis policy JSON, when given.
    public var analysisPolicyPath: String?
    /// Pipeline workers per process. Default 4.
    public var workers: Int
    /// The largest webhook or callback body read. Default 256 KiB.
    public var maxBodyBytes: Int
    /// Log level. Default `info`.
    public var logLevel: Logger.Level
    /// The key of the receiver's pseudonymous tokens (shared by every process of a deployment).
    public var tokenKey: [UInt8]
    /// How long a worker holds a job before another process may take it over (after a crash).
    /// Default 600 s (`PipelineConfiguration`'s).
    public var jobLease: Duration = .seconds(600)
    /// The AudioHook Monitor endpoint (`/audiohook/ws`), when ``Key/audioHookClients`` is set.
    public var audioHook: AudioHookSettings?

    /// The evidence vault (`GET /evidence/{id}`, and the reference engine's sealed clips), when
    /// ``Key/evidenceDirectory`` is set.
    public var evidence: EvidenceSettings?

    /// Where sealed evidence lives and how links to it are signed.
    public struct EvidenceSettings: Sendable, CustomStringConvertible {
        /// The vault's directory (created 0700 when missing).
        public var directory: String
        /// Key-encryption keys by id (32 bytes each); ``currentKeyId`` wraps new clips.
        public var keys: [String: [UInt8]]
        /// The key id new clips are wrapped with (the first of ``Key/evidenceKeys``).
        public var currentKeyId: String
        /// The links' HMAC secret (at least 32 bytes), the same for every process.
        public var linkSecret: [UInt8]
        /// The public `https` base of `/evidence` (behind the TLS-terminating proxy).
        public var baseURL: URL
        /// How long a link lives (default 900 s, at most 3 600 s).
        public var linkLifetime: Duration

        /// Creates the settings.
        public init(
            directory: String, keys: [String: [UInt8]], currentKeyId: String, linkSecret: [UInt8], baseURL: URL,
            linkLifetime: Duration = .seconds(900)
        ) {
            self.directory = directory
            self.keys = keys
            self.currentKeyId = currentKeyId
            self.linkSecret = linkSecret
            self.baseURL = baseURL
            self.linkLifetime = linkLifetime
        }

        /// Directory, key ids, base and lifetime; never key material.
        public var description: String {
            "evidence(dir: \(directory), keys: \(keys.keys.sorted().joined(separator: ",")), current: \(currentKeyId), base: \(baseURL.absoluteString), links: \(linkLifetime))"
        }
    }

    /// How the AudioHook Monitor endpoint is reached and limited.
    public struct AudioHookSettings: Sendable, CustomStringConvertible {
        /// API key → client secret (base64), as entered in the Genesys Cloud AudioHook Monitor
        /// integration's credentials. Several for rotation.
        public var clients: [String: String]
        /// Concurrent calls accepted (default 500).
        public var maximumSessions: Int
        /// A call that sends nothing for this long is disconnected (default 30 s).
        public var idleTimeout: Duration

        /// Creates the settings.
        public init(clients: [String: String], maximumSessions: Int = 500, idleTimeout: Duration = .seconds(30)) {
            self.clients = clients
            self.maximumSessions = maximumSessions
            self.idleTimeout = idleTimeout
        }

        /// The API keys and limits; never a secret.
        public var description: String {
            "audiohook(keys: \(clients.keys.sorted().joined(separator: ",")), maxSessions: \(maximumSessions), idle: \(idleTimeout))"
        }
    }

    /// Where the remediation flow comes from.
    public enum RemediationFlowSource: Sendable, Hashable {
        /// A flow JSON file.
        case file(path: String)
        /// `RemediationFlow.defaultFlow(worktypeId:reviewQueueId:)`.
        case defaultFlow(worktypeId: String, reviewQueueId: String)
    }

    /// Creates a configuration from validated parts.
    public init(
        httpHost: String = "127.0.0.1", httpPort: Int = 8080, store: StoreLocation = .sqlite(path: "./vigil.sqlite"),
        region: GenesysRegion, credentials: GenesysCredentials, webhookSecrets: [String],
        engine: EngineSelection = .reference, callbackSecrets: [VerdictSigningSecret] = [],
        flow: RemediationFlowSource, policyPath: String? = nil, analysisPolicyPath: String? = nil,
        workers: Int = 4, maxBodyBytes: Int = 256 << 10, logLevel: Logger.Level = .info, tokenKey: [UInt8]
    ) {
        self.httpHost = httpHost
        self.httpPort = httpPort
        self.store = store
        self.region = region
        self.credentials = credentials
        self.webhookSecrets = webhookSecrets
        self.engine = engine
        self.callbackSecrets = callbackSecrets
        self.flow = flow
        self.policyPath = policyPath
        self.analysisPolicyPath = analysisPolicyPath
        self.workers = workers
        self.maxBodyBytes = maxBodyBytes
        self.logLevel = logLevel
        self.tokenKey = tokenKey
    }

    /// Loads and validates the configuration: the JSON file's keys first (same names as the
    /// environment; string, number or, for secret lists, array values), then the environment over it.
    ///
    /// - Throws: ``ServiceConfigurationError`` naming the first bad key.
    public static func load(environment: [String: String], file: String? = nil) throws(ServiceConfigurationError)
        -> ServiceConfiguration
    {
        var values: [String: String] = [:]
        if let file { values = try readFile(file) }
        for key in Key.all {
            if let value = environment[key] { values[key] = value }
        }
        return try parse(values)
    }

    /// Validates raw key/value pairs (environment names).
    public static func parse(_ values: [String: String]) throws(ServiceConfigurationError) -> ServiceConfiguration {
        func value(_ key: String) -> String? {
            guard let raw = values[key]?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty else { return nil }
            return raw
        }
        func integer(_ key: String, default fallback: Int, range: ClosedRange<Int>) throws(ServiceConfigurationError) -> Int {
            guard let text = value(key) else { return fallback }
            guard let number = Int(text), range.contains(number) else {
                throw ServiceConfigurationError(key: key, reason: "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        func readable(_ key: String) throws(ServiceConfigurationError) -> String? {
            guard let path = value(key) else { return nil }
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw ServiceConfigurationError(key: key, reason: "names a file that does not exist or cannot be read")
            }
            return path
        }

        let host = value(Key.httpHost) ?? "127.0.0.1"
        guard host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == ":" }) else {
            throw ServiceConfigurationError(key: Key.httpHost, reason: "must be a host name or IP address")
        }
        let port = try integer(Key.httpPort, default: 8080, range: 0...65_535)

        let store: StoreLocation
        switch value(Key.store) {
        case nil: store = .sqlite(path: "./vigil.sqlite")
        case let text? where text.hasPrefix("sqlite:"):
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw ServiceConfigurationError(key: Key.store, reason: "sqlite: needs a file path (sqlite:./vigil.sqlite)") }
            store = .sqlite(path: path)
        case let text? where text.hasPrefix("postgres://") || text.hasPrefix("postgresql://"):
            guard let url = URL(string: text), url.host?.isEmpty == false else {
                throw ServiceConfigurationError(key: Key.store, reason: "is not a valid postgres:// URL")
            }
            store = .postgres(url: text)
        default:
            throw ServiceConfigurationError(key: Key.store, reason: "must be sqlite:PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        }

        let region: GenesysRegion
        switch (value(Key.genesysRegion), value(Key.genesysAPIBase)) {
        case (_?, _?):
            throw ServiceConfigurationError(key: Key.genesysAPIBase, reason: "give either \(Key.genesysRegion) or \(Key.genesysAPIBase), not both")
        case let (name?, nil):
            do { region = try GenesysRegion(string: name) } catch {
                throw ServiceConfigurationError(key: Key.genesysRegion, reason: "is not a Genesys Cloud region (e.g. eu-west-1, us-east-1)")
            }
        case let (nil, base?):
            guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), url.host?.isEmpty == false,
                scheme == "https" || (scheme == "http" && Self.isLoopback(url.host ?? ""))
            else {
                throw ServiceConfigurationError(key: Key.genesysAPIBase, reason: "must be an https:// URL (http:// only for a loopback host)")
            }
            region = .custom(apiBase: url)
        case (nil, nil):
            throw ServiceConfigurationError(key: Key.genesysRegion, reason: "is required (or \(Key.genesysAPIBase))")
        }
        guard let clientId = value(Key.genesysClientID) else {
            throw ServiceConfigurationError(key: Key.genesysClientID, reason: "is required")
        }
        guard let clientSecret = value(Key.genesysClientSecret) else {
            throw ServiceConfigurationError(key: Key.genesysClientSecret, reason: "is required")
        }

        let webhookSecrets = (value(Key.webhookSecrets) ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
        guard !webhookSecrets.isEmpty else {
            throw ServiceConfigurationError(key: Key.webhookSecrets, reason: "is required: one or more space-separated whsec_… secrets")
        }
        for (index, secret) in webhookSecrets.enumerated() {
            do { _ = try WebhookSecret.standardWebhooks(secret) } catch {
                throw ServiceConfigurationError(
                    key: Key.webhookSecrets,
                    reason: "secret #\(index + 1) is not a Standard Webhooks secret (whsec_ followed by base64)")
            }
        }

        let engine: EngineSelection
        switch value(Key.engine) {
        case nil, "reference"?: engine = .reference
        case let text?:
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), url.host?.isEmpty == false,
                scheme == "https" || (scheme == "http" && Self.isLoopback(url.host ?? ""))
            else {
                throw ServiceConfigurationError(
                    key: Key.engine, reason: "must be `reference` or an https:// engine URL (http:// only for a loopback host)")
            }
            guard let secretText = value(Key.engineSecret) else {
                throw ServiceConfigurationError(key: Key.engineSecret, reason: "is required when \(Key.engine) is a URL")
            }
            do { engine = .http(endpoint: url, secret: try VerdictSigningSecret(secretText)) } catch {
                throw ServiceConfigurationError(key: Key.engineSecret, reason: "is not a whsec_… signing secret")
            }
        }

        var callbackSecrets: [VerdictSigningSecret] = []
        for (index, text) in (value(Key.callbackSecrets) ?? "").split(whereSeparator: \.isWhitespace).enumerated() {
            do { callbackSecrets.append(try VerdictSigningSecret(String(text))) } catch {
                throw ServiceConfigurationError(key: Key.callbackSecrets, reason: "secret #\(index + 1) is not a whsec_… signing secret")
            }
        }

        let flow: RemediationFlowSource
        if let path = try readable(Key.flow) {
            flow = .file(path: path)
        } else {
            guard let worktype = value(Key.worktypeID) else {
                throw ServiceConfigurationError(key: Key.worktypeID, reason: "is required for the default remediation flow (or give \(Key.flow))")
            }
            guard let reviewQueue = value(Key.reviewQueueID) else {
                throw ServiceConfigurationError(key: Key.reviewQueueID, reason: "is required for the default remediation flow (or give \(Key.flow))")
            }
            flow = .defaultFlow(worktypeId: worktype, reviewQueueId: reviewQueue)
        }
        let policyPath = try readable(Key.policy)
        let analysisPolicyPath = try readable(Key.analysisPolicy)
        let workers = try integer(Key.workers, default: 4, range: 1...256)
        let maxBodyBytes = try integer(Key.maxBodyBytes, default: 256 << 10, range: 1_024...(16 << 20))

        let logLevel: Logger.Level
        if let text = value(Key.logLevel) {
            guard let level = Logger.Level(rawValue: text.lowercased()) else {
                throw ServiceConfigurationError(key: Key.logLevel, reason: "must be one of trace, debug, info, notice, warning, error, critical")
            }
            logLevel = level
        } else {
            logLevel = .info
        }

        guard let keyText = value(Key.tokenKey) else {
            throw ServiceConfigurationError(key: Key.tokenKey, reason: "is required: base64 of at least 16 random bytes, the same for every process")
        }
        let tokenKey: [UInt8]
        do { tokenKey = try Base64.decode(keyText) } catch {
            throw ServiceConfigurationError(key: Key.tokenKey, reason: "is not valid base64")
        }
        guard tokenKey.count >= KeyedEventTokenizer.minimumKeyBytes else {
            throw ServiceConfigurationError(key: Key.tokenKey, reason: "must decode to at least \(KeyedEventTokenizer.minimumKeyBytes) bytes")
        }

        let leaseSeconds = try integer(Key.jobLeaseSeconds, default: 600, range: 5...86_400)
        let audioHook = try parseAudioHook(
            value(Key.audioHookClients),
            maximumSessions: integer(Key.audioHookMaxSessions, default: 500, range: 1...100_000),
            idleSeconds: integer(Key.audioHookIdleSeconds, default: 30, range: 5...3_600))
        var configuration = ServiceConfiguration(
            httpHost: host, httpPort: port, store: store, region: region,
            credentials: GenesysCredentials(clientId: clientId, clientSecret: clientSecret),
            webhookSecrets: webhookSecrets, engine: engine, callbackSecrets: callbackSecrets, flow: flow,
            policyPath: policyPath, analysisPolicyPath: analysisPolicyPath, workers: workers,
            maxBodyBytes: maxBodyBytes, logLevel: logLevel, tokenKey: tokenKey)
        configuration.jobLease = .seconds(leaseSeconds)
        configuration.audioHook = audioHook
        configuration.evidence = try parseEvidence(value, linkSeconds: integer(Key.evidenceLinkSeconds, default: 900, range: 60...3_600))
        return configuration
    }

    /// The evidence keys: all four together, or none.
    static func parseEvidence(_ value: (String) -> String?, linkSeconds: Int) throws(ServiceConfigurationError) -> EvidenceSettings? {
        let related = [Key.evidenceKeys, Key.evidenceLinkSecret, Key.evidenceBaseURL]
        guard let directory = value(Key.evidenceDirectory) else {
            if let stray = related.first(where: { value($0) != nil }) {
                throw ServiceConfigurationError(key: stray, reason: "needs \(Key.evidenceDirectory) (the vault's directory)")
            }
            return nil
        }
        guard let keyList = value(Key.evidenceKeys) else {
            throw ServiceConfigurationError(
                key: Key.evidenceKeys, reason: "is required with \(Key.evidenceDirectory): KEY_ID:BASE64 pairs, the first wraps new clips")
        }
        var keys: [String: [UInt8]] = [:], current: String?
        for (index, pair) in keyList.split(whereSeparator: \.isWhitespace).enumerated() {
            guard let colon = pair.firstIndex(of: ":"), colon != pair.startIndex else {
                throw ServiceConfigurationError(key: Key.evidenceKeys, reason: "entry #\(index + 1) must be KEY_ID:BASE64")
            }
            let id = String(pair[..<colon])
            guard id.utf8.count <= 64, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
                throw ServiceConfigurationError(
                    key: Key.evidenceKeys, reason: "entry #\(index + 1): the key id must be [A-Za-z0-9._-], at most 64 bytes")
            }
            guard let bytes = try? Base64.decode(String(pair[pair.index(after: colon)...])), bytes.count == 32 else {
                throw ServiceConfigurationError(key: Key.evidenceKeys, reason: "entry #\(index + 1): the key must be base64 of exactly 32 bytes")
            }
            guard keys.updateValue(bytes, forKey: id) == nil else {
                throw ServiceConfigurationError(key: Key.evidenceKeys, reason: "entry #\(index + 1) repeats a key id")
            }
            current = current ?? id
        }
        guard let current else { throw ServiceConfigurationError(key: Key.evidenceKeys, reason: "names no key") }
        guard let secretText = value(Key.evidenceLinkSecret), let secret = try? Base64.decode(secretText), secret.count >= 32 else {
            throw ServiceConfigurationError(
                key: Key.evidenceLinkSecret,
                reason: "is required with \(Key.evidenceDirectory): base64 of at least 32 random bytes, the same for every process")
        }
        guard let baseText = value(Key.evidenceBaseURL), let base = URL(string: baseText), base.scheme?.lowercased() == "https",
            base.host?.isEmpty == false, base.query == nil, base.user == nil
        else {
            throw ServiceConfigurationError(
                key: Key.evidenceBaseURL,
                reason: "is required with \(Key.evidenceDirectory): the public https URL of /evidence, without query or user info")
        }
        return EvidenceSettings(
            directory: directory, keys: keys, currentKeyId: current, linkSecret: secret, baseURL: base,
            linkLifetime: .seconds(linkSeconds))
    }

    /// `API_KEY:CLIENT_SECRET` pairs, space-separated; the secret is base64 of at least 16 bytes.
    static func parseAudioHook(_ text: String?, maximumSessions: Int, idleSeconds: Int) throws(ServiceConfigurationError)
        -> AudioHookSettings?
    {
        guard let text else { return nil }
        var clients: [String: String] = [:]
        for (index, pair) in text.split(whereSeparator: \.isWhitespace).enumerated() {
            guard let colon = pair.firstIndex(of: ":"), colon != pair.startIndex else {
                throw ServiceConfigurationError(
                    key: Key.audioHookClients,
                    reason: "entry #\(index + 1) must be API_KEY:CLIENT_SECRET")
            }
            let key = String(pair[..<colon]), secret = String(pair[pair.index(after: colon)...])
            guard key.utf8.count <= 200, key.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "\"" }) else {
                throw ServiceConfigurationError(
                    key: Key.audioHookClients,
                    reason: "entry #\(index + 1): the API key must be printable ASCII, at most 200 bytes")
            }
            guard let bytes = try? Base64.decode(secret), bytes.count >= 16 else {
                throw ServiceConfigurationError(
                    key: Key.audioHookClients,
                    reason: "entry #\(index + 1): the client secret must be base64 of at least 16 bytes")
            }
            guard clients.updateValue(secret, forKey: key) == nil else {
                throw ServiceConfigurationError(key: Key.audioHookClients, reason: "entry #\(index + 1) repeats an API key")
            }
        }
        guard !clients.isEmpty else { return nil }
        return AudioHookSettings(clients: clients, maximumSessions: maximumSessions, idleTimeout: .seconds(idleSeconds))
    }

    /// Reads a JSON object of key → string / number / bool / array of strings.
    static func readFile(_ path: String) throws(ServiceConfigurationError) -> [String: String] {
        let key = "--config"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ServiceConfigurationError(key: key, reason: "names a file that does not exist or cannot be read")
        }
        // The shared I-JSON reader first: a key named twice is refused rather than resolved silently.
        do { try StrictJSON.validate(data) } catch {
            throw ServiceConfigurationError(key: key, reason: "is not I-JSON: \(error.code) at \(error.path.isEmpty ? "(root)" : error.path)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ServiceConfigurationError(key: key, reason: "must be a JSON object of VIGIL_* keys")
        }
        var values: [String: String] = [:]
        for (name, raw) in object {
            guard Key.all.contains(name) else {
                throw ServiceConfigurationError(key: name, reason: "is not a known configuration key (in \(key) file)")
            }
            switch raw {
            case let text as String: values[name] = text
            case let number as NSNumber: values[name] = number.stringValue
            case let list as [String]: values[name] = list.joined(separator: " ")
            default: throw ServiceConfigurationError(key: name, reason: "must be a string, a number or an array of strings (in \(key) file)")
            }
        }
        return values
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}
