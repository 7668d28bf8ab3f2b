import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VigilCore
import VigilService

@Suite("AsyncHTTPClientTransport against a loopback server")
struct TransportTests {
    /// A small server: echo, a large streamed body, a slow head, a stalled body, a status.
    static func makeApp() -> some ApplicationProtocol {
        let router = Router()
        router.post("/echo") { request, _ in
            var headers = HTTPTypes.HTTPFields()
            headers[.contentType] = request.headers[.contentType] ?? "application/octet-stream"
            headers[HTTPField.Name("x-seen-header")!] = request.headers[HTTPField.Name("x-test")!] ?? "-"
            return Response(status: .ok, headers: headers, body: ResponseBody(asyncSequence: request.body))
        }
        router.get("/big") { _, _ in
            // 4 MiB in 64 KiB chunks.
            Response(
                status: .ok,
                body: ResponseBody { writer in
                    for index in 0..<64 {
                        try await writer.write(ByteBuffer(repeating: UInt8(index), count: 64 << 10))
                    }
                    try await writer.finish(nil)
                })
        }
        router.get("/slow-head") { _, _ in
            try await Task.sleep(for: .seconds(3))
            return Response(status: .ok)
        }
        router.get("/stall") { _, _ in
            Response(
                status: .ok,
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "first"))
                    try await Task.sleep(for: .seconds(8))
                    try await writer.finish(nil)
                })
        }
        router.get("/status/{code}") { _, context in
            let code = Int(context.parameters.get("code") ?? "500") ?? 500
            var headers = HTTPTypes.HTTPFields()
            headers[.retryAfter] = "7"
            return Response(status: .init(code: code), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: "{\"code\":\(code)}")))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    static func withServer(_ body: @Sendable @escaping (URL, AsyncHTTPClientTransport) async throws -> Void) async throws {
        let transport = AsyncHTTPClientTransport()
        do {
            try await makeApp().test(.live) { client in
                try await body(URL(string: "http://127.0.0.1:\(client.port!)")!, transport)
            }
        } catch {
            try? await transport.shutdown()
            throw error
        }
        try await transport.shutdown()
    }

    @Test("a POST streams its body up and the response streams back; headers both ways")
    func echo() async throws {
        try await Self.withServer { base, transport in
            let payload = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let (upload, continuation) = HTTPBody.makeStream(length: .known(Int64(payload.count)))
            Task {
                for start in stride(from: 0, to: payload.count, by: 10_000) {
                    continuation.yield(Array(payload[start..<min(start + 10_000, payload.count)]))
                }
                continuation.finish()
            }
            let request = VigilCore.HTTPRequest(
                method: .post, url: base.appendingPathComponent("echo"),
                headerFields: ["Content-Type": "application/test", "X-Test": "hello"])
            let (response, body) = try await transport.send(request, body: upload)
            #expect(response.status == 200)
            #expect(response.headerFields["content-type"] == "application/test")
            #expect(response.headerFields["X-Seen-Header"] == "hello")
            let bytes = try await body?.collect(upTo: 1 << 20)
            #expect(bytes == payload)
        }
    }

    @Test("a 4 MiB body arrives in chunks, not as one buffer, with its length")
    func streaming() async throws {
        try await Self.withServer { base, transport in
            let (response, body) = try await transport.send(VigilCore.HTTPRequest(method: .get, url: base.appendingPathComponent("big")), body: nil)
            #expect(response.status == 200)
            var chunks = 0, total = 0, largest = 0
            for try await chunk in try #require(body) {
                chunks += 1
                total += chunk.count
                largest = max(largest, chunk.count)
            }
            #expect(total == 4 << 20)
            #expect(chunks > 16)
            #expect(largest < 1 << 20)
        }
    }

    @Test("error statuses are responses, not errors")
    func statuses() async throws {
        try await Self.withServer { base, transport in
            for code in [404, 429, 503] {
                let (response, body) = try await transport.send(
                    VigilCore.HTTPRequest(method: .get, url: base.appendingPathComponent("status/\(code)")), body: nil)
                #expect(response.status == code)
                #expect(response.headerFields["Retry-After"] == "7")
                let text = String(decoding: try await body?.collect(upTo: 1_000) ?? [], as: UTF8.self)
                #expect(text == "{\"code\":\(code)}")
            }
        }
    }

    @Test("no head within the request's timeout → http.timedOut, promptly")
    func headTimeout() async throws {
        try await Self.withServer { base, transport in
            let started = ContinuousClock.now
            let request = VigilCore.HTTPRequest(method: .get, url: base.appendingPathComponent("slow-head"), timeout: .milliseconds(300))
            let error = try await #require(throws: HTTPTransportError.self) { _ = try await transport.send(request, body: nil) }
            #expect(error.code == .timedOut)
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    @Test("a body that stalls longer than the timeout → http.timedOut while reading")
    func bodyStall() async throws {
        try await Self.withServer { base, transport in
            // 1.5 s: long enough for the head on a machine busy compiling, far shorter than the 8 s stall.
            let request = VigilCore.HTTPRequest(method: .get, url: base.appendingPathComponent("stall"), timeout: .milliseconds(1_500))
            let (response, body) = try await transport.send(request, body: nil)
            #expect(response.status == 200)
            var iterator = try #require(body).makeAsyncIterator()
            #expect(try await iterator.next() == Array("first".utf8))
            let started = ContinuousClock.now
            let error = try await #require(throws: HTTPTransportError.self) { _ = try await iterator.next() }
            #expect(error.code == .timedOut)
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    @Test("a refused connection → http.connectionFailed (retryable); a bad scheme → http.invalidRequest")
    func connectionFailures() async throws {
        let transport = AsyncHTTPClientTransport(configuration: .init(connectTimeout: .seconds(1)))
        let port = try await freePort()
        let refused = try await #require(throws: HTTPTransportError.self) {
            _ = try await transport.send(VigilCore.HTTPRequest(method: .get, url: URL(string: "http://127.0.0.1:\(port)/x")!), body: nil)
        }
        #expect(refused.code == .connectionFailed)
        #expect(refused.isRetryable)
        let invalid = try await #require(throws: HTTPTransportError.self) {
            _ = try await transport.send(VigilCore.HTTPRequest(method: .get, url: URL(string: "ftp://127.0.0.1/x")!), body: nil)
        }
        #expect(invalid.code == .invalidRequest)
        try await transport.shutdown()
    }

    @Test("cancelling the calling task stops a request waiting for its head")
    func cancellation() async throws {
        try await Self.withServer { base, transport in
            let task = Task {
                try await transport.send(
                    VigilCore.HTTPRequest(
                        method: .get, url: base.appendingPathComponent("slow-head"),
                        timeout: .seconds(30)), body: nil)
            }
            try await Task.sleep(for: .milliseconds(200))
            let started = ContinuousClock.now
            task.cancel()
            let result = await task.result
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(throws: CancellationError.self) { try result.get() }
        }
    }
}
