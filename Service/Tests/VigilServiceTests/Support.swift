import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Testing
import Vigil
import VigilCore
import VigilEventSub
import VigilModels
import VigilPlatformClient
import VigilService
import VigilTesting
import VigilVerdict

enum Fixture {
    static let webhookSecret = "whsec_" + Base64.encode(Array("vigil-test-webhook-secret-32byte".utf8))
    static let callbackSecret = "whsec_" + Base64.encode(Array("vigil-test-callback-secret-32byt".utf8))
    static let tokenKey = Base64.encode(Array("vigil-test-token-key-0123456789ab".utf8))
    static let inProcessAPIBase = "https://api.sim.vigil.test"

    /// A complete, valid configuration (environment names).
    static func values(store: String, apiBase: String = inProcessAPIBase, port: Int = 0) -> [String: String] {
        [
            ServiceConfiguration.Key.httpPort: String(port),
            ServiceConfiguration.Key.store: store,
            ServiceConfiguration.Key.genesysAPIBase: apiBase,
            ServiceConfiguration.Key.genesysClientID: SimulatedPlatform.clientId,
            ServiceConfiguration.Key.genesysClientSecret: SimulatedPlatform.clientSecret,
            ServiceConfiguration.Key.webhookSecrets: webhookSecret,
            ServiceConfiguration.Key.worktypeID: "4c7a1f0e-2b3d-4e5f-8a9b-0c1d2e3f4a5b",
            ServiceConfiguration.Key.reviewQueueID: "9e8d7c6b-5a49-4382-b1a0-f9e8d7c6b5a4",
            ServiceConfiguration.Key.tokenKey: tokenKey,
            ServiceConfiguration.Key.workers: "2",
            ServiceConfiguration.Key.logLevel: "error"
        ]
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-service-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A seed-schema recording event, signed now.
    static func signedEvent(
        recordingId: GenesysID, conversationId: GenesysID, deliveryId: String = "msg_\(UUID().uuidString)",
        secret: String = webhookSecret
    ) throws -> (body: [UInt8], headers: VigilCore.HTTPFields) {
        let body = LoadGenerator.event(recordingId: recordingId.rawValue, conversationId: conversationId.rawValue, index: 1)
        let signer = try WebhookSigner(scheme: .standardWebhooks, secrets: [secret])
        return (body, signer.sign(body: body, id: deliveryId, now: Date()))
    }
}

/// A `vigil-service` runtime on a real socket (port 0), run in a ServiceGroup like `serve` does.
final class LiveService: @unchecked Sendable {
    let runtime: VigilServiceRuntime
    let group: ServiceGroup
    let running: Task<Void, any Error>
    let baseURL: URL
    let directory: URL

    init(runtime: VigilServiceRuntime, group: ServiceGroup, running: Task<Void, any Error>, baseURL: URL, directory: URL) {
        self.runtime = runtime
        self.group = group
        self.running = running
        self.baseURL = baseURL
        self.directory = directory
    }

    static func start(
        role: ServiceRole = .all,
        values: (URL) -> [String: String] = { Fixture.values(store: "sqlite:" + $0.appendingPathComponent("vigil.sqlite").path) },
        transport: any HTTPTransport, engine: (any ComplianceEngine)? = nil,
        extraRoutes: (@Sendable (Router<BasicRequestContext>) -> Void)? = nil,
        audioHook: AudioHookEndpoint? = nil, logger: Logger = quiet
    ) async throws -> LiveService {
        let directory = try Fixture.temporaryDirectory()
        let configuration = try ServiceConfiguration.parse(values(directory))
        let storage = try ServiceStorage.open(configuration.store)
        let runtime = try VigilServiceRuntime(
            configuration: configuration, storage: storage, transport: transport, engine: engine,
            gaugeInterval: .milliseconds(100), logger: logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let group = runtime.makeServiceGroup(
            role: role, gracefulShutdownSignals: [], extraRoutes: extraRoutes,
            audioHook: audioHook
        ) { port in
            continuation.yield(port)
        }
        let running = Task { try await group.run() }
        guard let port = await first(of: ports, within: .seconds(20)) else {
            running.cancel()
            throw TestFailure("the service did not start listening within 20 s")
        }
        return LiveService(
            runtime: runtime, group: group, running: running,
            baseURL: URL(string: "http://127.0.0.1:\(port)")!, directory: directory)
    }

    static let quiet: Logger = {
        var logger = Logger(label: "test.vigil.service")
        logger.logLevel = .error
        return logger
    }()

    func url(_ path: String) -> String { baseURL.absoluteString + path }

    /// Graceful shutdown, as SIGTERM does; then closes storage and removes the directory.
    @discardableResult
    func stop(within limit: Duration = .seconds(20)) async -> Bool {
        let finished = await shutdown(within: limit)
        await runtime.storage.close()
        try? FileManager.default.removeItem(at: directory)
        return finished
    }

    /// Graceful shutdown, as SIGTERM does; returns whether the group finished within `limit`.
    func shutdown(within limit: Duration = .seconds(20)) async -> Bool {
        await group.triggerGracefulShutdown()
        let running = self.running
        let finished = await withTaskGroup(of: Bool.self) { tasks in
            tasks.addTask {
                _ = try? await running.value; return true
            }
            tasks.addTask {
                try? await Task.sleep(for: limit); return false
            }
            let first = await tasks.next()!
            tasks.cancelAll()
            return first
        }
        return finished
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The first element of `stream`, or nil after `limit`.
func first<T: Sendable>(of stream: AsyncStream<T>, within limit: Duration) async -> T? {
    await withTaskGroup(of: T?.self) { group in
        group.addTask {
            for await value in stream { return value }
            return nil
        }
        group.addTask {
            try? await Task.sleep(for: limit); return nil
        }
        let value = await group.next()!
        group.cancelAll()
        return value
    }
}

/// Polls `condition` every 20 ms until it holds or `limit` passes.
func eventually(within limit: Duration = .seconds(20), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// A port that was free a moment ago (bound on 0, then closed).
func freePort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .bind(host: "127.0.0.1", port: 0).get()
    let port = channel.localAddress!.port!
    try await channel.close()
    return port
}

/// One HTTP exchange with AsyncHTTPClient.
struct Exchange {
    let status: Int
    let headers: [(String, String)]
    let body: String

    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
}

func http(_ method: NIOHTTP1Method = .GET, _ url: String, headers: VigilCore.HTTPFields = [:], body: [UInt8]? = nil) async throws -> Exchange {
    var request = HTTPClientRequest(url: url)
    request.method = method
    for field in headers { request.headers.add(name: field.name, value: field.value) }
    if let body {
        request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
    }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    let bytes = try await response.body.collect(upTo: 16 << 20)
    return Exchange(
        status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
        body: String(buffer: bytes))
}

typealias NIOHTTP1Method = NIOHTTP1.HTTPMethod
