import CoreMetrics
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import Prometheus
import ServiceLifecycle
import UnixSignals
import Vigil
import VigilAnalysis
import VigilAudioHook
import VigilCore
import VigilCrypto
import VigilEventSub
import VigilEvidence
import VigilIdempotency
import VigilModels
import VigilPlatformClient
import VigilRemediation
import VigilVerdict

/// A whole Vigil service, assembled from a ``ServiceConfiguration``: storage, the Genesys Cloud
/// client, the engine behind its circuit breaker, the pipeline, the callback receiver, metrics and
/// logging — the same assembly `vigil demo` uses, on real time and real sockets.
///
/// ```swift
/// let runtime = try VigilServiceRuntime(configuration: configuration, storage: try .sqlite(path: "vigil.sqlite"),
///                                       transport: AsyncHTTPClientTransport())
/// try await runtime.run(role: .all)        // until SIGTERM / SIGINT: HTTP drains, workers hand their jobs back
/// ```
///
/// A host with its own Hummingbird app mounts ``routes(role:)`` and adds ``services(role:)`` to its
/// `ServiceGroup` instead.
public final class VigilServiceRuntime: Sendable {
    /// The configuration.
    public let configuration: ServiceConfiguration
    /// Shared state.
    public let storage: ServiceStorage
    /// The pipeline.
    public let pipeline: CompliancePipeline
    /// The callback receiver (when callback secrets are configured).
    public let callbacks: VerdictCallbackReceiver?
    /// The engine's breaker.
    public let breaker: CircuitBreaker<ContinuousClock>
    /// In-process counters and time-to-flag percentiles.
    public let statistics: PipelineStatistics
    /// The Prometheus registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    /// The metrics factory over ``registry``.
    public let metricsFactory: PrometheusMetricsFactory
    /// The service logger.
    public let logger: Logger
    /// How often the queue-depth and breaker gauges are refreshed. Default 5 s.
    public let gaugeInterval: Duration
    /// The AudioHook Monitor endpoint, when ``ServiceConfiguration/audioHook`` is configured: nonces
    /// and live reports in ``ServiceStorage/idempotency`` (shared by every instance), work items through
    /// the same Genesys Cloud client and with the remediation flow's work-item settings.
    public let audioHook: AudioHookEndpoint?
    /// The evidence vault and its links (``ServiceConfiguration/evidence``): the reference engine seals
    /// each violation's masked clip into it, and `GET /evidence/{id}` serves it for a signed link.
    public let evidence: EvidenceAccess?

    /// Assembles the service.
    ///
    /// - Parameters:
    ///   - configuration: validated configuration.
    ///   - storage: the shared stores (``ServiceStorage/sqlite(path:maxDeliveries:now:)``, PostgreSQL, or the host's).
    ///   - transport: every platform, media and engine call (``AsyncHTTPClientTransport``, or the simulator).
    ///   - engine: replaces the configured engine (tests, hosts with their own); still behind the breaker,
    ///     and treated as one that may answer later by callback (its requests are registered as pending).
    ///   - registry: where metrics go (a fresh registry by default).
    ///   - observers: extra pipeline observers.
    ///   - gaugeInterval: refresh period of the periodic gauges.
    ///   - logger: the service logger.
    /// - Throws: ``ServiceConfigurationError`` when a referenced file (flow, policy, analysis policy) is invalid.
    public init(
        configuration: ServiceConfiguration, storage: ServiceStorage, transport: any HTTPTransport,
        engine: (any ComplianceEngine)? = nil, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        observers: [any ComplianceObserver] = [], gaugeInterval: Duration = .seconds(5),
        logger: Logger = Logger(label: "vigil.service")
    ) throws(ServiceConfigurationError) {
        self.configuration = configuration
        self.storage = storage
        self.registry = registry
        self.logger = logger
        self.gaugeInterval = gaugeInterval
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["vigil_time_to_flag_seconds"] =
            [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1_800, 3_600].map { Duration.seconds($0) }
        metricsFactory = factory

        // Files named by the configuration.
        let flow: RemediationFlow
        switch configuration.flow {
        case let .file(path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ServiceConfigurationError(key: ServiceConfiguration.Key.flow, reason: "cannot be read")
            }
            do { flow = try RemediationFlow(json: data) } catch {
                throw ServiceConfigurationError(key: ServiceConfiguration.Key.flow, reason: "is not a valid remediation flow: \(error)")
            }
        case let .defaultFlow(worktypeId, reviewQueueId):
            do { flow = try .defaultFlow(worktypeId: worktypeId, reviewQueueId: reviewQueueId) } catch {
                throw ServiceConfigurationError(key: ServiceConfiguration.Key.worktypeID, reason: "the default flow refuses the ids: \(error)")
            }
        }
        var policy = VerdictPolicy.default
        if let path = configuration.policyPath {
            do { policy = try VerdictPolicy(contentsOf: URL(fileURLWithPath: path)) } catch {
                throw ServiceConfigurationError(key: ServiceConfiguration.Key.policy, reason: "is not a valid verdict policy: \(error)")
            }
        }
        var analysis = AnalysisPolicy()
        if let path = configuration.analysisPolicyPath {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ServiceConfigurationError(key: ServiceConfiguration.Key.analysisPolicy, reason: "cannot be read")
            }
            do { analysis = try AnalysisPolicy.decode(from: [UInt8](data)) } catch {
                throw ServiceConfigurationError(key: ServiceConfiguration.Key.analysisPolicy, reason: "is not a valid analysis policy: \(error)")
            }
        }
        let verifier: WebhookVerifier
        do { verifier = try WebhookVerifier(scheme: .standardWebhooks, secrets: configuration.webhookSecrets) } catch {
            throw ServiceConfigurationError(key: ServiceConfiguration.Key.webhookSecrets, reason: "refused: \(error.errorCode)")
        }
        guard let tokenizer = KeyedEventTokenizer(key: configuration.tokenKey) else {
            throw ServiceConfigurationError(key: ServiceConfiguration.Key.tokenKey, reason: "is too short")
        }

        // The pipeline, as README's "Using it" assembles it.
        let breaker = CircuitBreaker(
            name: "engine", configuration: .init(recordFailure: ComplianceEngineError.countsAgainstEngine),
            clock: ContinuousClock())
        self.breaker = breaker
        let evidence = try configuration.evidence.map(Self.makeEvidence)
        self.evidence = evidence
        let base: any ComplianceEngine
        var asynchronous = false
        if let engine {
            base = engine
            asynchronous = true
        } else {
            switch configuration.engine {
            case .reference:
                base = ReferenceComplianceEngine(
                    transport: transport, options: .init(policy: analysis),
                    evidence: evidence.map { SealedEvidenceSink(vault: $0.vault, links: $0.links, lifetime: $0.linkLifetime) })
            case let .http(endpoint, secret):
                base = HTTPComplianceEngine(configuration: .init(endpoint: endpoint, secret: secret), transport: transport)
                asynchronous = true
            }
        }
        let client = GenesysCloudClient(region: configuration.region, credentials: configuration.credentials, transport: transport)
        let receiver = WebhookReceiver(
            verifier: verifier, minimiser: EventMinimiser(include: [.recordingId, .direction, .channel]), tokenizer: tokenizer,
            store: storage.idempotency, queue: storage.queue,
            configuration: .init(limits: EventDecodingLimits(maxBodyBytes: configuration.maxBodyBytes)))
        let statistics = PipelineStatistics()
        self.statistics = statistics
        let observer = ComplianceObservers(
            [
                statistics, MetricsComplianceObserver(factory: factory),
                LoggingComplianceObserver(logger: logger.component("pipeline", level: configuration.logLevel))
            ]
                + observers)
        let evaluator = ComplianceEvaluator(
            engine: CircuitBreakingComplianceEngine(base: base, breaker: breaker),
            validator: VerdictValidator(signedEvidenceLinkBases: evidence.map { [$0.links.base.absoluteString] } ?? []),
            policy: policy,
            pending: asynchronous ? storage.pendingVerdicts : nil)
        let pipeline = CompliancePipeline(
            receiver: receiver, client: client, evaluator: evaluator,
            // A step's claim must not outlive the job's lease: after a crash, the redelivered job would
            // otherwise find the step "in progress elsewhere" delivery after delivery until the queue
            // dead-letters it.
            remediation: RemediationExecutor(
                actions: client, store: storage.idempotency, deadLetters: storage.deadLetters,
                clock: ContinuousClock(),
                configuration: .init(lease: min(.seconds(300), configuration.jobLease))),
            routing: RemediationRouting(flow: flow), store: storage.idempotency, deadLetters: storage.deadLetters,
            observer: observer,
            configuration: PipelineConfiguration(lease: configuration.jobLease, queueMaxDeliveries: storage.maxDeliveries))
        self.pipeline = pipeline
        audioHook = try Self.makeAudioHook(
            configuration, flow: flow, policy: analysis, client: client, storage: storage,
            factory: factory, logger: logger.component("audiohook", level: configuration.logLevel))
        if configuration.callbackSecrets.isEmpty {
            callbacks = nil
        } else {
            let callbackLogger = logger.component("callbacks", level: configuration.logLevel)
            callbacks = VerdictCallbackReceiver(
                configuration: .init(secrets: configuration.callbackSecrets), registry: storage.pendingVerdicts,
                policy: policy, deliveryIDs: storage.deliveryIDs,
                onIncident: { incident in
                    var metadata: Logger.Metadata = ["code": "\(incident.error.errorCode)"]
                    if let id = incident.recordingId { metadata["recording_id"] = "\(id)" }
                    if let id = incident.correlationId { metadata["correlation_id"] = "\(id)" }
                    callbackLogger.warning("verdict callback rejected", metadata: metadata)
                },
                onVerdict: { callback in
                    try await pipeline.remediate(callback.verdict, for: callback.request, decision: callback.decision)
                })
        }
    }

    /// The vault on the configured directory: AES-256-GCM from swift-crypto, the configured keys.
    private static func makeEvidence(_ settings: ServiceConfiguration.EvidenceSettings) throws(ServiceConfigurationError) -> EvidenceAccess {
        typealias Key = ServiceConfiguration.Key
        let sealer = SwiftCryptoSealer.aesGCM
        let store: FileSystemEvidenceStore
        do { store = try FileSystemEvidenceStore(directory: URL(fileURLWithPath: settings.directory)) } catch {
            throw ServiceConfigurationError(key: Key.evidenceDirectory, reason: "cannot be used: \(error.errorCode)")
        }
        let keys: SealingKeyProvider
        do { keys = try SealingKeyProvider(keys: settings.keys, current: settings.currentKeyId, sealer: sealer) } catch {
            throw ServiceConfigurationError(key: Key.evidenceKeys, reason: "refused: \(error.errorCode)")
        }
        let links: EvidenceLinks
        do { links = try EvidenceLinks(base: settings.baseURL, secret: settings.linkSecret) } catch {
            throw ServiceConfigurationError(key: Key.evidenceLinkSecret, reason: "refused: \(error.errorCode)")
        }
        return EvidenceAccess(
            vault: EvidenceVault(store: store, sealer: sealer, keys: keys), links: links,
            linkLifetime: settings.linkLifetime)
    }

    private static func makeAudioHook(
        _ configuration: ServiceConfiguration, flow: RemediationFlow, policy: AnalysisPolicy,
        client: GenesysCloudClient, storage: ServiceStorage, factory: PrometheusMetricsFactory,
        logger: Logger
    )
        throws(ServiceConfigurationError) -> AudioHookEndpoint?
    {
        guard let settings = configuration.audioHook else { return nil }
        typealias Key = ServiceConfiguration.Key
        guard let workitem = flow.workitemSettings else {
            throw ServiceConfigurationError(
                key: Key.audioHookClients,
                reason: "needs a remediation flow with a Task Management create_work_item block (live work items use its worktype and queue)")
        }
        let verifier: AudioHookSignatureVerifier
        do { verifier = try AudioHookSignatureVerifier(clientSecrets: settings.clients, store: storage.idempotency) } catch {
            throw ServiceConfigurationError(key: Key.audioHookClients, reason: "refused: \(error.code)")
        }
        let reporter = LiveViolationReporter(actions: client, store: storage.idempotency, workitem: workitem)
        return AudioHookEndpoint(
            configuration: .init(maximumSessions: settings.maximumSessions, idleTimeout: settings.idleTimeout, policy: policy),
            verifier: verifier, reporter: reporter, logger: logger,
            onFlag: { flag in
                let outcome =
                    switch flag.outcome {
                    case .created?: "created"
                    case .alreadyReported?: "already_reported"
                    case .inProgress?: "in_progress"
                    case .belowThreshold?: "below_threshold"
                    case nil: "failed"
                    }
                Counter(
                    label: "vigil_live_violations_total",
                    dimensions: [("type", flag.finding.type.rawValue), ("outcome", outcome)], factory: factory
                ).increment()
            })
    }

    /// The routes for `role` (ingest routes only when the role serves ingest).
    public func routes(role: ServiceRole) -> VigilRoutes {
        VigilRoutes(
            pipeline: role.servesIngest ? pipeline : nil, callbacks: role.servesIngest ? callbacks : nil,
            readiness: readiness(role: role), metrics: registry, maxBodyBytes: configuration.maxBodyBytes,
            evidence: evidence, logger: logger.component("http", level: configuration.logLevel))
    }

    /// `/readyz`: storage probes; a worker is also not ready while the engine breaker is open.
    public func readiness(role: ServiceRole) -> Readiness {
        let breaker = self.breaker
        var state: (@Sendable () async -> CircuitBreakerState)?
        if role.runsWorkers {
            state = { await breaker.state }
        }
        return Readiness(probes: storage.probes, breakerState: state, breakerGatesReadiness: role == .worker)
    }

    /// The background services for `role`: storage clients, the pipeline workers (cancelled on
    /// graceful shutdown, so each in-flight job finishes or gives its lease back) and the gauges.
    public func services(role: ServiceRole) -> [any Service] {
        var services = storage.services
        if role.runsWorkers {
            services.append(PipelineWorkersService(pipeline: pipeline, workers: configuration.workers, logger: logger))
        }
        services.append(GaugeService(runtime: self))
        return services
    }

    /// A Hummingbird application serving ``routes(role:)`` on the configured address.
    ///
    /// With `audioHook` (by default ``audioHook``, when the role serves ingest), the server also accepts
    /// WebSocket upgrades on its path (AudioHook Monitor).
    public func makeApplication(
        role: ServiceRole, extraRoutes: (@Sendable (Router<BasicRequestContext>) -> Void)? = nil,
        audioHook: AudioHookEndpoint? = nil,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        router.addVigilRoutes(routes(role: role))
        extraRoutes?(router)
        let httpLogger = logger.component("http", level: configuration.logLevel >= .notice ? configuration.logLevel : .notice)
        let server: HTTPServerBuilder
        if let audioHook = audioHook ?? (role.servesIngest ? self.audioHook : nil) {
            let webSocketRouter = Router(context: BasicWebSocketRequestContext.self)
            audioHook.addRoutes(to: webSocketRouter)
            server = .http1WebSocketUpgrade(webSocketRouter: webSocketRouter)
        } else {
            server = .http1()
        }
        return Application(
            router: router, server: server,
            configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: nil),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: httpLogger)
    }

    /// The `ServiceGroup` for `role`: storage clients and pipeline workers first, the HTTP server
    /// last — so on graceful shutdown (services stop in reverse order) the server stops accepting
    /// and drains first, then the gauges stop, then the workers are cancelled and hand their
    /// in-flight jobs back, then storage clients stop.
    public func makeServiceGroup(
        role: ServiceRole, gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint],
        extraRoutes: (@Sendable (Router<BasicRequestContext>) -> Void)? = nil,
        audioHook: AudioHookEndpoint? = nil,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> ServiceGroup {
        let app = makeApplication(role: role, extraRoutes: extraRoutes, audioHook: audioHook, onServerRunning: onServerRunning)
        return ServiceGroup(
            configuration: .init(
                services: services(role: role) + [app],
                gracefulShutdownSignals: gracefulShutdownSignals, logger: logger))
    }

    /// Runs ``makeServiceGroup(role:gracefulShutdownSignals:extraRoutes:onServerRunning:)`` until
    /// SIGTERM or SIGINT, then closes storage.
    public func run(
        role: ServiceRole, gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint],
        extraRoutes: (@Sendable (Router<BasicRequestContext>) -> Void)? = nil,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        let group = makeServiceGroup(
            role: role, gracefulShutdownSignals: gracefulShutdownSignals, extraRoutes: extraRoutes,
            onServerRunning: onServerRunning)
        do {
            try await group.run()
        } catch {
            await storage.close()
            throw error
        }
        await storage.close()
    }
}

/// Runs the pipeline's workers until graceful shutdown, then cancels them: `CompliancePipeline.run`
/// returns once every in-flight job has finished or released its lease.
public struct PipelineWorkersService: Service {
    let pipeline: CompliancePipeline
    let workers: Int
    let logger: Logger

    /// Creates the service.
    public init(pipeline: CompliancePipeline, workers: Int, logger: Logger) {
        self.pipeline = pipeline
        self.workers = workers
        self.logger = logger
    }

    public func run() async throws {
        logger.info("pipeline workers starting", metadata: ["workers": "\(workers)"])
        let pipeline = self.pipeline, workers = self.workers
        await cancelWhenGracefulShutdown {
            await pipeline.run(workers: workers)
        }
        logger.info("pipeline workers stopped; in-flight jobs finished or released")
    }
}

/// Refreshes `vigil_queue_depth`, `vigil_engine_breaker_state{state}` and, with AudioHook,
/// `vigil_audiohook_sessions` periodically.
struct GaugeService: Service {
    let runtime: VigilServiceRuntime

    func run() async throws {
        let runtime = self.runtime
        let depth = Gauge(label: "vigil_queue_depth", factory: runtime.metricsFactory)
        let deadLetters = Gauge(label: "vigil_queue_dead_letters", factory: runtime.metricsFactory)
        let depthErrors = Counter(label: "vigil_queue_depth_errors_total", factory: runtime.metricsFactory)
        let liveSessions = runtime.audioHook.map { _ in Gauge(label: "vigil_audiohook_sessions", factory: runtime.metricsFactory) }
        let states = CircuitBreakerState.allCases.map {
            ($0, Gauge(label: "vigil_engine_breaker_state", dimensions: [("state", $0.rawValue)], factory: runtime.metricsFactory))
        }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { depth.record(try await runtime.storage.queueDepth()) } catch { depthErrors.increment() }
                if let count = try? await runtime.storage.queueDeadLetters() { deadLetters.record(count) }
                let state = await runtime.breaker.state
                for (candidate, gauge) in states { gauge.record(candidate == state ? 1 : 0) }
                if let liveSessions, let endpoint = runtime.audioHook { liveSessions.record(endpoint.openSessions) }
                do { try await Task.sleep(for: runtime.gaugeInterval) } catch { return }
            }
        }
    }
}

extension Logger {
    init(label: String, level: Logger.Level) {
        self.init(label: label)
        logLevel = level
    }

    /// A component's logger: this one (so the host's one `LogHandler` sees every line of the
    /// service) with `component` metadata and its own level.
    func component(_ name: String, level: Logger.Level) -> Logger {
        var derived = self
        derived[metadataKey: "component"] = "\(name)"
        derived.logLevel = level
        return derived
    }
}
