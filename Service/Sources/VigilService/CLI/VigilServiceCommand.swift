import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import VigilCore
import VigilEventSub
import VigilPlatformClient

/// The `vigil-service` command line as a library function (the executable is one line over it).
///
/// ```
/// vigil-service [serve] [--role ingest|worker|all] [--config FILE] [--simulate]
/// vigil-service simulate-platform --port P [--seed N] [--faults none|traps]
/// vigil-service send --url URL[,URL…] --platform URL --recordings N --secret whsec_… [--violating-every 10]
///                    [--max-deliveries 3] [--concurrency 64] [--replay K] [--seed N] [--out FILE]
/// vigil-service live --url ws://…/audiohook/ws --api-key K --client-secret S [--platform URL] [--calls 1]
///                    [--seconds 30] [--card-at 8] [--speed 1] [--ramp 5] [--wav FILE] [--service-pid P] [--out FILE]
/// ```
///
/// Exit codes: 0 done, 1 failure (a send that was not clean, a server that failed), 2 usage or
/// configuration error (the message names the key, never a secret).
public enum VigilServiceCommand {
    public static let usage = """
        USAGE: vigil-service [serve] [--role ingest|worker|all] [--config FILE] [--simulate]
               vigil-service simulate-platform --port P [--seed N] [--faults none|traps]
               vigil-service send --url URL[,URL...] --platform URL --recordings N --secret whsec_...
                                  [--violating-every 10] [--max-deliveries 3] [--concurrency 64]
                                  [--replay K] [--seed N] [--out FILE]
               vigil-service live --url ws://HOST:PORT/audiohook/ws --api-key K --client-secret S
                                  [--platform URL] [--calls 1] [--seconds 30] [--card-at 8] [--speed 1]
                                  [--ramp 5] [--wav FILE] [--service-pid P] [--out FILE]

        serve               the service: POST /webhooks/genesys, POST /callbacks/verdict, GET /healthz,
                            /readyz, /metrics; pipeline workers. Configured by VIGIL_* environment
                            variables and/or --config FILE (JSON, same keys; the environment wins).
                            --simulate runs with no configuration at all: SQLite in a temporary
                            directory, the reference engine, a simulated Genesys Cloud in process,
                            the AudioHook endpoint on with a demo key.
        simulate-platform   a simulated Genesys Cloud organisation on http://127.0.0.1:P, shared by
                            several service processes (control: POST /_sim/recordings, GET /_sim/state).
        send                load generator: signed recording events, each delivered 1..max times.
        live                plays Genesys Cloud's side of AudioHook Monitor calls (a test card keyed at
                            --card-at s, or --wav) against /audiohook/ws; with --platform (the simulated
                            organisation) reports each call's time from the last digit to its work item;
                            with --service-pid the service's CPU and memory per call.

        """

    /// Runs the command; returns the exit code.
    public static func run(_ arguments: [String], environment: [String: String]) async -> Int32 {
        var arguments = arguments
        let command = arguments.first.flatMap { $0.hasPrefix("-") ? nil : $0 } ?? "serve"
        if arguments.first == command { arguments.removeFirst() }
        do {
            switch command {
            case "serve": return try await serve(arguments, environment: environment)
            case "simulate-platform": return try await simulatePlatform(arguments)
            case "send": return try await send(arguments)
            case "live": return try await live(arguments)
            case "help", "--help", "-h":
                print(usage, terminator: "")
                return 0
            default: throw UsageError("unknown command '\(command)'")
            }
        } catch let error as UsageError {
            stderr("vigil-service: \(error.message)\n\n\(usage)")
            return 2
        } catch let error as ServiceConfigurationError {
            stderr("vigil-service: configuration error: \(error)\n")
            return 2
        } catch {
            stderr("vigil-service: \(error)\n")
            return 1
        }
    }

    // MARK: - serve

    /// `serve`'s flags.
    public struct ServeOptions: Sendable, Hashable {
        public var role: ServiceRole = .all
        public var configFile: String?
        public var simulate = false
    }

    static func parseServe(_ arguments: [String]) throws(UsageError) -> ServeOptions {
        var options = ServeOptions()
        var flags = Flags(arguments)
        while let flag = flags.next() {
            switch flag {
            case "--role":
                let text = try flags.value(for: flag)
                guard let role = ServiceRole(rawValue: text) else { throw UsageError("--role must be ingest, worker or all") }
                options.role = role
            case "--config": options.configFile = try flags.value(for: flag)
            case "--simulate": options.simulate = true
            default: throw UsageError("unknown option '\(flag)' for serve")
            }
        }
        return options
    }

    static func serve(_ arguments: [String], environment: [String: String]) async throws -> Int32 {
        let options = try parseServe(arguments)
        if options.simulate { return try await serveSimulated(options, environment: environment) }
        let configuration = try ServiceConfiguration.load(environment: environment, file: options.configFile)
        LoggingSystem.bootstrapOnce(level: configuration.logLevel)
        let logger = Logger(label: "vigil.service", level: configuration.logLevel)
        let storage = try ServiceStorage.open(configuration.store)
        let transport = AsyncHTTPClientTransport()
        let runtime = try VigilServiceRuntime(configuration: configuration, storage: storage, transport: transport, logger: logger)
        logger.notice(
            "vigil-service starting",
            metadata: [
                "role": "\(options.role.rawValue)", "store": "\(storage.label)", "engine": "\(configuration.engine)",
                "api": "\(configuration.region.apiBaseURL.redactedForLogging)", "workers": "\(configuration.workers)"
            ])
        let host = configuration.httpHost
        do {
            try await runtime.run(
                role: options.role,
                onServerRunning: { port in
                    logger.notice("listening", metadata: ["address": "http://\(host):\(port)", "role": "\(options.role.rawValue)"])
                })
        } catch {
            try? await transport.shutdown()
            throw error
        }
        try? await transport.shutdown()
        return 0
    }

    /// `serve --simulate`: no configuration needed.
    static func serveSimulated(_ options: ServeOptions, environment: [String: String]) async throws -> Int32 {
        typealias Key = ServiceConfiguration.Key
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-simulate-\(UUID().uuidString)")
        let secret = "whsec_" + Base64.encode(Array("vigil-simulate-webhook-secret-32".utf8))
        let audioHookKey = "vigil-simulate", audioHookSecret = Base64.encode(Array("vigil-simulate-audiohook-secret!".utf8))
        var values: [String: String] = [
            Key.audioHookClients: "\(audioHookKey):\(audioHookSecret)",
            Key.store: "sqlite:" + directory.appendingPathComponent("vigil.sqlite").path,
            Key.genesysClientID: SimulatedPlatform.clientId, Key.genesysClientSecret: SimulatedPlatform.clientSecret,
            Key.webhookSecrets: secret, Key.worktypeID: "4c7a1f0e-2b3d-4e5f-8a9b-0c1d2e3f4a5b",
            Key.reviewQueueID: "9e8d7c6b-5a49-4382-b1a0-f9e8d7c6b5a4",
            Key.tokenKey: Base64.encode((0..<32).map { _ in UInt8.random(in: 0...255) }),
            // Evidence: sealed in the temporary directory under a per-run key; the links name the public
            // base a TLS proxy would serve (fetch them here on http://127.0.0.1:PORT/evidence/…).
            Key.evidenceDirectory: directory.appendingPathComponent("evidence").path,
            Key.evidenceKeys: "simulate-kek:" + Base64.encode((0..<32).map { _ in UInt8.random(in: 0...255) }),
            Key.evidenceLinkSecret: Base64.encode((0..<32).map { _ in UInt8.random(in: 0...255) }),
            Key.evidenceBaseURL: "https://vigil.example.com/evidence"
        ]
        if let file = options.configFile { values.merge(try ServiceConfiguration.readFile(file)) { $1 } }
        for key in Key.all { if let value = environment[key] { values[key] = value } }
        let port = Int(values[Key.httpPort] ?? "8080") ?? 8080
        guard port > 0 else {
            throw ServiceConfigurationError(key: Key.httpPort, reason: "must be a fixed port with --simulate (the simulator's URLs carry it)")
        }
        values[Key.genesysAPIBase] = "http://127.0.0.1:\(port)"
        values[Key.genesysRegion] = nil
        values[Key.engine] = nil
        let configuration = try ServiceConfiguration.parse(values)
        LoggingSystem.bootstrapOnce(level: configuration.logLevel)
        let logger = Logger(label: "vigil.service", level: configuration.logLevel)

        let platform = SimulatedPlatform(port: port, seed: 2026)
        let seeded = await platform.createRecordings(count: 10, violatingEvery: 5, seed: 2026)
        let storage = try ServiceStorage.open(configuration.store)
        let runtime = try VigilServiceRuntime(configuration: configuration, storage: storage, transport: platform, logger: logger)
        let host = configuration.httpHost
        defer { try? FileManager.default.removeItem(at: directory) }
        try await runtime.run(role: options.role, extraRoutes: { router in platform.addRoutes(to: router) }) { bound in
            let base = "http://\(host):\(bound)"
            let sample = seeded[0]
            let body = LoadGenerator.event(recordingId: sample.recordingId, conversationId: sample.conversationId, index: 0)
            let signer = try? WebhookSigner(scheme: .standardWebhooks, secrets: [secret])
            let headers = signer?.sign(body: body, id: "msg_curl_\(sample.recordingId)", now: Date()) ?? VigilCore.HTTPFields()
            let curlHeaders = headers.map { "-H '\($0.name): \($0.value)'" }.joined(separator: " ")
            stderr(
                """
                vigil-service --simulate: listening on \(base)
                  store \(storage.label) (removed on exit); reference engine; simulated Genesys Cloud in process (same port)
                  evidence: each violation's masked clip sealed (AES-256-GCM, per-run key); a verdict's link names
                    https://vigil.example.com/evidence/…: fetch the same path and query on \(base)/evidence/…
                  \(seeded.count) recordings seeded, \(seeded.filter { $0.violating }.count) with a test card keyed
                  send one signed event (valid for 5 minutes) — recording \(sample.recordingId), a violating one:
                    curl -i \(base)/webhooks/genesys -H 'Content-Type: application/json' \(curlHeaders) \\
                         --data '\(String(decoding: body, as: UTF8.self))'
                  or load (new recordings, each event delivered 1-3 times, one replayed):
                    vigil-service send --url \(base)/webhooks/genesys --platform \(base) --recordings 50 --replay 3 --secret \(secret)
                  then: curl -s \(base)/_sim/state   (annotations / work items per recording)
                        curl -s \(base)/metrics | grep ^vigil_
                  a live call over AudioHook Monitor (30 s, a test card keyed at 8 s), flagged while it runs:
                    vigil-service live --url ws://\(host):\(bound)/audiohook/ws --api-key \(audioHookKey) --client-secret \(audioHookSecret) --platform \(base)

                """)
        }
        return 0
    }

    // MARK: - simulate-platform

    /// `simulate-platform`'s flags.
    public struct PlatformOptions: Sendable, Hashable {
        public var port = 0
        public var seed: UInt64 = 1
        public var faults: SimulatedPlatform.Faults = .none
    }

    static func parsePlatform(_ arguments: [String]) throws(UsageError) -> PlatformOptions {
        var options = PlatformOptions()
        var flags = Flags(arguments)
        while let flag = flags.next() {
            switch flag {
            case "--port":
                guard let port = Int(try flags.value(for: flag)), (1...65_535).contains(port) else {
                    throw UsageError("--port needs a number from 1 to 65535")
                }
                options.port = port
            case "--seed":
                guard let seed = UInt64(try flags.value(for: flag)) else { throw UsageError("--seed needs a number") }
                options.seed = seed
            case "--faults":
                guard let faults = SimulatedPlatform.Faults(rawValue: try flags.value(for: flag)) else {
                    throw UsageError("--faults must be none or traps")
                }
                options.faults = faults
            default: throw UsageError("unknown option '\(flag)' for simulate-platform")
            }
        }
        guard options.port > 0 else { throw UsageError("simulate-platform needs --port P") }
        return options
    }

    static func simulatePlatform(_ arguments: [String]) async throws -> Int32 {
        let options = try parsePlatform(arguments)
        LoggingSystem.bootstrapOnce(level: .notice)
        let platform = SimulatedPlatform(port: options.port, seed: options.seed, faults: options.faults)
        let app = makePlatformApplication(platform, port: options.port) { port in
            stderr(
                "simulate-platform: listening on http://127.0.0.1:\(port) (faults: \(options.faults.rawValue), seed \(options.seed)); "
                    + "client id \(SimulatedPlatform.clientId), secret \(SimulatedPlatform.clientSecret)\n")
        }
        try await app.runService()
        return 0
    }

    /// The simulated platform as a Hummingbird application on `127.0.0.1:port`.
    public static func makePlatformApplication(
        _ platform: SimulatedPlatform, port: Int,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    )
        -> some ApplicationProtocol
    {
        let router = Router(context: BasicRequestContext.self)
        platform.addRoutes(to: router)
        var logger = Logger(label: "vigil.simulate-platform")
        logger.logLevel = .notice
        return Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    // MARK: - send

    static func parseSend(_ arguments: [String]) throws(UsageError) -> (LoadGenerator.Options, out: String?) {
        var urls: [URL] = []
        var platform: URL?
        var recordings: Int?
        var secret: String?
        var violatingEvery = 10, maxDeliveries = 3, concurrency = 64, replay = 0
        var seed: UInt64 = 1
        var out: String?
        var flags = Flags(arguments)
        func number(_ flag: String, _ range: ClosedRange<Int>) throws(UsageError) -> Int { try flags.number(for: flag, in: range) }
        while let flag = flags.next() {
            switch flag {
            case "--url":
                for text in try flags.value(for: flag).split(separator: ",") {
                    guard let url = URL(string: String(text)), url.scheme == "http" || url.scheme == "https" else {
                        throw UsageError("--url needs http(s) URLs, comma-separated")
                    }
                    urls.append(url)
                }
            case "--platform":
                guard let url = URL(string: try flags.value(for: flag)), url.scheme == "http" else {
                    throw UsageError("--platform needs the simulated platform's http:// URL")
                }
                platform = url
            case "--recordings": recordings = try number(flag, 1...1_000_000)
            case "--violating-every": violatingEvery = try number(flag, 0...1_000_000)
            case "--max-deliveries": maxDeliveries = try number(flag, 1...100)
            case "--concurrency": concurrency = try number(flag, 1...4_096)
            case "--replay": replay = try number(flag, 0...1_000_000)
            case "--seed":
                guard let value = UInt64(try flags.value(for: flag)) else { throw UsageError("--seed needs a number") }
                seed = value
            case "--secret": secret = try flags.value(for: flag)
            case "--out": out = try flags.value(for: flag)
            default: throw UsageError("unknown option '\(flag)' for send")
            }
        }
        guard !urls.isEmpty else { throw UsageError("send needs --url") }
        guard let platform else { throw UsageError("send needs --platform") }
        guard let recordings else { throw UsageError("send needs --recordings N") }
        guard let secret else { throw UsageError("send needs --secret whsec_...") }
        do { _ = try WebhookSecret.standardWebhooks(secret) } catch {
            throw UsageError("--secret is not a Standard Webhooks secret (whsec_ followed by base64)")
        }
        var options = LoadGenerator.Options(urls: urls, platform: platform, recordings: recordings, secret: secret)
        options.violatingEvery = violatingEvery
        options.maxDeliveries = maxDeliveries
        options.concurrency = concurrency
        options.replay = replay
        options.seed = seed
        return (options, out)
    }

    static func send(_ arguments: [String]) async throws -> Int32 {
        let (options, out) = try parseSend(arguments)
        let report = try await LoadGenerator.run(options)
        if let out { try write(report, to: out) }
        stderr(report.summary + "\n")
        return report.succeeded ? 0 : 1
    }

    // MARK: - live

    static func parseLive(_ arguments: [String]) throws(UsageError) -> (LiveCalls.Options, out: String?) {
        var url: URL?, apiKey: String?, clientSecret: String?, out: String?
        var options = LiveCalls.Options(url: URL(string: "ws://127.0.0.1")!, apiKey: "", clientSecret: "")
        var flags = Flags(arguments)
        func number(_ flag: String, _ range: ClosedRange<Double>) throws(UsageError) -> Double { try flags.number(for: flag, in: range) }
        while let flag = flags.next() {
            switch flag {
            case "--url":
                guard let value = URL(string: try flags.value(for: flag)), value.scheme == "ws" || value.scheme == "wss" else {
                    throw UsageError("--url needs the service's ws:// or wss:// AudioHook URL")
                }
                url = value
            case "--api-key": apiKey = try flags.value(for: flag)
            case "--client-secret": clientSecret = try flags.value(for: flag)
            case "--organization": options.organizationId = try flags.value(for: flag)
            case "--platform":
                guard let value = URL(string: try flags.value(for: flag)), value.scheme == "http" else {
                    throw UsageError("--platform needs the simulated platform's http:// URL")
                }
                options.platform = value
            case "--calls": options.calls = Int(try number(flag, 1...10_000))
            case "--seconds": options.seconds = Int(try number(flag, 10...3_600))
            case "--card-at": options.cardAtSeconds = try number(flag, 0...3_600)
            case "--speed": options.speed = try number(flag, 0...1_000)
            case "--ramp": options.rampSeconds = try number(flag, 0...600)
            case "--wav": options.wavPath = try flags.value(for: flag)
            case "--service-pid":
                guard let pid = Int32(try flags.value(for: flag)), pid > 0 else { throw UsageError("--service-pid needs a process id") }
                options.servicePID = pid
            case "--out": out = try flags.value(for: flag)
            default: throw UsageError("unknown option '\(flag)' for live")
            }
        }
        guard let url else { throw UsageError("live needs --url ws://HOST:PORT/audiohook/ws") }
        guard let apiKey, let clientSecret else { throw UsageError("live needs --api-key and --client-secret") }
        guard options.wavPath != nil || options.cardAtSeconds + 8 <= Double(options.seconds) else {
            throw UsageError("--card-at must leave 8 s for the card and its code before the call ends (--seconds)")
        }
        options.url = url
        options.apiKey = apiKey
        options.clientSecret = clientSecret
        return (options, out)
    }

    static func live(_ arguments: [String]) async throws -> Int32 {
        let (options, out) = try parseLive(arguments)
        LoggingSystem.bootstrapOnce(level: .error)
        let report = try await LiveCalls.run(options)
        if let out { try write(report, to: out) }
        stderr(report.summary + "\n")
        return report.succeeded ? 0 : 1
    }

    // MARK: - Helpers

    /// A command-line mistake.
    public struct UsageError: Error, Hashable {
        public let message: String
        init(_ message: String) { self.message = message }
    }

    struct Flags {
        private var arguments: ArraySlice<String>
        init(_ arguments: [String]) { self.arguments = arguments[...] }
        mutating func next() -> String? { arguments.popFirst() }
        mutating func value(for flag: String) throws(UsageError) -> String {
            guard let value = arguments.popFirst(), !value.hasPrefix("--") else { throw UsageError("\(flag) needs a value") }
            return value
        }
        mutating func number<Number: LosslessStringConvertible & Comparable>(for flag: String, in range: ClosedRange<Number>)
            throws(UsageError) -> Number
        {
            guard let value = Number(try self.value(for: flag)), range.contains(value) else {
                throw UsageError("\(flag) needs a number from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
    }

    /// Writes a report as sorted, indented JSON.
    static func write(_ report: some Encodable, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try encoder.encode(report).write(to: URL(fileURLWithPath: path))
    }

    static func stderr(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

extension ServiceStorage {
    /// Opens the configured store.
    ///
    /// - Throws: ``ServiceConfigurationError`` (key `VIGIL_STORE`) when the store cannot be used.
    public static func open(_ location: StoreLocation, maxDeliveries: Int = 10, logger: Logger? = nil) throws -> ServiceStorage {
        switch location {
        case let .sqlite(path):
            do { return try .sqlite(path: path, maxDeliveries: maxDeliveries) } catch {
                throw ServiceConfigurationError(key: ServiceConfiguration.Key.store, reason: "the SQLite file cannot be opened: \(error)")
            }
        case let .postgres(url):
            return try .postgres(url: url, maxDeliveries: maxDeliveries, logger: logger)
        }
    }
}

extension LoggingSystem {
    private static let once = OnceFlag()

    /// Bootstraps stderr logging once per process at `level`.
    static func bootstrapOnce(level: Logger.Level) {
        once.run {
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}

final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    func run(_ body: () -> Void) {
        lock.withLock {
            guard !done else { return }
            done = true
            body()
        }
    }
}
