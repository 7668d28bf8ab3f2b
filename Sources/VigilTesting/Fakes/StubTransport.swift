import Foundation
import VigilCore

/// An `HTTPTransport` that answers from a closure and records every request it is sent.
///
/// For the shapes ``SimulatedGenesysCloud`` does not produce: a malformed reply, a status the test
/// picks, a body cut short. The request body is read (up to 1 MiB) before the closure runs, so the
/// closure and ``sent`` see it as bytes.
///
/// ```swift
/// let transport = StubTransport(status: 503, body: Array(#"{"error":"busy"}"#.utf8))
/// let engine = HTTPComplianceEngine(configuration: configuration, transport: transport)
/// _ = try? await engine.evaluate(request)
/// #expect(transport.sent.count == 1)
/// ```
public final class StubTransport: HTTPTransport, Sendable {
    /// Answers one request, given the request and its body bytes.
    public typealias Handler = @Sendable (HTTPRequest, [UInt8]) async throws -> (HTTPResponse, HTTPBody?)

    private let handler: Handler
    private let log = Locked<[(request: HTTPRequest, body: [UInt8])]>([])

    /// A transport answering every request with `handler`.
    public init(_ handler: @escaping Handler) {
        self.handler = handler
    }

    /// A transport answering every request with `status`, `body` and `headers` (JSON by default).
    public convenience init(status: Int, body: [UInt8] = [], headers: HTTPFields = ["Content-Type": "application/json"]) {
        self.init { _, _ in (HTTPResponse(status: status, headerFields: headers), HTTPBody(body)) }
    }

    /// Every request sent so far with its body bytes, oldest first.
    public var sent: [(request: HTTPRequest, body: [UInt8])] { log.withLock { $0 } }

    /// Records `request` and answers it with the handler.
    public func send(_ request: HTTPRequest, body: HTTPBody?) async throws -> (HTTPResponse, HTTPBody?) {
        let bytes = try await body?.collect(upTo: 1 << 20) ?? []
        log.withLock { $0.append((request, bytes)) }
        return try await handler(request, bytes)
    }
}
