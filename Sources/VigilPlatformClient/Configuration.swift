import Foundation
import VigilCore
import VigilModels

/// An OAuth client's id and secret (client-credentials grant).
///
/// Nothing about it prints: `description`, `debugDescription` and `dump` show `<redacted>` for both
/// values, so a credentials value that ends up in a log or an error message leaks nothing.
public struct GenesysCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The OAuth client id.
    public let clientId: Sensitive<String>
    /// The OAuth client secret.
    public let clientSecret: Sensitive<String>

    /// Creates credentials.
    public init(clientId: String, clientSecret: String) {
        self.clientId = Sensitive(clientId)
        self.clientSecret = Sensitive(clientSecret)
    }

    /// Both values non-empty, and the id free of `:` (it would corrupt the Basic credentials).
    var isWellFormed: Bool {
        !clientId.value.isEmpty && !clientSecret.value.isEmpty && !clientId.value.contains(":")
    }

    /// `Basic base64(clientId:clientSecret)` (RFC 7617), the header the login host expects.
    var basicAuthorization: String {
        "Basic " + Base64.encode(Array("\(clientId.value):\(clientSecret.value)".utf8))
    }

    /// `GenesysCredentials(clientId: <redacted>, clientSecret: <redacted>)`.
    public var description: String { "GenesysCredentials(clientId: <redacted>, clientSecret: <redacted>)" }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// A mirror with no children.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// Tuning for ``GenesysCloudClient``. The defaults suit a background worker.
public struct GenesysClientConfiguration: Sendable {
    /// How failed attempts are spaced (429 `Retry-After` always wins when present). Default: capped
    /// full-jitter exponential backoff, 5 attempts, 250 ms base, 20 s cap, `Retry-After` ≤ 180 s.
    public var retryPolicy: any RetryPolicy
    /// The longest one client call (all its attempts and waits) may take. Default 60 s.
    public var callDeadline: Duration
    /// Per-attempt timeout handed to the transport (``HTTPRequest/timeout``). Default 30 s.
    public var requestTimeout: Duration?
    /// A cached token is replaced this long before `expires_in` runs out (at most half its lifetime).
    /// Default 60 s.
    public var tokenRefreshMargin: Duration
    /// The largest JSON response body read into memory. Default 16 MiB.
    public var maxResponseBytes: Int
    /// Sent as `User-Agent` when set.
    public var userAgent: String?

    /// Creates a configuration.
    public init(
        retryPolicy: any RetryPolicy = ExponentialBackoffPolicy(), callDeadline: Duration = .seconds(60),
        requestTimeout: Duration? = .seconds(30), tokenRefreshMargin: Duration = .seconds(60),
        maxResponseBytes: Int = 16 << 20, userAgent: String? = "Vigil"
    ) {
        self.retryPolicy = retryPolicy
        self.callDeadline = callDeadline
        self.requestTimeout = requestTimeout
        self.tokenRefreshMargin = tokenRefreshMargin
        self.maxResponseBytes = maxResponseBytes
        self.userAgent = userAgent
    }
}

/// Type-erases the injected clock: monotonic elapsed time, sleeping, and a ``RetryExecutor`` on it.
protocol ClockDriver: Sendable {
    /// Time since the driver was created, on the injected clock.
    func elapsed() -> Duration
    /// Sleeps on the injected clock.
    func sleep(for duration: Duration) async throws
    /// Runs `operation` under a ``RetryExecutor`` on the injected clock.
    func retrying<T: Sendable>(
        policy: any RetryPolicy, deadline: Duration?,
        classify: @escaping @Sendable (any Error) -> RetryableFailure?,
        operation: @escaping @Sendable (Int) async throws -> T
    ) async throws -> T
}

struct ConcreteClockDriver<C: Clock>: ClockDriver where C.Duration == Duration {
    let clock: C
    let origin: C.Instant

    init(clock: C) {
        self.clock = clock
        origin = clock.now
    }

    func elapsed() -> Duration { origin.duration(to: clock.now) }

    func sleep(for duration: Duration) async throws {
        guard duration > .zero else { return try Task.checkCancellation() }
        try await clock.sleep(until: clock.now.advanced(by: duration), tolerance: nil)
    }

    func retrying<T: Sendable>(
        policy: any RetryPolicy, deadline: Duration?,
        classify: @escaping @Sendable (any Error) -> RetryableFailure?,
        operation: @escaping @Sendable (Int) async throws -> T
    ) async throws -> T {
        try await RetryExecutor(policy: policy, clock: clock, deadline: deadline)
            .run(classify: classify, operation: operation)
    }
}
