import Foundation
import VigilCore
import VigilModels
import VigilPlatformClient

/// An in-process Genesys Cloud organization: an ``HTTPTransport`` that answers the Platform API, the
/// login host and a pre-signed media host with the real paths, shapes and status codes, and injects the
/// platform's traps on demand.
///
/// Hand it to a `GenesysCloudClient` as its transport (``region`` and ``credentials`` match it):
///
/// ```swift
/// let clock = TestClock()
/// let cloud = SimulatedGenesysCloud(configuration: .init(faults: .init(transcodingPolls: 2)), clock: clock)
/// let ids = await cloud.addRecording(media: .synthetic(size: 1 << 20))
/// let client = GenesysCloudClient(region: cloud.region, credentials: cloud.credentials,
///                                 transport: cloud, clock: clock, now: clock.wall)
/// ```
///
/// It holds state — recordings (with media bytes or a generator), annotations, external tags,
/// participant attributes, recording state, work items, data-table rows, transcripts, batch jobs — so a
/// test asserts outcomes, and records every request (``requests``: method, host, path, status; never
/// header values or bodies). It refuses what a real organization refuses, with a real `ErrorBody`: a
/// missing or expired bearer token (401), a wrong `Content-Type` (415), a malformed body (400), a work
/// item name under 3 characters or an annotation description over 500 (400 `invalid.value`).
///
/// Traps (see ``Faults``) are injected deterministically from ``Configuration/seed``: transcoding delay
/// (202 for N polls), media 404s and truncated bodies before the media is ready, 429 bursts with
/// `Retry-After`, 5xx bursts, connection failures, latency on the injected clock, token expiry mid-run,
/// and expired media URLs. Scripted one-off failures come from ``failNext(_:status:retryAfterSeconds:host:pathContains:)``.
public actor SimulatedGenesysCloud: HTTPTransport {
    /// Which of the simulated hosts a request went to.
    public enum Host: String, Sendable, Hashable {
        /// `api.<domain>`: the Platform API.
        case api
        /// `login.<domain>`: OAuth.
        case login
        /// The pre-signed media / transcript host.
        case media
        /// Anything else (answered with a connection failure).
        case unknown
    }

    /// A burst of failures: each request starts a burst with `probability` (drawn from the seed); a burst
    /// fails `length` consecutive requests.
    public struct Burst: Sendable, Hashable {
        /// Chance that a request starts a burst, 0…1.
        public var probability: Double
        /// How many consecutive requests a burst fails.
        public var length: Int
        /// Statuses to answer with (one is drawn per failure).
        public var statuses: [Int]
        /// `Retry-After` seconds to send, if any.
        public var retryAfterSeconds: Int?

        /// Creates a burst description.
        public init(probability: Double, length: Int, statuses: [Int], retryAfterSeconds: Int? = nil) {
            self.probability = probability
            self.length = length
            self.statuses = statuses
            self.retryAfterSeconds = retryAfterSeconds
        }

        /// 429 bursts with `Retry-After`.
        public static func rateLimited(probability: Double, length: Int = 2, retryAfterSeconds: Int = 1) -> Burst {
            Burst(probability: probability, length: length, statuses: [429], retryAfterSeconds: retryAfterSeconds)
        }

        /// 502/503/504 bursts.
        public static func serverErrors(probability: Double, length: Int = 2) -> Burst {
            Burst(probability: probability, length: length, statuses: [502, 503, 504])
        }
    }

    /// The traps to inject. All default to off.
    public struct Faults: Sendable, Hashable {
        /// The single-recording GET (and the list GET) answers `202` this many times per recording first.
        public var transcodingPolls: Int
        /// `estimatedTranscodeTimeMs` in `202` bodies; `nil` sends none.
        public var transcodeEstimateMs: Int64?
        /// Send `202` with an empty body instead of a partial `Recording` (both are plausible: UNVERIFIED).
        public var emptyTranscodingBody: Bool
        /// The media host answers `404` to the first N fetches of each recording's media.
        public var mediaNotFoundFetches: Int
        /// The next N media fetches (per recording, after the 404s) announce the full `Content-Length` but
        /// stop half way.
        public var truncatedMediaFetches: Int
        /// The first N media URLs issued are already expired (the media host answers `403`).
        public var expiredMediaURLs: Int
        /// Seeded 429 bursts on the API host.
        public var rateLimitBursts: Burst?
        /// Seeded 5xx bursts on the API host.
        public var serverErrorBursts: Burst?
        /// Seeded 429/5xx bursts on the login host.
        public var loginBursts: Burst?
        /// Chance that an API request fails with a connection error (no response), drawn from the seed.
        public var connectionFailureProbability: Double
        /// Latency added to every request, drawn from the seed, slept on the injected clock.
        public var latency: ClosedRange<Duration>?
        /// Every issued token expires after this many API requests made with it (token expiry mid-run).
        public var tokenExpiresAfterRequests: Int?
        /// The first N full media fetches of each recording (after the truncated ones) stop half way and
        /// their URL expires at that moment: a resumed download must fetch a fresh URL first.
        public var mediaURLExpiresMidDownload = 0

        /// Creates a fault set.
        public init(
            transcodingPolls: Int = 0, transcodeEstimateMs: Int64? = 2_000, emptyTranscodingBody: Bool = false,
            mediaNotFoundFetches: Int = 0, truncatedMediaFetches: Int = 0, expiredMediaURLs: Int = 0,
            rateLimitBursts: Burst? = nil, serverErrorBursts: Burst? = nil, loginBursts: Burst? = nil,
            connectionFailureProbability: Double = 0, latency: ClosedRange<Duration>? = nil,
            tokenExpiresAfterRequests: Int? = nil, mediaURLExpiresMidDownload: Int = 0
        ) {
            self.transcodingPolls = transcodingPolls
            self.transcodeEstimateMs = transcodeEstimateMs
            self.emptyTranscodingBody = emptyTranscodingBody
            self.mediaNotFoundFetches = mediaNotFoundFetches
            self.truncatedMediaFetches = truncatedMediaFetches
            self.expiredMediaURLs = expiredMediaURLs
            self.rateLimitBursts = rateLimitBursts
            self.serverErrorBursts = serverErrorBursts
            self.loginBursts = loginBursts
            self.connectionFailureProbability = connectionFailureProbability
            self.latency = latency
            self.tokenExpiresAfterRequests = tokenExpiresAfterRequests
            self.mediaURLExpiresMidDownload = mediaURLExpiresMidDownload
        }
    }

    /// The simulated organization's settings.
    public struct Configuration: Sendable {
        /// API base URL; the login host is derived (`//api.` → `//login.`). A base without `//api.`
        /// (a loopback address, `http://127.0.0.1:8900`) serves login on the same origin, as
        /// `GenesysRegion.custom(apiBase:)` derives it.
        public var apiBase: URL
        /// Base URL of the pre-signed media host: the media, batch and transcript URLs it issues start
        /// with it. Its own host (`https://media.sim.vigil.test`, the default), or a path on the API's
        /// origin (`http://127.0.0.1:8900/_media`) when the simulator is served over HTTP on one port.
        public var mediaBase: URL
        /// Host name of the pre-signed media host (``mediaBase``'s host).
        public var mediaHost: String { mediaBase.host ?? "" }
        /// The OAuth client the login host accepts.
        public var clientId: String
        /// The OAuth client secret the login host accepts.
        public var clientSecret: String
        /// Token lifetime (`expires_in`).
        public var tokenLifetime: Duration
        /// Lifetime of issued media / transcript URLs (Genesys: ≤ 60 minutes).
        public var mediaURLLifetime: Duration
        /// Chunk size of streamed media.
        public var mediaChunkSize: Int
        /// How many status polls a batch job stays `InProgress`.
        public var batchPollsUntilComplete: Int
        /// Seed for every random choice (fault bursts, latency, ids).
        public var seed: UInt64
        /// The traps to inject.
        public var faults: Faults

        /// Creates a configuration.
        public init(
            apiBase: URL = URL(string: "https://api.sim.vigil.test")!,
            mediaBase: URL = URL(string: "https://media.sim.vigil.test")!,
            clientId: String = "sim-client-id", clientSecret: String = "sim-client-secret-0123456789",
            tokenLifetime: Duration = .seconds(86_400), mediaURLLifetime: Duration = .seconds(3_600),
            mediaChunkSize: Int = 1 << 20, batchPollsUntilComplete: Int = 1, seed: UInt64 = 1,
            faults: Faults = Faults()
        ) {
            self.apiBase = apiBase
            self.mediaBase = mediaBase
            self.clientId = clientId
            self.clientSecret = clientSecret
            self.tokenLifetime = tokenLifetime
            self.mediaURLLifetime = mediaURLLifetime
            self.mediaChunkSize = mediaChunkSize
            self.batchPollsUntilComplete = batchPollsUntilComplete
            self.seed = seed
            self.faults = faults
        }
    }

    /// One request as the simulator saw it. Header values and bodies are never kept.
    public struct RecordedRequest: Sendable, Hashable, CustomStringConvertible {
        /// `GET`, `POST`…
        public let method: String
        /// Which host.
        public let host: Host
        /// The path (no query: pre-signed URLs carry their signature there).
        public let path: String
        /// The answered status; `nil` when the simulator dropped the connection.
        public let status: Int?
        /// Whether an `Authorization` header was present (its value is not kept).
        public let hadAuthorization: Bool

        /// `GET api /api/v2/… → 200`.
        public var description: String { "\(method) \(host.rawValue) \(path) → \(status.map(String.init) ?? "dropped")" }
    }

    /// A recording held by the simulator.
    public struct StoredRecording: Sendable {
        /// Conversation id.
        public var conversationId: GenesysID
        /// Recording id.
        public var recordingId: GenesysID
        /// The media.
        public var media: SimulatedMedia
        /// `fileState` to report.
        public var fileState: FileState
        /// `Content-Type` of the media.
        public var contentType: String
        /// `sessionId` (the transcript's communication id).
        public var sessionId: String
        var transcodingPollsLeft: Int
        var notFoundLeft: Int
        var truncatedLeft: Int
        var expireMidLeft: Int
    }

    struct Grant: Sendable {
        enum Target: Sendable {
            case media(GenesysID)
            case transcript(String)
        }
        let target: Target
        var expiresAt: Duration
    }

    struct TokenState: Sendable {
        let expiresAt: Duration
        var uses: Int
    }

    struct ScriptedFailure: Sendable {
        let status: Int
        let retryAfterSeconds: Int?
        let host: Host
        let pathContains: String?
        let afterServing: Bool
    }

    struct BatchJob: Sendable {
        let requests: [BatchDownloadRequest]
        var pollsLeft: Int
    }

    struct ActiveBurst {
        var remaining: Int
        let burst: Burst
    }

    // MARK: State

    /// The configuration.
    public nonisolated let configuration: Configuration
    let elapsed: @Sendable () -> Duration
    let sleep: @Sendable (Duration) async throws -> Void
    let apiOrigin: Origin
    let loginOrigin: Origin
    let mediaOrigin: Origin
    /// ``Configuration/mediaBase``'s path without a trailing `/` (empty for a host of its own).
    let mediaPathPrefix: String
    /// What issued media URLs start with: ``Configuration/mediaBase`` without a trailing `/`.
    let mediaURLStem: String
    var random: SplitMix

    var log: [RecordedRequest] = []
    var tokens: [String: TokenState] = [:]
    var recordings: [GenesysID: StoredRecording] = [:]
    var recordingOrder: [GenesysID] = []
    var grants: [String: Grant] = [:]
    var expiredURLsLeft: Int
    var annotationsByRecording: [GenesysID: [Annotation]] = [:]
    var externalTags: [GenesysID: String] = [:]
    var participantAttributes: [String: [String: String]] = [:]
    var recordingStates: [GenesysID: RecordingState] = [:]
    var deletionProtected: Set<GenesysID> = []
    var mediaRangeStarts: [GenesysID: [Int64]] = [:]
    var triggers: [String: ProcessAutomationTrigger] = [:]
    var triggerOrder: [String] = []
    var conversationParticipants: [GenesysID: [Conversation.Participant]] = [:]
    var participantAttributeEndpoints: [String: String] = [:]
    var workitemList: [Workitem] = []
    var dataTables: [String: [String: DataTableRow]] = [:]
    var transcripts: [String: STATranscriptDocument] = [:]
    var batchJobs: [String: BatchJob] = [:]
    var scripted: [ScriptedFailure] = []
    var droppedConnections: [(host: Host, count: Int)] = []
    var apiBurst: ActiveBurst?
    var loginBurst: ActiveBurst?

    /// Creates a simulated organization whose latency and expiries run on `clock`.
    public init(configuration: Configuration = Configuration(), clock: some Clock<Duration> = ContinuousClock()) {
        self.configuration = configuration
        let origin = clock.now
        elapsed = { origin.duration(to: clock.now) }
        sleep = { duration in try await clock.sleep(until: clock.now.advanced(by: duration), tolerance: nil) }
        apiOrigin = Origin(configuration.apiBase)
        loginOrigin = Origin(GenesysRegion.custom(apiBase: configuration.apiBase).loginBaseURL)
        mediaOrigin = Origin(configuration.mediaBase)
        var prefix = configuration.mediaBase.path
        while prefix.hasSuffix("/") { prefix.removeLast() }
        mediaPathPrefix = prefix
        var stem = configuration.mediaBase.absoluteString
        while stem.hasSuffix("/") { stem.removeLast() }
        mediaURLStem = stem
        random = SplitMix(seed: configuration.seed)
        expiredURLsLeft = configuration.faults.expiredMediaURLs
    }

    /// The region to give a `GenesysCloudClient` (``Configuration/apiBase`` as a custom region).
    public nonisolated var region: GenesysRegion { .custom(apiBase: configuration.apiBase) }

    /// The credentials the login host accepts.
    public nonisolated var credentials: GenesysCredentials {
        GenesysCredentials(clientId: configuration.clientId, clientSecret: configuration.clientSecret)
    }

    // MARK: Seeding state

    /// Adds a recording (ids random from the seed unless given) and returns its ids.
    @discardableResult
    public func addRecording(
        conversationId: GenesysID? = nil, recordingId: GenesysID? = nil,
        media: SimulatedMedia = .bytes(Array("RIFF-simulated-wav".utf8)),
        fileState: FileState = .available, contentType: String = "audio/wav",
        sessionId: String? = nil, transcodingPolls: Int? = nil
    ) -> (conversationId: GenesysID, recordingId: GenesysID) {
        let cid = conversationId ?? nextID()
        let rid = recordingId ?? nextID()
        recordings[rid] = StoredRecording(
            conversationId: cid, recordingId: rid, media: media, fileState: fileState, contentType: contentType,
            sessionId: sessionId ?? nextID().rawValue,
            transcodingPollsLeft: transcodingPolls ?? configuration.faults.transcodingPolls,
            notFoundLeft: configuration.faults.mediaNotFoundFetches,
            truncatedLeft: configuration.faults.truncatedMediaFetches,
            expireMidLeft: configuration.faults.mediaURLExpiresMidDownload)
        if !recordingOrder.contains(rid) { recordingOrder.append(rid) }
        if conversationParticipants[cid] == nil {
            // A voice call as Genesys Cloud lists it: the customer, the queue, the agent who answered.
            conversationParticipants[cid] = ["customer", "acd", "agent"].map { purpose in
                Conversation.Participant(id: nextID().rawValue, purpose: purpose, calls: [Conversation.Communication(id: nextID().rawValue)])
            }
        }
        return (cid, rid)
    }

    /// The participants `GET /api/v2/conversations/{id}` lists (a recording's conversation starts with
    /// a customer, an `acd` and an agent, each on a call).
    public func participants(conversationId: GenesysID) -> [Conversation.Participant] {
        conversationParticipants[conversationId] ?? []
    }

    /// Replaces a conversation's participants.
    public func setParticipants(_ participants: [Conversation.Participant], conversationId: GenesysID) {
        conversationParticipants[conversationId] = participants
    }

    /// Which endpoint last set a participant's attributes: the media segment (`calls`, `chats`, …) or
    /// `conversations` for the media-independent one.
    public func attributesEndpoint(conversationId: GenesysID, participantId: GenesysID) -> String? {
        participantAttributeEndpoints["\(conversationId.rawValue)/\(participantId.rawValue)"]
    }

    /// Changes a recording's `fileState` (e.g. to `ARCHIVED` mid-test).
    public func setFileState(_ state: FileState, recordingId: GenesysID) {
        recordings[recordingId]?.fileState = state
    }

    /// Stores a transcript for `conversationId` / `communicationId`.
    public func addTranscript(_ document: STATranscriptDocument, conversationId: GenesysID, communicationId: String) {
        transcripts["\(conversationId.rawValue)/\(communicationId)"] = document
    }

    /// Answers the next `count` matching requests with `status` (and an `ErrorBody`).
    ///
    /// - Parameters:
    ///   - afterServing: `false` (default): the request is refused without effect. `true`: the request is
    ///     carried out (state changes) and then the answer is replaced by the failure — the "did my create
    ///     happen?" case that idempotency guards exist for.
    ///   - pathContains: only requests whose path contains this string match.
    public func failNext(
        _ count: Int = 1, status: Int, retryAfterSeconds: Int? = nil, host: Host = .api,
        pathContains: String? = nil, afterServing: Bool = false
    ) {
        for _ in 0..<count {
            scripted.append(
                ScriptedFailure(
                    status: status, retryAfterSeconds: retryAfterSeconds, host: host,
                    pathContains: pathContains, afterServing: afterServing))
        }
    }

    /// Fails the next `count` requests to `host` with a connection error (no response).
    public func dropNextConnections(_ count: Int = 1, host: Host = .api) {
        droppedConnections.append((host, count))
    }

    /// Expires every issued token now (the next API call gets a 401).
    public func expireAllTokens() {
        for key in tokens.keys { tokens[key] = TokenState(expiresAt: .zero, uses: tokens[key]!.uses) }
    }

    /// Expires every issued media and transcript URL now.
    public func expireAllMediaURLs() {
        for key in grants.keys { grants[key] = Grant(target: grants[key]!.target, expiresAt: .zero) }
    }

    // MARK: Reading state

    /// Every request so far, in order.
    public var requests: [RecordedRequest] { log }

    /// Forgets the request log.
    public func clearRequests() { log.removeAll() }

    /// How many token requests the login host received.
    public var tokenRequestCount: Int { log.filter { $0.host == .login }.count }

    /// The annotations of a recording.
    public func annotations(recordingId: GenesysID) -> [Annotation] { annotationsByRecording[recordingId] ?? [] }

    /// The external tag of a conversation.
    public func externalTag(conversationId: GenesysID) -> String? { externalTags[conversationId] }

    /// The Process Automation triggers, in creation order.
    public var processAutomationTriggers: [ProcessAutomationTrigger] { triggerOrder.compactMap { triggers[$0] } }

    /// The `Range` starts of the media requests for a recording that asked for one (in order).
    public func mediaRanges(recordingId: GenesysID) -> [Int64] { mediaRangeStarts[recordingId] ?? [] }

    /// Whether the conversation's recordings are under deletion protection (legal hold).
    public func isDeletionProtected(conversationId: GenesysID) -> Bool { deletionProtected.contains(conversationId) }

    /// A participant's attributes.
    public func attributes(conversationId: GenesysID, participantId: GenesysID) -> [String: String] {
        participantAttributes["\(conversationId.rawValue)/\(participantId.rawValue)"] ?? [:]
    }

    /// The last recording state set on a conversation.
    public func recordingState(conversationId: GenesysID) -> RecordingState? { recordingStates[conversationId] }

    /// All work items created.
    public var workitems: [Workitem] { workitemList }

    /// The rows of a data table, by key.
    public func dataTableRows(datatableId: String) -> [String: DataTableRow] { dataTables[datatableId] ?? [:] }

    // MARK: Helpers

    func nextID() -> GenesysID {
        let high = random.next(), low = random.next()
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            bytes[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(i)))
            bytes[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(i)))
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let uuid = UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
        return GenesysID(uuid)
    }

    func nextHex(_ bytes: Int) -> String {
        var out = ""
        while out.count < bytes * 2 { out += String(format: "%016llx", random.next()) }
        return String(out.prefix(bytes * 2))
    }
}

/// Scheme, host and port of a URL (the port defaulted from the scheme), compared case-insensitively.
struct Origin: Hashable, Sendable {
    let scheme: String
    let host: String
    let port: Int

    init(_ url: URL) {
        scheme = (url.scheme ?? "https").lowercased()
        host = (url.host ?? "").lowercased()
        port = url.port ?? (scheme == "http" ? 80 : 443)
    }
}

/// The seedable generator of simulator choices and seeded tests: VigilCore's ``SplitMix64``.
public typealias SplitMix = SplitMix64
