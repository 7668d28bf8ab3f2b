import Foundation
import Testing
import Vigil
import VigilCore
import VigilEventSub
import VigilIdempotency
import VigilModels
import VigilPlatformClient
import VigilRemediation
import VigilSQLite
import VigilTesting
import VigilVerdict

let webhookSecret = "whsec_" + Base64.encode((0..<32).map { UInt8($0 &* 7 &+ 3) })
let worktypeId = "5c3d1f2e-8a9b-4c7d-9e0f-1a2b3c4d5e6f"
let reviewQueueId = "7e6d5c4b-3a29-4817-a6b5-c4d3e2f1a0b9"

/// An engine for pipeline tests: decides from the recording id (no DSP), but fetches the media link
/// first — so expired links and a 404 media host exercise the pipeline's refresh — and fails the first
/// call for `flaky` recordings with a retryable 503 carrying `Retry-After`.
final class ScriptedEngine: ComplianceEngine, @unchecked Sendable {
    let violating: Set<GenesysID>
    let flaky: Set<GenesysID>
    let transport: (any HTTPTransport)?
    private let lock = NSLock()
    private var failed: Set<GenesysID> = []
    private var calls = 0

    init(violating: Set<GenesysID>, flaky: Set<GenesysID> = [], transport: (any HTTPTransport)?) {
        self.violating = violating
        self.flaky = flaky
        self.transport = transport
    }

    var callCount: Int { lock.withLock { calls } }

    func evaluate(_ request: ComplianceRequest) async throws -> EngineReply {
        let failNow: Bool = lock.withLock {
            calls += 1
            return flaky.contains(request.recordingId) && failed.insert(request.recordingId).inserted
        }
        if failNow {
            throw ComplianceEngineError(
                code: .unavailable, status: 503, correlationId: request.correlationId,
                retryAfter: .seconds(5), detail: "scripted overload")
        }
        if let transport {
            let (response, _) = try await transport.send(HTTPRequest(method: .get, url: request.media.uri.url), body: nil)
            if response.status == 403 || response.status == 404 {
                throw ComplianceEngineError(
                    code: .mediaLinkExpired, status: response.status,
                    correlationId: request.correlationId, detail: "media host refused the link")
            }
            guard response.isSuccess else {
                throw ComplianceEngineError(
                    code: .unavailable, status: response.status,
                    correlationId: request.correlationId, detail: "media host failed")
            }
        }
        if violating.contains(request.recordingId) {
            return .verdict(
                ComplianceVerdict(
                    recordingId: request.recordingId, verdict: .violationDetected,
                    violationType: .pciMidCapture, confidenceScore: 0.96,
                    timestampOffsetMs: 12_000, recommendedAction: .routeToComplianceQueue,
                    correlationId: request.correlationId))
        }
        return .verdict(
            ComplianceVerdict(
                recordingId: request.recordingId, verdict: .compliant, confidenceScore: 0.99,
                recommendedAction: RecommendedAction.none, correlationId: request.correlationId))
    }
}

/// Arms a crash every `every` leased jobs; the next work-item creation then succeeds on the platform
/// and its worker is cancelled before the executor can record it — the worst moment.
final class CrashSwitch: ComplianceObserver, @unchecked Sendable {
    let every: Int
    private let lock = NSLock()
    private var leased = 0
    private var armed = 0
    private(set) var fired = 0

    init(every: Int) { self.every = every }

    func record(_ event: PipelineEvent) {
        guard case .leased = event.kind else { return }
        lock.withLock {
            leased += 1
            if leased % every == 0 { armed += 1 }
        }
    }

    func take() -> Bool {
        lock.withLock {
            guard armed > 0 else { return false }
            armed -= 1
            fired += 1
            return true
        }
    }

    var firedCount: Int { lock.withLock { fired } }
}

/// The platform, with a worker cancelled right after a work item was created when the switch is armed.
struct CrashingActions: RemediationActions {
    let base: GenesysCloudClient
    let crash: CrashSwitch?

    func createAnnotation(conversationId: GenesysID, recordingId: GenesysID, annotation: Annotation) async throws -> Annotation {
        try await base.createAnnotation(conversationId: conversationId, recordingId: recordingId, annotation: annotation)
    }
    func findAnnotation(conversationId: GenesysID, recordingId: GenesysID, matching annotation: Annotation) async throws -> Annotation? {
        try await base.findAnnotation(conversationId: conversationId, recordingId: recordingId, matching: annotation)
    }
    func setExternalTag(conversationId: GenesysID, tag: String) async throws {
        try await base.setExternalTag(conversationId: conversationId, tag: tag)
    }
    func patchParticipantAttributes(
        conversationId: GenesysID, participantId: GenesysID,
        attributes: ParticipantAttributes
    ) async throws {
        try await base.patchParticipantAttributes(
            conversationId: conversationId, participantId: participantId,
            attributes: attributes)
    }
    func conversationParticipants(conversationId: GenesysID) async throws -> [Conversation.Participant] {
        try await base.conversationParticipants(conversationId: conversationId)
    }
    func patchParticipantAttributes(
        conversationId: GenesysID, participant: Conversation.Participant,
        attributes: ParticipantAttributes
    ) async throws {
        try await base.patchParticipantAttributes(conversationId: conversationId, participant: participant, attributes: attributes)
    }
    func findWorkitem(externalTag: String, typeId: String) async throws -> Workitem? {
        try await base.findWorkitem(externalTag: externalTag, typeId: typeId)
    }
    func createWorkitem(_ workitem: WorkitemCreate) async throws -> Workitem {
        let created = try await base.createWorkitem(workitem)
        if crash?.take() == true {
            withUnsafeCurrentTask { $0?.cancel() }
            throw CancellationError()
        }
        return created
    }
    func addDataTableRow(datatableId: String, row: DataTableRow) async throws -> DataTableRow {
        try await base.addDataTableRow(datatableId: datatableId, row: row)
    }
    func applyLegalHold(conversationIds: [GenesysID]) async throws {
        try await base.applyLegalHold(conversationIds: conversationIds)
    }
}

/// Collects, per recording, the verdicts and flags the pipeline reported.
final class Ledger: ComplianceObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var verdicts: [GenesysID: Int] = [:]
    private var flags: [GenesysID: Int] = [:]
    private var names: [String: Int] = [:]

    func record(_ event: PipelineEvent) {
        lock.withLock {
            names[event.name, default: 0] += 1
            guard let id = event.recordingId else { return }
            switch event.kind {
            case .verdict: verdicts[id, default: 0] += 1
            case .flagged: flags[id, default: 0] += 1
            default: break
            }
        }
    }

    var verdictCounts: [GenesysID: Int] { lock.withLock { verdicts } }
    var flagCounts: [GenesysID: Int] { lock.withLock { flags } }
    var eventCounts: [String: Int] { lock.withLock { names } }
}

/// Signed webhook bodies, as Genesys (seed webhook) and the Notification API would send them.
enum Events {
    static func recording(
        _ kind: String, conversationId: GenesysID, recordingId: GenesysID, deliveryId: String,
        correlationId: String
    ) -> [UInt8] {
        Array(
            #"""
            {"id":"\#(deliveryId)","event":"recording:\#(kind)","timestamp":"2026-05-01T10:05:20.000Z","correlationId":"\#(correlationId)",\#
            "data":{"recordingId":"\#(recordingId)","conversationId":"\#(conversationId)","direction":"INBOUND","channel":"VOICE"}}
            """#.utf8)
    }

    static func conversationEnded(conversationId: GenesysID) -> [UInt8] {
        Array(
            #"""
            {"topicName":"v2.detail.events.conversation.\#(conversationId).customer.end","version":"2",\#
            "eventBody":{"eventTime":1780000000000,"conversationId":"\#(conversationId)","mediaType":"VOICE","direction":"INBOUND"},\#
            "metadata":{"CorrelationId":"\#(conversationId)"}}
            """#.utf8)
    }
}

/// A pipeline on a `SimulatedGenesysCloud`, in-memory stores and a `TestClock`.
final class Harness: @unchecked Sendable {
    let clock = TestClock()
    let cloud: SimulatedGenesysCloud
    let client: GenesysCloudClient
    let store: any IdempotencyStore
    let queue: any JobQueue<RecordingJob>
    private let pendingJobs: @Sendable () async throws -> Int
    /// The SQLite database's directory, when the harness runs on SQLite (removed by ``cleanUp()``).
    let directory: URL?
    let sink = InMemoryDeadLetterSink()
    let statistics = PipelineStatistics()
    let ledger = Ledger()
    let signer = try! WebhookSigner(scheme: .standardWebhooks, secrets: [webhookSecret])
    let pipeline: CompliancePipeline
    let workers: Int
    let crash: CrashSwitch?

    init(
        faults: SimulatedGenesysCloud.Faults = .init(), engine: (GenesysCloudClient, SimulatedGenesysCloud) -> any ComplianceEngine,
        workers: Int = 4, crashEvery: Int? = nil, maxDeliveries: Int = 10, seed: UInt64 = 7, sqlite: Bool = false,
        failingDeadLetterWrites: Int = 0,
        remediationStore: (any IdempotencyStore) -> any IdempotencyStore = { $0 }
    ) {
        self.workers = workers
        let clock = self.clock
        cloud = SimulatedGenesysCloud(configuration: .init(seed: seed, faults: faults), clock: clock)
        client = GenesysCloudClient(
            region: cloud.region, credentials: cloud.credentials, transport: cloud,
            clock: clock, now: clock.wall)
        if sqlite {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-tests-\(UUID().uuidString)")
            try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let path = directory.appendingPathComponent("vigil.sqlite").path
            let queue = try! SQLiteJobQueue<RecordingJob>(path: path, name: "recordings", maxDeliveries: maxDeliveries, now: clock.wall)
            self.directory = directory
            store = try! SQLiteIdempotencyStore(path: path, now: clock.wall)
            self.queue = queue
            pendingJobs = { try await queue.pendingCount() }
        } else {
            let queue = InMemoryJobQueue<RecordingJob>(maxDeliveries: maxDeliveries, capacity: 1_000_000, now: clock.wall)
            directory = nil
            store = InMemoryIdempotencyStore(now: clock.wall)
            self.queue = queue
            pendingJobs = { await queue.pendingCount }
        }
        let crash = crashEvery.map { CrashSwitch(every: $0) }
        self.crash = crash
        let verifier = try! WebhookVerifier(scheme: .standardWebhooks, secrets: [webhookSecret], now: clock.wall)
        let receiver = WebhookReceiver(
            verifier: verifier, minimiser: EventMinimiser(include: [.recordingId, .direction, .channel]),
            tokenizer: KeyedEventTokenizer(key: Array(repeating: 9, count: 32))!,
            store: store, queue: queue, now: clock.wall)
        let breaker = CircuitBreaker(
            name: "engine", configuration: .init(recordFailure: ComplianceEngineError.countsAgainstEngine),
            clock: clock)
        let evaluator = ComplianceEvaluator(
            engine: CircuitBreakingComplianceEngine(base: engine(client, cloud), breaker: breaker),
            now: clock.wall)
        let executor = RemediationExecutor(
            actions: CrashingActions(base: client, crash: crash), store: remediationStore(store),
            deadLetters: sink, clock: clock, now: clock.wall)
        var observers: [any ComplianceObserver] = [statistics, ledger]
        if let crash { observers.append(crash) }
        pipeline = CompliancePipeline(
            receiver: receiver, client: client, evaluator: evaluator, remediation: executor,
            routing: RemediationRouting(flow: try! .defaultFlow(worktypeId: worktypeId, reviewQueueId: reviewQueueId)),
            store: store, deadLetters: FailingDeadLetterSink(failures: failingDeadLetterWrites, keepingIn: sink),
            observer: ComplianceObservers(observers),
            configuration: PipelineConfiguration(queueMaxDeliveries: maxDeliveries), clock: clock, now: clock.wall)
    }

    /// Waits until every worker is suspended on the clock — or, when some wait on each other (a token
    /// refresh in flight behind another worker's backoff), until nothing has happened for a while.
    ///
    /// It gives up once nothing has happened for 30 s of real time — what ``run(arrivals:)`` reports as
    /// a stall — so a run whose workers all wait on something other than the clock is reported instead
    /// of polled forever. (Not a bound on the whole wait: on a loaded machine the workers may take long
    /// to get a thread, and moving time on before they have would change what the test sees.)
    func quiesce() async {
        var last = statistics.eventCount, still = 0
        var lastChange = ContinuousClock.now
        while clock.sleeperCount < workers {
            try? await Task.sleep(for: .microseconds(100))
            let now = statistics.eventCount
            if now == last, clock.sleeperCount > 0 { still += 1 } else { still = 0 }
            if now != last { lastChange = .now }
            last = now
            if still >= 50 || ContinuousClock.now - lastChange > .seconds(30) { return }
        }
    }

    /// Jobs still in the queue (visible, delayed or leased); -1 when the queue cannot say.
    func pendingCount() async -> Int { (try? await pendingJobs()) ?? -1 }

    /// The queue's dead letters.
    func queueDeadLetters() async -> [DeadLetter<RecordingJob>] { (try? await queue.deadLetters()) ?? [] }

    /// Removes the SQLite directory, if any.
    func cleanUp() {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    func deliver(_ body: [UInt8], id: String) async -> WebhookResponse {
        await pipeline.receive(body: body, headers: signer.sign(body: body, id: id, now: clock.wallNow))
    }

    /// Runs the workers and moves simulated time whenever every worker waits on the clock, delivering
    /// `arrivals` (due time → deliveries) as their time comes, until the queue is empty.
    func run(arrivals: [(at: Duration, deliver: @Sendable () async -> Void)] = []) async {
        let pipeline = self.pipeline
        let workers = self.workers
        let running = Task { await pipeline.run(workers: workers) }
        var pending = arrivals.sorted { $0.at < $1.at }[...]
        // A run that makes no progress for 30 s of real time is reported, not waited on forever: a
        // stall (seen twice under a loaded machine, never reproduced alone) fails the test with the
        // state that explains it instead of hanging CI.
        var lastEvents = statistics.eventCount, lastProgress = ContinuousClock.now
        while true {
            while let next = pending.first, next.at <= clock.now.offset {
                pending.removeFirst()
                await next.deliver()
            }
            if pending.isEmpty, statistics.inFlight == 0, await pendingCount() == 0 { break }
            if statistics.eventCount != lastEvents {
                lastEvents = statistics.eventCount
                lastProgress = .now
            } else if ContinuousClock.now - lastProgress > .seconds(30) {
                Issue.record("the pipeline stalled: no event for 30 s; \(await state())")
                break
            }
            await quiesce()
            if let next = pending.first, let deadline = clock.nextDeadline, next.at < deadline.offset {
                clock.advance(to: TestClock.Instant(offset: next.at))
            } else if !clock.advanceToNextDeadline(), let next = pending.first {
                clock.advance(to: TestClock.Instant(offset: next.at))
            }
        }
        running.cancel()
        // Every worker ends soon after the cancellation; one that does not is reported with the
        // state, and the test goes on without it rather than hanging CI.
        let stopped = Locked(false)
        let watcher = Task {
            await running.value
            stopped.withLock { $0 = true }
        }
        let cancelledAt = ContinuousClock.now
        while !stopped.withLock({ $0 }) {
            if ContinuousClock.now - cancelledAt > .seconds(30) {
                Issue.record("the workers did not stop within 30 s of their cancellation; \(await state())")
                return
            }
            try? await Task.sleep(for: .milliseconds(1))
        }
        await watcher.value
    }

    /// What a stall report says: the jobs in flight and queued, the workers asleep on the clock, and
    /// where simulated time stands.
    private func state() async -> String {
        let queued = await pendingCount()
        return """
            in flight \(statistics.inFlight), queued \(queued), sleepers \(clock.sleeperCount) of \(workers) workers, \
            simulated time \(clock.now.offset), next deadline \(clock.nextDeadline.map { "\($0.offset)" } ?? "none")
            """
    }
}

/// How many dead-letter writes are still to fail.

/// An idempotency store whose first claim of a key containing `marker` is granted and then lost, as
/// when the worker holding it is killed (kill -9) right after claiming: the claim stays held until its
/// lease ends and the caller sees a failure.
final class ClaimThenCrashStore: IdempotencyStore, @unchecked Sendable {
    let base: any IdempotencyStore
    let marker: String
    private let lock = NSLock()
    private var crashed = false

    init(base: any IdempotencyStore, marker: String) {
        self.base = base
        self.marker = marker
    }

    func claim(_ key: String, fingerprint: String, lease: Duration) async throws -> ClaimResult {
        let result = try await base.claim(key, fingerprint: fingerprint, lease: lease)
        let crashNow =
            key.contains(marker)
            && lock.withLock { () -> Bool in
                defer { crashed = true }
                return !crashed
            }
        if crashNow, case .acquired = result { throw URLError(.networkConnectionLost) }
        return result
    }

    func complete(_ key: String, token: LeaseToken, outcome: StoredOutcome, retain: Duration) async throws {
        try await base.complete(key, token: token, outcome: outcome, retain: retain)
    }

    func release(_ key: String, token: LeaseToken) async throws {
        try await base.release(key, token: token)
    }
}
