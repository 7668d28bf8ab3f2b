import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import VigilCore

/// Vigil's `HTTPTransport` over AsyncHTTPClient (SwiftNIO): pooled keep-alive connections, the
/// response body streamed into an `HTTPBody` with back-pressure (a 1 GiB recording never sits in
/// memory), a per-request timeout, and every failure mapped to `HTTPTransportError`.
///
/// - ``HTTPRequest/timeout`` (or ``Configuration/defaultTimeout``) bounds the wait for the response
///   head **and** each wait for the next body chunk (an idle timeout, so a long download that keeps
///   flowing is never cut off) → `HTTPTransportError.Code.timedOut`.
/// - No response head (refused, reset, DNS, TLS, connect timeout) → `.connectionFailed`, so callers
///   know a retry of an idempotent request is safe.
/// - Cancelling the calling task (or the task iterating the body) stops the transfer and throws
///   `CancellationError`.
/// - Redirects are not followed (a 3xx is returned as a response): the caller decides, and an
///   `Authorization` header never travels to another host.
/// - Non-2xx statuses are responses, not errors.
///
/// Owns its `HTTPClient` unless one is passed in; call ``shutdown()`` when done with an owned one.
public final class AsyncHTTPClientTransport: HTTPTransport {
    /// Timeouts and pool settings.
    public struct Configuration: Sendable {
        /// Used when a request has no timeout. Default 30 s.
        public var defaultTimeout: Duration
        /// Connection establishment timeout. Default 10 s.
        public var connectTimeout: Duration
        /// Idle keep-alive connections kept per host. Default 16.
        public var maxConnectionsPerHost: Int

        /// Creates a configuration.
        public init(
            defaultTimeout: Duration = .seconds(30), connectTimeout: Duration = .seconds(10),
            maxConnectionsPerHost: Int = 16
        ) {
            self.defaultTimeout = defaultTimeout
            self.connectTimeout = connectTimeout
            self.maxConnectionsPerHost = maxConnectionsPerHost
        }
    }

    /// The underlying client.
    public let client: HTTPClient
    /// The configuration.
    public let configuration: Configuration
    private let owned: Bool

    /// Creates a transport with its own `HTTPClient` on the shared NIO event loop group.
    public init(configuration: Configuration = Configuration()) {
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.redirectConfiguration = .disallow
        clientConfiguration.timeout = .init(connect: Self.timeAmount(configuration.connectTimeout), read: nil)
        clientConfiguration.connectionPool = .init(
            idleTimeout: .seconds(60),
            concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.maxConnectionsPerHost)
        clientConfiguration.decompression = .disabled
        self.client = HTTPClient(
            eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton),
            configuration: clientConfiguration)
        self.configuration = configuration
        self.owned = true
    }

    /// Creates a transport over a client the host owns (and shuts down).
    public init(client: HTTPClient, configuration: Configuration = Configuration()) {
        self.client = client
        self.configuration = configuration
        self.owned = false
    }

    /// Shuts the owned client down (a no-op for a client passed in).
    public func shutdown() async throws {
        if owned { try await client.shutdown() }
    }

    public func send(_ request: VigilCore.HTTPRequest, body: HTTPBody?) async throws -> (VigilCore.HTTPResponse, HTTPBody?) {
        guard let scheme = request.url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            request.url.host?.isEmpty == false
        else {
            throw HTTPTransportError(code: .invalidRequest, request: request, detail: "only absolute http(s) URLs are supported")
        }
        if let name = request.headerFields.firstInvalidFieldName {
            throw HTTPTransportError(code: .invalidRequest, request: request, detail: "header field \(name) is not valid")
        }
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = NIOHTTP1.HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headerFields {
            outgoing.headers.add(name: field.name, value: field.value)
        }
        if let body {
            let length: HTTPClientRequest.Body.Length
            switch body.length {
            case let .known(count): length = .known(count)
            case .unknown: length = .unknown
            }
            outgoing.body = .stream(ByteBufferChunks(body: body), length: length)
        }
        let timeout = request.timeout ?? configuration.defaultTimeout
        let response: HTTPClientResponse
        do {
            response = try await client.execute(outgoing, deadline: .now() + Self.timeAmount(timeout))
        } catch {
            throw Self.map(error, request: request, timeout: timeout, headReceived: false)
        }
        var fields = VigilCore.HTTPFields()
        for (name, value) in response.headers {
            fields.append(name: name, value: value)
        }
        let head = VigilCore.HTTPResponse(status: Int(response.status.code), headerFields: fields)
        if request.method == .head || response.status.code == 204 || response.status.code == 304 {
            return (head, nil)
        }
        var length = HTTPBody.Length.unknown
        if let text = response.headers.first(name: "content-length"), let count = Int64(text) {
            if count == 0 { return (head, nil) }
            length = .known(count)
        }
        let chunks = ResponseChunks(body: response.body, request: request, timeout: timeout)
        return (head, HTTPBody(chunks, length: length))
    }

    /// Maps an AsyncHTTPClient / NIO error to `HTTPTransportError` (or `CancellationError`).
    static func map(_ error: any Error, request: VigilCore.HTTPRequest, timeout: Duration, headReceived: Bool) -> any Error {
        if error is CancellationError { return error }
        if let error = error as? HTTPTransportError { return error }
        if let error = error as? HTTPClientError {
            if error == .cancelled { return CancellationError() }
            if error == .deadlineExceeded || error == .readTimeout {
                return HTTPTransportError(code: .timedOut, request: request, detail: "no response within \(timeout)")
            }
            if error == .invalidURL || error == .emptyHost || error == .emptyScheme || error == .traceRequestWithBody
                || error == .bodyLengthMismatch
            {
                return HTTPTransportError(code: .invalidRequest, request: request, detail: "\(error)")
            }
            if error == .invalidProxyResponse {
                return HTTPTransportError(code: .invalidResponse, request: request, detail: "\(error)")
            }
        }
        if error is HTTPParserError {
            return HTTPTransportError(code: .invalidResponse, request: request, detail: "malformed HTTP response")
        }
        if Task.isCancelled { return CancellationError() }
        // Refused, reset, closed, DNS, TLS, connect timeout: no (complete) response.
        let detail = headReceived ? "connection broke while reading the body" : "no response head"
        return HTTPTransportError(
            code: .connectionFailed, request: request,
            detail: "\(detail) (\(String(describing: type(of: error))))")
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

/// An `HTTPBody` as ByteBuffers: a request body sent by the client, a response body served by the simulator.
struct ByteBufferChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let body: HTTPBody

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: HTTPBody.AsyncIterator
        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else { return nil }
            return ByteBuffer(bytes: chunk)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: body.makeAsyncIterator()) }
}

/// The response body as `[UInt8]` chunks, each wait bounded by the timeout.
struct ResponseChunks: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let body: HTTPClientResponse.Body
    let request: VigilCore.HTTPRequest
    let timeout: Duration

    /// Holds the single iterator; only one `next()` runs at a time (the sequence is single-use).
    final class Box: @unchecked Sendable {
        var iterator: HTTPClientResponse.Body.AsyncIterator
        init(_ iterator: HTTPClientResponse.Body.AsyncIterator) { self.iterator = iterator }
        func next() async throws -> ByteBuffer? { try await iterator.next() }
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let box: Box
        let request: VigilCore.HTTPRequest
        let timeout: Duration

        mutating func next() async throws -> [UInt8]? {
            let box = self.box, request = self.request, timeout = self.timeout
            do {
                let buffer = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
                    group.addTask { try await box.next() }
                    group.addTask {
                        try await Task.sleep(for: timeout)
                        throw HTTPTransportError(code: .timedOut, request: request, detail: "no body bytes within \(timeout)")
                    }
                    defer { group.cancelAll() }
                    return try await group.next()!
                }
                guard let buffer else { return nil }
                return Array(buffer.readableBytesView)
            } catch {
                throw AsyncHTTPClientTransport.map(error, request: request, timeout: timeout, headReceived: true)
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(box: Box(body.makeAsyncIterator()), request: request, timeout: timeout)
    }
}
