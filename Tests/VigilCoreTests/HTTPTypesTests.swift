import Foundation
import Testing

@testable import VigilCore

@Suite("HTTPFields")
struct HTTPFieldsTests {
    @Test func lookupIgnoresCaseButKeepsTheSpelling() {
        var fields: HTTPFields = ["Content-Type": "application/json"]
        #expect(fields["content-type"] == "application/json")
        #expect(fields["CONTENT-TYPE"] == "application/json")
        fields["content-TYPE"] = "text/plain"
        #expect(fields.count == 1)
        #expect(fields.map(\.name) == ["content-TYPE"])
        #expect(fields["Content-Type"] == "text/plain")
        fields["Content-Type"] = nil
        #expect(fields.isEmpty)
    }

    @Test func nonLettersAreNotFoldedTogether() {
        // '[' (0x5B) and '{' (0x7B) differ only in bit 0x20 but are not letters.
        let fields: HTTPFields = ["a[": "1"]
        #expect(fields["a{"] == nil)
        #expect(fields["A["] == "1")
    }

    @Test func repeatedFieldsKeepOrder() {
        var fields = HTTPFields()
        fields.append(name: "Set-Cookie", value: "a=1")
        fields.append(name: "set-cookie", value: "b=2")
        #expect(fields.values(for: "SET-COOKIE") == ["a=1", "b=2"])
        fields.removeAll(named: "Set-Cookie")
        #expect(!fields.contains("set-cookie"))
    }

    @Test func descriptionRedactsCredentials() {
        let fields: HTTPFields = [
            "Authorization": "Bearer secret-token-value",
            "webhook-signature": "v1,abc",
            "X-API-KEY": "key-123",
            "Accept": "application/json"
        ]
        let text = fields.description
        #expect(!text.contains("secret-token-value"))
        #expect(!text.contains("v1,abc"))
        #expect(!text.contains("key-123"))
        #expect(text.contains("Accept: application/json"))
        #expect(text.contains("Authorization: <redacted>"))
    }

    @Test func headerInjectionIsDetected() {
        #expect(HTTPFields([("X", "fine")]).firstInvalidFieldName == nil)
        #expect(HTTPFields([("X", "a\r\nB: c")]).firstInvalidFieldName == "X")
        #expect(HTTPFields([("Bad Name", "v")]).firstInvalidFieldName != nil)
        #expect(HTTPFields([("", "v")]).firstInvalidFieldName != nil)
    }

    @Test func equalityIgnoresNameCase() {
        #expect(HTTPFields([("A", "1")]) == HTTPFields([("a", "1")]))
        #expect(HTTPFields([("A", "1")]).hashValue == HTTPFields([("a", "1")]).hashValue)
        #expect(HTTPFields([("A", "1")]) != HTTPFields([("A", "2")]))
    }

    @Test func requestDescriptionDropsQueryAndCredentials() throws {
        let url = try #require(URL(string: "https://user:pw@media.example.com/rec/1.wav?X-Amz-Signature=abc#frag"))
        let request = HTTPRequest(method: .get, url: url, headerFields: ["Authorization": "Bearer t"])
        #expect(request.description == "GET https://media.example.com/rec/1.wav")
    }

    @Test func methodIdempotency() {
        #expect(HTTPMethod.get.isIdempotent)
        #expect(HTTPMethod.put.isIdempotent)
        #expect(!HTTPMethod.post.isIdempotent)
        #expect(!HTTPMethod.patch.isIdempotent)
    }
}

@Suite("HTTPBody")
struct HTTPBodyTests {
    @Test func bytesBodiesReplay() async throws {
        let body = HTTPBody("hello")
        #expect(body.length == .known(5))
        #expect(body.iterationBehavior == .multiple)
        #expect(try await body.collect(upTo: 5) == Array("hello".utf8))
        #expect(try await body.collect(upTo: 5) == Array("hello".utf8))
    }

    @Test func emptyBodyYieldsNoChunks() async throws {
        var chunks = 0
        for try await _ in HTTPBody([UInt8]()) { chunks += 1 }
        #expect(chunks == 0)
    }

    @Test func collectStopsAtTheLimit() async throws {
        let (body, continuation) = HTTPBody.makeStream()
        continuation.yield(Array(repeating: 1, count: 600))
        continuation.yield(Array(repeating: 2, count: 600))
        continuation.finish()
        let error = await #expect(throws: HTTPBodyError.self) { _ = try await body.collect(upTo: 1000) }
        #expect(error?.code == .tooLarge)
        #expect(error?.errorCode == "body.tooLarge")
        #expect(error?.description.contains("1000") == true)
    }

    @Test func knownOversizeLengthFailsWithoutReading() async throws {
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let body = HTTPBody(stream, length: .known(10_000))
        let error = await #expect(throws: HTTPBodyError.self) { _ = try await body.collect(upTo: 100) }
        #expect(error?.code == .tooLarge)
        continuation.finish()
    }

    @Test func streamBodiesIterateOnce() async throws {
        let (body, continuation) = HTTPBody.makeStream()
        continuation.yield([1, 2, 3])
        continuation.finish()
        #expect(try await body.collect(upTo: 10) == [1, 2, 3])
        let error = await #expect(throws: HTTPBodyError.self) { _ = try await body.collect(upTo: 10) }
        #expect(error?.code == .alreadyIterated)
    }

    @Test func sourceErrorsPropagate() async throws {
        struct Broken: Error {}
        let (body, continuation) = HTTPBody.makeStream()
        continuation.yield([1])
        continuation.finish(throwing: Broken())
        await #expect(throws: Broken.self) { _ = try await body.collect(upTo: 10) }
    }
}

@Suite("SpillBuffer")
struct SpillBufferTests {
    @Test func preservesOrderAcrossMemoryAndDisk() throws {
        let buffer = SpillBuffer(memoryLimit: 10, directory: FileManager.default.temporaryDirectory, readChunkSize: 4)
        var expected: [UInt8] = []
        var read: [UInt8] = []
        var next: UInt8 = 0
        // Interleave writes and reads so data goes memory → disk → memory again.
        for round in 0..<50 {
            let chunk = (0..<(round % 7 + 1)).map { _ -> UInt8 in
                next &+= 1; return next
            }
            expected += chunk
            try buffer.append(chunk)
            if round % 3 == 0, let out = try buffer.next() { read += out }
            #expect(buffer.memoryBytes <= 10)
        }
        while let out = try buffer.next() { read += out }
        #expect(read == expected)
        #expect(buffer.isEmpty)
        #expect(buffer.peakMemoryBytes <= 10)
    }

    @Test func withoutADirectoryEverythingStaysInMemory() throws {
        let buffer = SpillBuffer(memoryLimit: 4, directory: nil)
        try buffer.append([1, 2, 3, 4, 5, 6])
        #expect(buffer.memoryBytes == 6)
        #expect(try buffer.next() == [1, 2, 3, 4, 5, 6])
    }

    @Test func theSpillFileHasNoNameOnDisk() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-spill-test-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let buffer = SpillBuffer(memoryLimit: 1, directory: directory)
        try buffer.append([1])
        try buffer.append([2, 3, 4])
        #expect(buffer.spilledBytes == 3)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
        #expect(try buffer.next() == [1])
        #expect(try buffer.next() == [2, 3, 4])
    }
}
