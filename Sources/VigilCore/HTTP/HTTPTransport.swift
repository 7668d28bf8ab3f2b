/// Sends HTTP requests. The one seam between Vigil and the host's HTTP stack.
///
/// Vigil never opens a connection itself: the Genesys Cloud client, the compliance-engine client and the
/// media downloader all go through a transport the host provides. Use ``URLSessionTransport`` (Foundation,
/// no dependencies), write a few lines over AsyncHTTPClient, or use the in-process simulator from
/// `VigilTesting` in tests.
///
/// ### Implementing a transport
/// A conforming type sends the request head and the body (when not `nil`), and returns the response head
/// as soon as it arrives, with the response body streaming behind it — so a 1 GiB recording never has to
/// fit in memory. It must:
/// - honour ``HTTPRequest/timeout`` (throw ``HTTPTransportError`` with code ``HTTPTransportError/Code/timedOut``);
/// - throw ``HTTPTransportError`` with code ``HTTPTransportError/Code/connectionFailed`` when no response
///   head arrived, so callers know a retry is safe for idempotent requests;
/// - stop work and throw `CancellationError` when the calling task is cancelled;
/// - return non-2xx responses as responses, not errors (status handling belongs to the caller).
///
/// A test double is a closure:
///
/// ```swift
/// struct StubTransport: HTTPTransport {
///     let handler: @Sendable (HTTPRequest, HTTPBody?) async throws -> (HTTPResponse, HTTPBody?)
///     func send(_ request: HTTPRequest, body: HTTPBody?) async throws -> (HTTPResponse, HTTPBody?) {
///         try await handler(request, body)
///     }
/// }
/// ```
public protocol HTTPTransport: Sendable {
    /// Sends `request` with `body` and returns the response head and its (possibly streaming) body.
    ///
    /// - Parameters:
    ///   - request: method, URL, header fields and timeout.
    ///   - body: the request body, or `nil` for none.
    /// - Returns: the response head and body; the body is `nil` when the response has none.
    /// - Throws: ``HTTPTransportError`` for transport failures, `CancellationError` when cancelled.
    func send(_ request: HTTPRequest, body: HTTPBody?) async throws -> (HTTPResponse, HTTPBody?)
}

/// A transport-level failure: no usable HTTP response was received.
///
/// HTTP error statuses (404, 503…) are not transport errors; they arrive as ``HTTPResponse``s.
public struct HTTPTransportError: VigilCodedError, Hashable {
    /// The kind of failure; new kinds are added as new static members.
    public struct Code: VigilErrorCode {
        private enum Base: String {
            case invalidRequest, timedOut, connectionFailed, cancelled, invalidResponse, bodyTooLarge
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The request could not be sent as given (unsupported URL scheme, a header with CR/LF…).
        public static let invalidRequest = Code(.invalidRequest)
        /// No response (or no further body bytes) within the request's timeout.
        public static let timedOut = Code(.timedOut)
        /// The connection could not be made or broke before a response head arrived.
        public static let connectionFailed = Code(.connectionFailed)
        /// The request was cancelled.
        public static let cancelled = Code(.cancelled)
        /// The peer sent something that is not a valid HTTP response.
        public static let invalidResponse = Code(.invalidResponse)
        /// The request body is larger than the transport accepts.
        public static let bodyTooLarge = Code(.bodyTooLarge)

        /// `http`: codes read `http.<name>`, e.g. `http.invalidRequest`.
        public static let domain = "http"
        /// The name within ``domain``, e.g. `invalidRequest`.
        public var name: String { base.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// `METHOD scheme://host/path` of the request (no query, no headers: they may carry secrets).
    public let request: String
    /// A short, non-sensitive explanation (e.g. the platform error's domain and code).
    public let detail: String

    /// Creates an error.
    public init(code: Code, request: String, detail: String) {
        self.code = code
        self.request = request
        self.detail = detail
    }

    /// Creates an error for `request`.
    public init(code: Code, request: HTTPRequest, detail: String) {
        self.init(code: code, request: request.description, detail: detail)
    }

    /// Timeouts and connection failures may succeed later; the rest will not.
    public var isRetryable: Bool { code == .timedOut || code == .connectionFailed }

    /// `http.timedOut: GET https://api.example.com/x — <detail>`.
    public var description: String { "\(code): \(request) — \(detail)" }
}
