import Foundation

/// One downloaded resource as a byte stream that survives a cut connection: when the body ends short
/// of the announced `Content-Length`, or fails mid-way, the rest is asked for with
/// `Range: bytes=<delivered>-` — from the last byte the consumer was handed, so it sees one unbroken
/// stream and nothing is read twice. The pre-signed hosts Genesys Cloud hands out (S3) answer ranges.
///
/// ```swift
/// let stream = ResumableDownload(response: response, body: body, fetch: { start in
///     try await transport.send(ResumableDownload.rangeRequest(for: url, from: start), body: nil)
/// }, exhausted: { delivered, length in MyError.truncated(delivered, length) })
/// for try await chunk in stream { … }
/// ```
///
/// A `206` must start at the byte asked for and name the same total length; a `200` (a host that
/// ignores `Range`) is accepted and its first bytes skipped. A body longer than announced, a range
/// answer that does not fit, or more than ``maximumResumes`` cuts end the stream with the error
/// `exhausted` builds. Without a known length a short body cannot be told from a complete one and is
/// passed through as it is. Cancellation is never retried.
public struct ResumableDownload: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    /// Asks for the resource from byte `start` (`start` > 0: a range request). Throws when it cannot
    /// (an expired link it cannot refresh, a refusal): that error ends the stream.
    public typealias Fetch = @Sendable (_ start: Int64) async throws -> (HTTPResponse, HTTPBody?)
    /// The error to end the stream with when it cannot be completed: bytes delivered, announced length,
    /// what went wrong.
    public typealias Exhausted = @Sendable (_ delivered: Int64, _ length: Int64?, _ reason: String) -> any Error

    /// The announced length (`Content-Length` of the first response), if any.
    public let length: Int64?
    /// How many cuts are resumed before giving up (default 3).
    public let maximumResumes: Int
    private let first: HTTPBody?
    private let fetch: Fetch
    private let exhausted: Exhausted
    private let resumed: Locked<Int>

    /// Wraps the first response of a download.
    public init(
        response: HTTPResponse, body: HTTPBody?, maximumResumes: Int = 3, fetch: @escaping Fetch,
        exhausted: @escaping Exhausted
    ) {
        length =
            response.headerFields["Content-Length"].flatMap { Int64($0) }
            ?? { if case let .known(count) = body?.length { return count } else { return nil } }()
        first = body
        self.maximumResumes = maximumResumes
        self.fetch = fetch
        self.exhausted = exhausted
        resumed = Locked(0)
    }

    /// The cuts resumed so far (for reports and tests).
    public var resumes: Int { resumed.withLock { $0 } }

    /// `GET url` with `Range: bytes=<start>-` (no header for `start` 0).
    public static func rangeRequest(
        for url: URL, from start: Int64, headers: HTTPFields = HTTPFields(),
        timeout: Duration? = nil
    ) -> HTTPRequest {
        var fields = headers
        if start > 0 { fields["Range"] = "bytes=\(start)-" }
        return HTTPRequest(method: .get, url: url, headerFields: fields, timeout: timeout)
    }

    /// `bytes <first>-<last>/<total>` → (first, total); `nil` when malformed.
    static func contentRange(_ value: String) -> (first: Int64, total: Int64?)? {
        guard value.hasPrefix("bytes ") else { return nil }
        let spec = value.dropFirst(6)
        let halves = spec.split(separator: "/", maxSplits: 1)
        guard halves.count == 2, let dash = halves[0].firstIndex(of: "-"),
            let first = Int64(halves[0][..<dash]), Int64(halves[0][halves[0].index(after: dash)...]) != nil
        else { return nil }
        return (first, halves[1] == "*" ? nil : Int64(halves[1]))
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(download: self, current: first?.makeAsyncIterator())
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let download: ResumableDownload
        var current: HTTPBody.AsyncIterator?
        var delivered: Int64 = 0
        /// Bytes still to drop from the current body (a host that answered a range with the whole file).
        var skip: Int64 = 0
        var resumes = 0

        public mutating func next() async throws -> [UInt8]? {
            while true {
                let chunk: [UInt8]?
                do {
                    if var iterator = current {
                        chunk = try await iterator.next()
                        current = iterator
                    } else {
                        chunk = nil
                    }
                } catch let error as HTTPTransportError where error.code == .cancelled {
                    throw error
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    // Without a length a failed body cannot be resumed safely.
                    guard let length = download.length, delivered < length else { throw error }
                    try await resume(after: "the body failed mid-way (\(type(of: error)))")
                    continue
                }
                guard let chunk else {
                    guard let length = download.length, delivered < length else { return nil }
                    try await resume(after: "the body ended at byte \(delivered) of \(length)")
                    continue
                }
                var bytes = chunk[...]
                if skip > 0 {
                    let dropped = Int(Swift.min(skip, Int64(bytes.count)))
                    bytes = bytes.dropFirst(dropped)
                    skip -= Int64(dropped)
                }
                if bytes.isEmpty { continue }
                if let length = download.length, delivered + Int64(bytes.count) > length {
                    throw download.exhausted(delivered, length, "the body is longer than announced")
                }
                delivered += Int64(bytes.count)
                return Array(bytes)
            }
        }

        private mutating func resume(after failure: String) async throws {
            try Task.checkCancellation()
            guard resumes < download.maximumResumes else {
                throw download.exhausted(delivered, download.length, "\(failure); \(resumes) resumes already")
            }
            resumes += 1
            download.resumed.withLock { $0 += 1 }
            let (response, body) = try await download.fetch(delivered)
            switch response.status {
            case 206:
                guard let range = response.headerFields["Content-Range"].flatMap(ResumableDownload.contentRange),
                    range.first == delivered, range.total == nil || range.total == download.length
                else {
                    throw download.exhausted(delivered, download.length, "the range answer does not continue at byte \(delivered)")
                }
                skip = 0
            case 200:
                skip = delivered  // the host ignored Range: the whole resource again
            default:
                throw download.exhausted(delivered, download.length, "the range request was answered \(response.status)")
            }
            current = (body ?? HTTPBody([])).makeAsyncIterator()
        }
    }
}
