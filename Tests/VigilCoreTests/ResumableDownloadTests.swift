import Foundation
import Testing

@testable import VigilCore

/// `ResumableDownload` against scripted responses: what it asks for after each kind of cut.
@Suite("ResumableDownload")
struct ResumableDownloadTests {
    struct Truncated: Error, Equatable {
        let delivered: Int64
        let reason: String
    }

    /// Records the `start` of every fetch and answers from `script`.
    final class Script: @unchecked Sendable {
        let lock = NSLock()
        var starts: [Int64] = []
        let answer: @Sendable (Int64, Int) -> (HTTPResponse, HTTPBody?)
        init(_ answer: @escaping @Sendable (Int64, Int) -> (HTTPResponse, HTTPBody?)) { self.answer = answer }
        func fetch(_ start: Int64) -> (HTTPResponse, HTTPBody?) {
            let attempt = lock.withLock {
                starts.append(start); return starts.count
            }
            return answer(start, attempt)
        }
    }

    static let resource = (0..<1_000).map { UInt8($0 % 251) }

    static func response(_ status: Int, _ headers: HTTPFields) -> HTTPResponse { HTTPResponse(status: status, headerFields: headers) }

    /// A body of `bytes` in 100-byte chunks, failing after them when `fail`.
    static func body(_ bytes: ArraySlice<UInt8>, fail: Bool = false) -> HTTPBody {
        let chunks = stride(from: bytes.startIndex, to: bytes.endIndex, by: 100).map { Array(bytes[$0..<min($0 + 100, bytes.endIndex)]) }
        let stream = AsyncThrowingStream<[UInt8], any Error> { continuation in
            for chunk in chunks { continuation.yield(chunk) }
            continuation.finish(throwing: fail ? HTTPTransportError(code: .connectionFailed, request: "GET /r", detail: "reset") : nil)
        }
        return HTTPBody(stream)
    }

    static func download(first: HTTPBody, length: Int? = resource.count, script: Script, resumes: Int = 3) -> ResumableDownload {
        var headers = HTTPFields()
        if let length { headers["Content-Length"] = String(length) }
        return ResumableDownload(
            response: Self.response(200, headers), body: first, maximumResumes: resumes,
            fetch: { start in script.fetch(start) },
            exhausted: { delivered, _, reason in Truncated(delivered: delivered, reason: reason) })
    }

    static func ranged(_ start: Int64, cutAt end: Int? = nil) -> (HTTPResponse, HTTPBody?) {
        let total = resource.count
        var headers = HTTPFields()
        headers["Content-Range"] = "bytes \(start)-\(total - 1)/\(total)"
        return (response(206, headers), body(resource[Int(start)..<(end ?? total)]))
    }

    static func collect(_ download: ResumableDownload) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in download { bytes += chunk }
        return bytes
    }

    @Test("A body cut short is completed from the byte delivered; twice; a failing body too")
    func resumesFromTheLastByte() async throws {
        let script = Script { start, attempt in attempt == 1 ? Self.ranged(start, cutAt: 700) : Self.ranged(start) }
        let download = Self.download(first: Self.body(Self.resource[0..<300]), script: script)
        #expect(try await Self.collect(download) == Self.resource)
        #expect(script.starts == [300, 700])
        #expect(download.resumes == 2)

        let failing = Script { start, _ in Self.ranged(start) }
        let reset = Self.download(first: Self.body(Self.resource[0..<400], fail: true), script: failing)
        #expect(try await Self.collect(reset) == Self.resource)
        #expect(failing.starts == [400])
    }

    @Test("A host that ignores Range answers 200: its first bytes are skipped")
    func wholeAnswerToARange() async throws {
        let script = Script { _, _ in (Self.response(200, ["Content-Length": String(Self.resource.count)]), Self.body(Self.resource[...])) }
        let download = Self.download(first: Self.body(Self.resource[0..<250]), script: script)
        #expect(try await Self.collect(download) == Self.resource)
    }

    @Test("What cannot be completed is the caller's typed error, after at most the allowed resumes")
    func refusals() async throws {
        // A 206 that does not continue where the stream stopped.
        let wrong = Script { _, _ in Self.ranged(10) }
        await #expect(throws: Truncated.self) { _ = try await Self.collect(Self.download(first: Self.body(Self.resource[0..<300]), script: wrong)) }
        // Cut every time: three resumes, then the error.
        let cutting = Script { start, _ in Self.ranged(start, cutAt: Int(start) + 10) }
        let error = await #expect(throws: Truncated.self) {
            _ = try await Self.collect(Self.download(first: Self.body(Self.resource[0..<300]), script: cutting))
        }
        #expect(cutting.starts == [300, 310, 320])
        #expect(error?.delivered == 330)
        // Longer than announced.
        let long = Self.download(first: Self.body(Self.resource[...]), length: 500, script: Script { _, _ in Self.ranged(0) })
        let tooLong = await #expect(throws: Truncated.self) { _ = try await Self.collect(long) }
        #expect(tooLong?.reason.contains("longer than announced") == true)
        // A status other than 200/206.
        let refused = Script { _, _ in (Self.response(416, [:]), nil) }
        await #expect(throws: Truncated.self) { _ = try await Self.collect(Self.download(first: Self.body(Self.resource[0..<300]), script: refused)) }
    }

    @Test("Without a length a short body is passed through; the range request carries the header")
    func unknownLengthAndRequest() async throws {
        let script = Script { _, _ in Self.ranged(0) }
        let download = Self.download(first: Self.body(Self.resource[0..<300]), length: nil, script: script)
        #expect(try await Self.collect(download) == Array(Self.resource[0..<300]))
        #expect(script.starts.isEmpty)
        let url = URL(string: "https://media.example/r.wav?X-Amz-Signature=abc")!
        #expect(ResumableDownload.rangeRequest(for: url, from: 0).headerFields["Range"] == nil)
        #expect(ResumableDownload.rangeRequest(for: url, from: 512).headerFields["Range"] == "bytes=512-")
        #expect(ResumableDownload.contentRange("bytes 512-999/1000")! == (512, 1000))
        #expect(ResumableDownload.contentRange("bytes 512-999/*")! == (512, nil))
        #expect(ResumableDownload.contentRange("items 1-2/3") == nil && ResumableDownload.contentRange("bytes x-9/10") == nil)
    }
}
