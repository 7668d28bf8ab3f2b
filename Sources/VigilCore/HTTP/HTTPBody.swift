import Foundation

/// A request or response body: an asynchronous sequence of byte chunks.
///
/// A body made from bytes in memory can be iterated any number of times; a body made from a stream
/// (a network response, a file being read) can be iterated once — a second iteration throws
/// ``HTTPBodyError/Code/alreadyIterated`` instead of silently yielding nothing.
///
/// Read a whole body with ``collect(upTo:)``, which refuses to buffer more than a limit, so a hostile or
/// unexpectedly large response can never exhaust memory:
///
/// ```swift
/// let (response, body) = try await transport.send(request, body: nil)
/// let bytes = try await body?.collect(upTo: 1 << 20) ?? []
/// ```
public struct HTTPBody: AsyncSequence, Sendable {
    /// A chunk of bytes.
    public typealias Element = [UInt8]
    /// Iteration may throw (a network failure mid-body, a second iteration of a single-use body).
    public typealias Failure = any Error

    /// The total length of a body, when it is known up front.
    public enum Length: Sendable, Hashable {
        /// The body has exactly this many bytes (e.g. from `Content-Length`).
        case known(Int64)
        /// The length is not known until the body ends.
        case unknown
    }

    /// Whether a body can be iterated more than once.
    public enum IterationBehavior: Sendable, Hashable {
        /// Only one iteration is possible (a stream).
        case single
        /// The body can be replayed (bytes in memory) — e.g. for a retry.
        case multiple
    }

    /// The iterator: pulls the next chunk from the underlying source.
    public struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate var pull: () async throws -> [UInt8]?

        /// The next chunk, or `nil` at the end of the body.
        public mutating func next() async throws -> [UInt8]? {
            try await pull()
        }
    }

    /// The body's length, when known.
    public let length: Length
    /// Whether the body can be iterated more than once.
    public let iterationBehavior: IterationBehavior

    private let source: Source

    /// Creates a replayable body from bytes in memory.
    public init(_ bytes: [UInt8]) {
        length = .known(Int64(bytes.count))
        iterationBehavior = .multiple
        source = Source(single: false) {
            var delivered = bytes.isEmpty
            return {
                if delivered { return nil }
                delivered = true
                return bytes
            }
        }
    }

    /// Creates a replayable body from the UTF-8 bytes of `string`.
    public init(_ string: String) {
        self.init(Array(string.utf8))
    }

    /// Creates a replayable body from `data`.
    public init(_ data: Data) {
        self.init([UInt8](data))
    }

    /// Creates a single-use body from any sendable asynchronous sequence of chunks.
    ///
    /// - Parameters:
    ///   - sequence: the chunks; iterated at most once.
    ///   - length: the total length when known.
    public init<S: AsyncSequence & Sendable>(_ sequence: S, length: Length = .unknown) where S.Element == [UInt8] {
        self.length = length
        iterationBehavior = .single
        source = Source(single: true) {
            let box = IteratorBox(sequence.makeAsyncIterator())
            return { try await box.next() }
        }
    }

    /// Creates a single-use body and the continuation that feeds it, for producers that push bytes.
    ///
    /// Call `finish()` (or `finish(throwing:)`) on the continuation when the body ends.
    public static func makeStream(length: Length = .unknown) -> (HTTPBody, AsyncThrowingStream<[UInt8], any Error>.Continuation) {
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        return (HTTPBody(stream, length: length), continuation)
    }

    /// Starts an iteration. A second iteration of a ``IterationBehavior/single`` body throws on the
    /// first `next()`.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(pull: source.makePull())
    }

    /// Reads the whole body into memory, refusing to hold more than `maxBytes`.
    ///
    /// When the length is known and already exceeds the limit, nothing is read.
    ///
    /// - Throws: ``HTTPBodyError`` with code ``HTTPBodyError/Code/tooLarge`` past the limit, or whatever
    ///   the underlying source throws.
    public func collect(upTo maxBytes: Int) async throws -> [UInt8] {
        if case .known(let count) = length, count > Int64(maxBytes) {
            throw HTTPBodyError.tooLarge(limit: maxBytes)
        }
        var result: [UInt8] = []
        if case .known(let count) = length { result.reserveCapacity(Int(count)) }
        for try await chunk in self {
            guard result.count + chunk.count <= maxBytes else { throw HTTPBodyError.tooLarge(limit: maxBytes) }
            result.append(contentsOf: chunk)
        }
        return result
    }
}

extension HTTPBody {
    /// Produces pull closures; enforces single iteration for stream-backed bodies.
    fileprivate final class Source: @unchecked Sendable {
        private let lock = NSLock()
        private var iterated = false
        private let single: Bool
        private let factory: @Sendable () -> () async throws -> [UInt8]?

        init(single: Bool, factory: @escaping @Sendable () -> () async throws -> [UInt8]?) {
            self.single = single
            self.factory = factory
        }

        func makePull() -> () async throws -> [UInt8]? {
            let alreadyIterated: Bool = lock.withLock {
                defer { iterated = true }
                return iterated
            }
            if single && alreadyIterated {
                return { throw HTTPBodyError.alreadyIterated }
            }
            return factory()
        }
    }

    /// Holds a type-erased async iterator so the pull closure can advance it.
    fileprivate final class IteratorBox<Base: AsyncIteratorProtocol>: @unchecked Sendable where Base.Element == [UInt8] {
        private var base: Base
        init(_ base: Base) { self.base = base }
        // Only one consumer iterates a body at a time (AsyncSequence iteration is not concurrent).
        func next() async throws -> [UInt8]? {
            var iterator = base
            defer { base = iterator }
            return try await iterator.next()
        }
    }
}

/// An error reading an ``HTTPBody``.
public struct HTTPBodyError: VigilCodedError, Hashable {
    /// The kind of failure; new kinds are added as new static members.
    public struct Code: VigilErrorCode {
        private enum Base: String { case tooLarge, alreadyIterated }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The body is larger than the caller's limit.
        public static let tooLarge = Code(.tooLarge)
        /// A single-use body was iterated a second time.
        public static let alreadyIterated = Code(.alreadyIterated)

        /// `body`: codes read `body.<name>`, e.g. `body.tooLarge`.
        public static let domain = "body"
        /// The name within ``domain``, e.g. `tooLarge`.
        public var name: String { base.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// The limit that was exceeded, for ``Code/tooLarge``.
    public let limit: Int?

    /// The body exceeded `limit` bytes.
    public static func tooLarge(limit: Int) -> HTTPBodyError { HTTPBodyError(code: .tooLarge, limit: limit) }
    /// A single-use body was iterated twice.
    public static let alreadyIterated = HTTPBodyError(code: .alreadyIterated, limit: nil)

    /// Body errors are not fixed by repeating the same read.
    public var isRetryable: Bool { false }

    /// A description without any body content.
    public var description: String {
        switch code {
        case .tooLarge: "HTTP body exceeds the limit of \(limit ?? 0) bytes"
        default: "HTTP body can be iterated only once"
        }
    }
}
