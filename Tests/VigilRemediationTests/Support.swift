import Foundation
import Testing
import VigilCore
import VigilIdempotency
import VigilModels
import VigilTesting

@testable import VigilRemediation

/// Loads a pinned fixture from `Fixtures/` (see `Fixtures/README.md`).
func fixture(_ name: String) throws -> Data {
    let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
    return try Data(contentsOf: url)
}

func seedFlow(options: RemediationFlow.LoadOptions = .init()) throws -> RemediationFlow {
    try RemediationFlow(json: fixture("seed_flow"), options: options)
}

let recordingId = GenesysID("a1b2c3d4-e5f6-7890-abcd-ef1234567890")!
let conversationId = GenesysID("2f7bf00a-0fc2-4d6a-9b56-92238191433e")!
let customerId = GenesysID("9fb2ca78-0000-4000-8000-000000000001")!
let agentId = GenesysID("9fb2ca78-0000-4000-8000-000000000002")!
let worktypeId = "wt-compliance"
let queueId = "q-compliance-review"

func makeVerdict(
    recording: GenesysID = recordingId, verdict: Verdict = .violationDetected,
    type: ViolationType? = .pciMidCapture, confidence: Double = 0.94, offset: Int64? = 124_500,
    action: RecommendedAction? = .routeToComplianceQueue
) -> ComplianceVerdict {
    ComplianceVerdict(
        recordingId: recording, verdict: verdict, violationType: type, confidenceScore: confidence,
        timestampOffsetMs: offset, evidenceSnippet: "masked_audio_segment_uri",
        recommendedAction: action, correlationId: CorrelationID("evt-sub-req-8847291")!)
}

func makeContext(recording: GenesysID = recordingId, duration: Int64? = 312_000) -> RemediationContext {
    RemediationContext(
        conversationId: conversationId, recordingId: recording, participantIds: [customerId, agentId],
        recordingDurationMs: duration)
}

func defaultFlow() throws -> RemediationFlow {
    try RemediationFlow.defaultFlow(worktypeId: worktypeId, reviewQueueId: queueId)
}

/// A platform error shaped like the client's: an HTTP status, retryable for 429/5xx.
struct FakeAPIError: VigilError, Hashable {
    let status: Int
    var errorCode: String { "platform.status\(status)" }
    var isRetryable: Bool { status == 429 || status >= 500 }
    var description: String { "\(errorCode) — Genesys answered \(status) (correlation ctx-1)" }
}

/// A foreign error whose description quotes a card number: it must never reach a dead letter.
struct LeakyError: Error, CustomStringConvertible {
    var description: String { "request body was {\"card\":\"4111111111111111\"}" }
}

/// An in-test fake of the `RemediationActions` port: records every call, stores what a platform would,
/// and throws queued faults. Every operation yields first, so concurrent runs interleave.
actor FakePlatform: RemediationActions {
    enum Operation: Hashable { case findAnnotation, annotation, externalTag, attributes, findWorkitem, createWorkitem, row, legalHold }

    struct AnnotationCall: Sendable { let conversationId: GenesysID; let recordingId: GenesysID; let annotation: Annotation }
    struct AttributesCall: Sendable { let conversationId: GenesysID; let participantId: GenesysID; let attributes: ParticipantAttributes }

    private(set) var annotations: [AnnotationCall] = []
    private(set) var externalTags: [(GenesysID, String)] = []
    private(set) var attributePatches: [AttributesCall] = []
    private(set) var workitemCreates: [WorkitemCreate] = []
    private(set) var workitems: [Workitem] = []
    private(set) var rows: [String: [String: DataTableRow]] = [:]
    private(set) var legalHolds: [[GenesysID]] = []
    private(set) var calls: [Operation: Int] = [:]
    private var faults: [Operation: [any Error]] = [:]
    private var afterCreateWorkitem: (@Sendable () async -> Void)?
    private var afterCreateAnnotation: (@Sendable () async -> Void)?
    /// Whether `findAnnotation` looks (the client's GET …/annotations) or uses the port's default `nil`.
    var annotationLookup = true

    /// The next `errors.count` calls of `operation` throw these errors, in order.
    func fail(_ operation: Operation, with errors: [any Error]) { faults[operation, default: []] += errors }
    /// Every call of `operation` throws `error`.
    func failAlways(_ operation: Operation, with error: any Error) {
        faults[operation] = Array(repeating: error, count: 1_000)
    }
    func clearFaults() { faults = [:] }
    func onWorkitemCreated(_ hook: @escaping @Sendable () async -> Void) { afterCreateWorkitem = hook }
    func onAnnotationCreated(_ hook: @escaping @Sendable () async -> Void) { afterCreateAnnotation = hook }
    func setAnnotationLookup(_ enabled: Bool) { annotationLookup = enabled }

    private func enter(_ operation: Operation) async throws {
        calls[operation, default: 0] += 1
        await Task.yield()
        if var queued = faults[operation], !queued.isEmpty {
            let error = queued.removeFirst()
            faults[operation] = queued
            throw error
        }
    }

    func createAnnotation(conversationId: GenesysID, recordingId: GenesysID, annotation: Annotation) async throws -> Annotation {
        try await enter(.annotation)
        var created = annotation
        created.id = "ann-\(annotations.count + 1)"
        annotations.append(AnnotationCall(conversationId: conversationId, recordingId: recordingId, annotation: created))
        if let afterCreateAnnotation { await afterCreateAnnotation() }
        return created
    }

    func findAnnotation(
        conversationId: GenesysID, recordingId: GenesysID,
        matching annotation: Annotation
    ) async throws -> Annotation? {
        guard annotationLookup else { return nil }
        try await enter(.findAnnotation)
        return annotations.first {
            $0.conversationId == conversationId && $0.recordingId == recordingId && $0.annotation.name == annotation.name
                && $0.annotation.type == annotation.type && $0.annotation.location == annotation.location
        }?.annotation
    }

    func setExternalTag(conversationId: GenesysID, tag: String) async throws {
        try await enter(.externalTag)
        externalTags.append((conversationId, tag))
    }

    func patchParticipantAttributes(
        conversationId: GenesysID, participantId: GenesysID,
        attributes: ParticipantAttributes
    ) async throws {
        try await enter(.attributes)
        attributePatches.append(
            AttributesCall(
                conversationId: conversationId, participantId: participantId,
                attributes: attributes))
    }

    func findWorkitem(externalTag: String, typeId: String) async throws -> Workitem? {
        try await enter(.findWorkitem)
        return workitems.first { $0.externalTag == externalTag && $0.typeId == typeId }
    }

    func createWorkitem(_ workitem: WorkitemCreate) async throws -> Workitem {
        try await enter(.createWorkitem)
        try workitem.validate()
        workitemCreates.append(workitem)
        let created = Workitem(
            id: "wi-\(workitems.count + 1)", name: workitem.name,
            type: EntityReference(id: workitem.typeId), priority: workitem.priority,
            queue: workitem.queueId.map { EntityReference(id: $0) }, externalTag: workitem.externalTag)
        workitems.append(created)
        if let afterCreateWorkitem { await afterCreateWorkitem() }
        return created
    }

    func addDataTableRow(datatableId: String, row: DataTableRow) async throws -> DataTableRow {
        try await enter(.row)
        if rows[datatableId]?[row.key] != nil {
            throw RemediationActionError(code: .alreadyExists, detail: "row key exists")
        }
        rows[datatableId, default: [:]][row.key] = row
        return row
    }

    func applyLegalHold(conversationIds: [GenesysID]) async throws {
        try await enter(.legalHold)
        legalHolds.append(conversationIds)
    }

    func count(_ operation: Operation) -> Int { calls[operation] ?? 0 }
}

/// An idempotency store whose owner process can "crash": from then on its writes (complete, release)
/// never land, as if the process died right there. `revive()` models the next process.
actor CrashableStore: IdempotencyStore {
    let inner: InMemoryIdempotencyStore
    private var crashed = false

    init(inner: InMemoryIdempotencyStore) { self.inner = inner }

    func crash() { crashed = true }
    func revive() { crashed = false }

    func claim(_ key: String, fingerprint: String, lease: Duration) async throws -> ClaimResult {
        try await inner.claim(key, fingerprint: fingerprint, lease: lease)
    }

    func complete(_ key: String, token: LeaseToken, outcome: StoredOutcome, retain: Duration) async throws {
        if crashed { throw IdempotencyError(code: .storageFailure, detail: "process died") }
        try await inner.complete(key, token: token, outcome: outcome, retain: retain)
    }

    func release(_ key: String, token: LeaseToken) async throws {
        if crashed { throw IdempotencyError(code: .storageFailure, detail: "process died") }
        try await inner.release(key, token: token)
    }
}

/// Everything one executor test needs.
struct Harness {
    let clock = TestClock()
    let platform = FakePlatform()
    let store: InMemoryIdempotencyStore
    let sink = InMemoryDeadLetterSink()

    init() {
        store = InMemoryIdempotencyStore(now: clock.wall)
    }

    func executor(store: (any IdempotencyStore)? = nil, sink: (any DeadLetterSink)? = nil) -> RemediationExecutor<TestClock> {
        RemediationExecutor(
            actions: platform, store: store ?? self.store, deadLetters: sink ?? self.sink,
            clock: clock, now: clock.wall)
    }

    /// Runs the flow while advancing the test clock through every backoff wait (never sleeping).
    func run(
        _ executor: RemediationExecutor<TestClock>, _ flow: RemediationFlow,
        verdict: ComplianceVerdict = makeVerdict(), context: RemediationContext = makeContext()
    )
        async throws -> RemediationReport
    {
        let task = Task { try await executor.run(flow, verdict: verdict, context: context) }
        let driver = Task { [clock] in
            while !Task.isCancelled {
                await clock.runUntilIdle()
                await Task.yield()
            }
        }
        defer { driver.cancel() }
        return try await task.value
    }
}
