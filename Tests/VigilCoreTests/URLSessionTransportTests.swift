import Foundation
import Testing

@testable import VigilCore

/// These tests talk to a real HTTP server on 127.0.0.1 (``LoopbackHTTPServer``), not a mock.
@Suite("URLSessionTransport against a loopback server")
struct URLSessionTransportTests {
    static func makeServer() throws -> LoopbackHTTPServer {
        try LoopbackHTTPServer { request, connection in
            switch request.path {
            case "/echo":
                let info: [String: Any] = [
                    "method": request.method,
                    "target": request.target,
                    "x-test": request.header("X-Test") ?? "",
                    "user-agent": request.header("User-Agent") ?? "",
                    "body": String(decoding: request.body, as: UTF8.self)
                ]
                let json = try! JSONSerialization.data(withJSONObject: info, options: [.sortedKeys])
                connection.respond(
                    status: 200, headers: [("Content-Type", "application/json"), ("X-Mixed-Case", "yes")],
                    body: [UInt8](json))
            case "/busy":
                connection.respond(
                    status: 503, headers: [("Retry-After", "7"), ("ININ-Correlation-Id", "corr-1")],
                    body: Array(#"{"code":"service.unavailable"}"#.utf8))
            case "/slow-head":
                Thread.sleep(forTimeInterval: Double(request.query["ms"].flatMap(Int.init) ?? 2000) / 1000)
                connection.respond(status: 200, body: Array("late".utf8))
            case "/stream":
                let total = request.query["bytes"].flatMap(Int.init) ?? 0
                connection.writeHead(
                    status: 200,
                    headers: [
                        ("Content-Length", "\(total)"),
                        ("Content-Type", "application/octet-stream")
                    ])
                // Byte i of the body is i % 251; chunks of 64 KiB are cut from a precomputed pattern.
                let chunkSize = 64 * 1024
                let pattern = (0..<(chunkSize + 251)).map { UInt8($0 % 251) }
                var sent = 0
                while sent < total {
                    let n = min(chunkSize, total - sent)
                    let start = sent % 251
                    guard connection.write(Array(pattern[start..<(start + n)])) else { return }
                    sent += n
                }
            default:
                connection.respond(status: 404)
            }
        }
    }

    @Test func sendsMethodHeadersAndBodyAndReadsTheResponse() async throws {
        let server = try Self.makeServer()
        defer { server.stop() }
        let transport = URLSessionTransport()
        let request = HTTPRequest(
            method: .post, url: server.baseURL.appendingPathComponent("echo"),
            headerFields: ["x-TEST": "hello", "Content-Type": "application/json"])
        let (response, body) = try await transport.send(request, body: HTTPBody(#"{"a":1}"#))
        #expect(response.status == 200)
        #expect(response.headerFields["x-mixed-case"] == "yes")
        let bytes = try #require(try await body?.collect(upTo: 1 << 16))
        let echo = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: String])
        #expect(echo["method"] == "POST")
        #expect(echo["target"] == "/echo")
        #expect(echo["x-test"] == "hello")
        #expect(echo["body"] == #"{"a":1}"#)
        #expect(echo["user-agent"] == VigilBuild.userAgent)
    }

    @Test func errorStatusesAreResponsesNotErrors() async throws {
        let server = try Self.makeServer()
        defer { server.stop() }
        let (response, body) = try await URLSessionTransport().send(
            HTTPRequest(method: .get, url: server.baseURL.appendingPathComponent("busy")), body: nil)
        #expect(response.status == 503)
        #expect(response.headerFields["retry-after"] == "7")
        #expect(response.headerFields["inin-correlation-id"] == "corr-1")
        let text = String(decoding: try await body?.collect(upTo: 1024) ?? [], as: UTF8.self)
        #expect(text.contains("service.unavailable"))
    }

    @Test func aSlowServerTimesOutWithATypedError() async throws {
        let server = try Self.makeServer()
        defer { server.stop() }
        let request = HTTPRequest(
            method: .get, url: URL(string: "\(server.baseURL)/slow-head?ms=3000")!,
            timeout: .milliseconds(300))
        let error = await #expect(throws: HTTPTransportError.self) {
            _ = try await URLSessionTransport().send(request, body: nil)
        }
        #expect(error?.code == .timedOut)
        #expect(error?.isRetryable == true)
        #expect(error?.description.contains("slow-head") == true)
        #expect(error?.description.contains("ms=3000") == false, "queries stay out of error text")
    }

    @Test func aRefusedConnectionIsAConnectionFailure() async throws {
        let server = try Self.makeServer()
        let url = server.baseURL.appendingPathComponent("echo")
        server.stop()
        let error = await #expect(throws: HTTPTransportError.self) {
            _ = try await URLSessionTransport().send(HTTPRequest(method: .get, url: url, timeout: .seconds(5)), body: nil)
        }
        #expect(error?.code == .connectionFailed)
    }

    @Test func headerInjectionAndNonHTTPURLsAreRefusedBeforeSending() async throws {
        let server = try Self.makeServer()
        defer { server.stop() }
        let transport = URLSessionTransport()
        var fields = HTTPFields()
        fields["X-Evil"] = "a\r\nInjected: yes"
        let injected = await #expect(throws: HTTPTransportError.self) {
            _ = try await transport.send(
                HTTPRequest(
                    method: .get, url: server.baseURL.appendingPathComponent("echo"),
                    headerFields: fields), body: nil)
        }
        #expect(injected?.code == .invalidRequest)
        let ftp = await #expect(throws: HTTPTransportError.self) {
            _ = try await transport.send(HTTPRequest(method: .get, url: URL(string: "ftp://127.0.0.1/x")!), body: nil)
        }
        #expect(ftp?.code == .invalidRequest)
        #expect(server.receivedRequests.isEmpty)
    }

    @Test func cancellationStopsAWaitingRequest() async throws {
        let server = try Self.makeServer()
        defer { server.stop() }
        let transport = URLSessionTransport()
        let url = URL(string: "\(server.baseURL)/slow-head?ms=30000")!
        let task = Task {
            try await transport.send(HTTPRequest(method: .get, url: url, timeout: .seconds(30)), body: nil)
        }
        // Wait until the server has the request, then cancel.
        for _ in 0..<500 where server.receivedRequests.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        let start = ContinuousClock.now
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(ContinuousClock.now - start < .seconds(10), "far sooner than the 30 s the server would take")
    }

    @Test func aLargeBodyStreamsWithBoundedMemoryWhileTheConsumerStalls() async throws {
        let server = try Self.makeServer()
        defer { server.stop() }
        var configuration = URLSessionTransport.Configuration()
        configuration.memoryBufferLimit = 256 * 1024
        let transport = URLSessionTransport(configuration: configuration)
        let total = 64 * 1024 * 1024
        let url = URL(string: "\(server.baseURL)/stream?bytes=\(total)")!
        let (response, body) = try await transport.send(HTTPRequest(method: .get, url: url), body: nil)
        #expect(response.status == 200)
        let stream = try #require(body)
        #expect(stream.length == .known(Int64(total)))
        var iterator = stream.makeAsyncIterator()
        var received = try await iterator.next()?.count ?? 0
        // The consumer stalls until the server has sent everything: without a bound, all 64 MiB would
        // sit in memory now.
        for _ in 0..<1_000 where server.written.withLock({ $0 }) < total { try await Task.sleep(for: .milliseconds(10)) }
        var largestChunk = 0
        var patternOK = true
        while let chunk = try await iterator.next() {
            largestChunk = max(largestChunk, chunk.count)
            if let first = chunk.first, first != UInt8(truncatingIfNeeded: received % 251) { patternOK = false }
            if let last = chunk.last, last != UInt8(truncatingIfNeeded: (received + chunk.count - 1) % 251) { patternOK = false }
            received += chunk.count
        }
        #expect(received == total)
        #expect(patternOK, "bytes arrive complete and in order through the spill file")
        #expect(largestChunk <= 256 * 1024)
        #expect(
            transport.peakBufferedBytes.withLock { $0 } <= 256 * 1024 + 64 * 1024,
            "memory held stays near the configured limit, not the body size")
    }

    @Test func collectRefusesBodiesOverTheLimitWithoutReadingThem() async throws {
        let server = try Self.makeServer()
        defer { server.stop() }
        let url = URL(string: "\(server.baseURL)/stream?bytes=100000")!
        let (_, body) = try await URLSessionTransport().send(HTTPRequest(method: .get, url: url), body: nil)
        let error = await #expect(throws: HTTPBodyError.self) { _ = try await body?.collect(upTo: 1000) }
        #expect(error?.code == .tooLarge)
    }
}
