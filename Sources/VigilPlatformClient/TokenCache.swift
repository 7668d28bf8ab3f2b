import Foundation
import VigilCore

/// A bearer token held by ``TokenCache``: the ready-made header value and when to stop using it.
struct BearerToken: Sendable {
    /// `Bearer <token>`.
    let header: String
    /// The client's base headers plus `Authorization`, precomputed so a call copies instead of building.
    let fields: HTTPFields
    /// ``fields`` plus `Content-Type: application/json`, for calls with a body.
    let jsonFields: HTTPFields
    /// The raw token (only for scrubbing it out of platform messages).
    let raw: String
    /// Elapsed time on the client's clock after which the token is replaced.
    let refreshAt: Duration
    /// Identifies this token, so a 401 only discards the token that failed.
    let generation: UInt64
}

/// Caches the client-credentials token and makes concurrent callers share one token request.
///
/// `token()` returns the cached token while it is fresh; otherwise the first caller starts a fetch
/// and every caller that arrives meanwhile awaits the same fetch (single flight). The fetch runs in
/// its own task, so a caller that is cancelled does not cancel the others' token request.
actor TokenCache {
    typealias Fetch = @Sendable () async throws -> (token: String, expiresIn: Int)

    private let fetch: Fetch
    private let driver: any ClockDriver
    private let margin: Duration
    private var current: BearerToken?
    private var inFlight: (id: UInt64, task: Task<BearerToken, any Error>)?
    private var generation: UInt64 = 0
    /// The current token behind a lock, so a call can read it without an actor hop.
    private nonisolated let slot = Locked<BearerToken?>(nil)

    private let baseHeaders: HTTPFields

    init(driver: any ClockDriver, margin: Duration, baseHeaders: HTTPFields = HTTPFields(), fetch: @escaping Fetch) {
        self.driver = driver
        self.baseHeaders = baseHeaders
        self.margin = margin
        self.fetch = fetch
    }

    /// The fresh token, read under a lock without hopping onto the actor (the per-call fast path).
    nonisolated func cachedToken() -> BearerToken? {
        guard let token = slot.withLock({ $0 }), driver.elapsed() < token.refreshAt else { return nil }
        return token
    }

    /// A fresh token, fetching one if needed (single flight).
    func token() async throws -> BearerToken {
        if let current, driver.elapsed() < current.refreshAt { return current }
        if let inFlight { return try await inFlight.task.value }
        generation += 1
        let id = generation
        let fetch = self.fetch
        let driver = self.driver
        let margin = self.margin
        let baseHeaders = self.baseHeaders
        let task = Task<BearerToken, any Error> {
            let started = driver.elapsed()
            let (token, expiresIn) = try await fetch()
            let lifetime = Duration.seconds(expiresIn)
            let early = min(margin, lifetime / 2)
            var fields = baseHeaders
            fields["Authorization"] = "Bearer " + token
            var jsonFields = fields
            jsonFields["Content-Type"] = "application/json"
            return BearerToken(
                header: "Bearer " + token, fields: fields, jsonFields: jsonFields, raw: token,
                refreshAt: started + lifetime - early, generation: id)
        }
        inFlight = (id, task)
        do {
            let token = try await task.value
            if inFlight?.id == id {
                inFlight = nil
                current = token
                slot.withLock { $0 = token }
            }
            return token
        } catch {
            if inFlight?.id == id { inFlight = nil }
            throw error
        }
    }

    /// Discards `token` after the platform refused it (401); a newer token is kept.
    func invalidate(_ token: BearerToken) {
        if current?.generation == token.generation {
            current = nil
            slot.withLock { if $0?.generation == token.generation { $0 = nil } }
        }
    }

    /// The raw current token, for scrubbing messages (never returned to callers of the client).
    var currentRaw: String? { current?.raw }
}
