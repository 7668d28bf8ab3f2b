import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// An ``HTTPTransport`` over Foundation's `URLSession` (FoundationNetworking on Linux). No dependencies.
///
/// - The response head is returned as soon as it arrives; the body streams behind it chunk by chunk.
/// - Bounded memory: `URLSession` on Linux cannot pause delivery, so when the consumer reads slower than
///   the network delivers, bytes beyond ``Configuration/memoryBufferLimit`` go to an anonymous, already
///   unlinked temporary file (mode 0600, no name on disk, gone when closed) and are read back in order.
///   Downloading a 1 GiB recording holds about the limit in memory whatever the consumer's pace. Set
///   ``Configuration/spillDirectory`` to `nil` to keep everything in memory instead.
/// - Timeouts: ``HTTPRequest/timeout`` (or ``Configuration/defaultTimeout``) bounds the wait for the
///   response head and every gap between body bytes, enforced by the transport itself (Foundation on
///   Linux truncates `timeoutInterval` to whole seconds). It surfaces as
///   ``HTTPTransportError/Code/timedOut``.
/// - Cancelling the calling task, or dropping the body unread, cancels the transfer.
/// - Request bodies are sent from memory (Vigil's requests are small JSON documents) and are limited to
///   ``Configuration/maxRequestBodyBytes``.
/// - Redirects are not followed: a 3xx is returned to the caller, so a credential never travels to a
///   host the caller did not name.
public final class URLSessionTransport: HTTPTransport {
    /// Settings for a ``URLSessionTransport``.
    public struct Configuration: Sendable {
        /// Used when a request has no ``HTTPRequest/timeout``. Default 30 s.
        public var defaultTimeout: Duration = .seconds(30)
        /// Largest request body accepted. Default 16 MiB.
        public var maxRequestBodyBytes: Int = 16 << 20
        /// Response bytes held in memory per transfer before the rest spills to disk. Default 1 MiB.
        public var memoryBufferLimit: Int = 1 << 20
        /// Where spill files are created; `nil` buffers everything in memory. Default: the temporary
        /// directory.
        public var spillDirectory: URL? = FileManager.default.temporaryDirectory
        /// Sent as `User-Agent` unless the request sets one. `nil` sends none.
        public var userAgent: String? = VigilBuild.userAgent

        /// The defaults.
        public init() {}
    }

    private let configuration: Configuration
    /// The most response-body bytes any transfer of this transport held in memory at once.
    let peakBufferedBytes = Locked(0)
    private let session: URLSession
    private let delegate: SessionDelegate

    /// Creates a transport with its own `URLSession`.
    ///
    /// - Parameters:
    ///   - configuration: timeouts, limits and buffering.
    ///   - sessionConfiguration: the `URLSessionConfiguration`; ephemeral (no cookies, no cache) by default.
    public init(
        configuration: Configuration = Configuration(),
        sessionConfiguration: URLSessionConfiguration = .ephemeral
    ) {
        self.configuration = configuration
        let delegate = SessionDelegate()
        self.delegate = delegate
        sessionConfiguration.httpCookieStorage = nil
        sessionConfiguration.urlCache = nil
        sessionConfiguration.requestCachePolicy = .reloadIgnoringLocalCacheData
        self.session = URLSession(configuration: sessionConfiguration, delegate: delegate, delegateQueue: nil)
    }

    deinit {
        session.finishTasksAndInvalidate()
    }

    /// Sends the request; see ``HTTPTransport/send(_:body:)``.
    public func send(_ request: HTTPRequest, body: HTTPBody?) async throws -> (HTTPResponse, HTTPBody?) {
        try Task.checkCancellation()
        guard let scheme = request.url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            request.url.host != nil
        else {
            throw HTTPTransportError(code: .invalidRequest, request: request, detail: "only absolute http(s) URLs are supported")
        }
        if let bad = request.headerFields.firstInvalidFieldName {
            throw HTTPTransportError(code: .invalidRequest, request: request, detail: "invalid header field \(bad)")
        }
        let timeout = request.timeout ?? configuration.defaultTimeout
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method.rawValue
        // A backstop only; the watchdog below enforces the real (sub-second capable) timeout.
        urlRequest.timeoutInterval = (timeout.seconds * 2 + 1).rounded(.up)
        for field in request.headerFields {
            urlRequest.addValue(field.value, forHTTPHeaderField: field.name)
        }
        if let userAgent = configuration.userAgent, !request.headerFields.contains("User-Agent") {
            urlRequest.setValue(userAgent, forHTTPHeaderField: "User-Agent")
        }
        if let body {
            do {
                urlRequest.httpBody = Data(try await body.collect(upTo: configuration.maxRequestBodyBytes))
            } catch let error as HTTPBodyError where error.code == .tooLarge {
                throw HTTPTransportError(
                    code: .bodyTooLarge, request: request,
                    detail: "request body exceeds \(configuration.maxRequestBodyBytes) bytes")
            }
        }

        let task = session.dataTask(with: urlRequest)
        // The state keeps this transport (and so its session) alive until the body has been read, even
        // when the caller drops its reference to the transport right after `send` returns.
        let state = TransferState(
            task: task, request: request, timeout: timeout, owner: self, peak: peakBufferedBytes,
            buffer: SpillBuffer(
                memoryLimit: configuration.memoryBufferLimit,
                directory: configuration.spillDirectory))
        delegate.register(state, for: task)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                state.start(awaitingHead: continuation)
            }
        } onCancel: {
            state.cancel()
        }
    }
}

extension Duration {
    /// The duration in seconds as a `Double`.
    public var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}

// MARK: - Transfer state

/// One transfer, shared by the delegate queue (producer), the caller (consumer) and the watchdog.
private final class TransferState: @unchecked Sendable {
    typealias Head = (HTTPResponse, HTTPBody?)

    let task: URLSessionDataTask
    let request: HTTPRequest
    private let timeout: Duration
    private let owner: AnyObject
    private let peak: Locked<Int>
    private let lock = NSLock()
    private let buffer: SpillBuffer
    private var head: CheckedContinuation<Head, any Error>?
    private var waiter: CheckedContinuation<Void, Never>?
    private var finished = false
    private var failure: (any Error)?
    private var timedOut = false
    private var lastActivity = ContinuousClock.now
    private var watchdog: Task<Void, Never>?

    init(
        task: URLSessionDataTask, request: HTTPRequest, timeout: Duration, owner: AnyObject, peak: Locked<Int>,
        buffer: SpillBuffer
    ) {
        self.peak = peak
        self.task = task
        self.request = request
        self.timeout = timeout
        self.owner = owner
        self.buffer = buffer
    }

    func start(awaitingHead continuation: CheckedContinuation<Head, any Error>) {
        lock.withLock {
            head = continuation
            lastActivity = .now
            watchdog = Task { [weak self] in await self?.watch() }
        }
        task.resume()
    }

    /// Fails the transfer when neither the head nor body bytes arrive within the timeout.
    private func watch() async {
        while true {
            let deadline: ContinuousClock.Instant? = lock.withLock { finished ? nil : lastActivity + timeout }
            guard let deadline else { return }
            do { try await Task.sleep(until: deadline, clock: .continuous) } catch { return }
            let expired: Bool = lock.withLock {
                guard !finished, ContinuousClock.now >= lastActivity + timeout else { return false }
                timedOut = true
                return true
            }
            if expired {
                task.cancel()
                return
            }
        }
    }

    func cancel() {
        task.cancel()
    }

    func receivedResponse(_ http: HTTPURLResponse) {
        var fields = HTTPFields()
        for (name, value) in http.allHeaderFields {
            fields.append(name: "\(name)", value: "\(value)")
        }
        let response = HTTPResponse(status: http.statusCode, headerFields: fields)
        let length: HTTPBody.Length
        if let value = fields["Content-Length"], let count = Int64(value), count >= 0 {
            length = .known(count)
        } else {
            length = .unknown
        }
        let body = request.method == .head ? nil : HTTPBody(ResponseChunks(reader: BodyReader(state: self)), length: length)
        let continuation: CheckedContinuation<Head, any Error>? = lock.withLock {
            lastActivity = .now
            defer { head = nil }
            return head
        }
        continuation?.resume(returning: (response, body))
    }

    func receivedData(_ data: Data) {
        let wake: CheckedContinuation<Void, Never>? = lock.withLock {
            lastActivity = .now
            do {
                try buffer.append([UInt8](data))
                let held = buffer.memoryBytes
                peak.withLock { $0 = max($0, held) }
            } catch {
                failure = HTTPTransportError(
                    code: .connectionFailed, request: request,
                    detail: "could not buffer the response body")
                finished = true
                task.cancel()
            }
            defer { waiter = nil }
            return waiter
        }
        wake?.resume()
    }

    func completed(with error: (any Error)?) {
        let (headWaiter, bodyWaiter, mapped): (CheckedContinuation<Head, any Error>?, CheckedContinuation<Void, Never>?, (any Error)?) =
            lock.withLock {
                let mapped = error.map { mapError($0, timedOut: timedOut) }
                if failure == nil { failure = mapped }
                finished = true
                watchdog?.cancel()
                defer { head = nil; waiter = nil }
                return (head, waiter, failure)
            }
        headWaiter?.resume(
            throwing: mapped
                ?? HTTPTransportError(
                    code: .invalidResponse, request: request,
                    detail: "connection closed without a response"))
        bodyWaiter?.resume()
    }

    /// The consumer's pull: the next chunk, `nil` at the end, or the transfer's failure.
    func nextChunk() async throws -> [UInt8]? {
        while true {
            try Task.checkCancellation()
            enum Step { case chunk([UInt8]), end, fail(any Error), wait }
            let step: Step = lock.withLock {
                do {
                    if let chunk = try buffer.next() { return .chunk(chunk) }
                } catch {
                    return .fail(
                        HTTPTransportError(
                            code: .connectionFailed, request: request,
                            detail: "could not read the buffered response body"))
                }
                if finished { return failure.map { .fail($0) } ?? .end }
                return .wait
            }
            switch step {
            case .chunk(let chunk): return chunk
            case .end: return nil
            case .fail(let error): throw error
            case .wait:
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        let resumeNow: Bool = lock.withLock {
                            if finished || !buffer.isEmpty { return true }
                            waiter = continuation
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                } onCancel: {
                    let pending: CheckedContinuation<Void, Never>? = lock.withLock {
                        defer { waiter = nil }
                        return waiter
                    }
                    task.cancel()
                    pending?.resume()
                }
            }
        }
    }

    /// The consumer gave up on the body: stop the transfer if it is still running.
    func abandon() {
        let running = lock.withLock { !finished }
        if running { task.cancel() }
    }

    private func mapError(_ error: any Error, timedOut: Bool) -> any Error {
        if timedOut {
            return HTTPTransportError(code: .timedOut, request: request, detail: "no response within \(timeout)")
        }
        guard let urlError = error as? URLError else {
            return HTTPTransportError(code: .connectionFailed, request: request, detail: "transfer failed")
        }
        switch urlError.code {
        case .timedOut:
            return HTTPTransportError(code: .timedOut, request: request, detail: "no response within \(timeout)")
        case .cancelled:
            return CancellationError()
        case .badServerResponse, .cannotParseResponse, .cannotDecodeRawData, .cannotDecodeContentData:
            return HTTPTransportError(code: .invalidResponse, request: request, detail: "URLError \(urlError.code.rawValue)")
        case .unsupportedURL, .badURL:
            return HTTPTransportError(code: .invalidRequest, request: request, detail: "URLError \(urlError.code.rawValue)")
        default:
            return HTTPTransportError(code: .connectionFailed, request: request, detail: "URLError \(urlError.code.rawValue)")
        }
    }
}

/// Owned by the response body: cancels the transfer when the body is dropped before it ends.
private final class BodyReader: Sendable {
    let state: TransferState
    init(state: TransferState) { self.state = state }
    deinit { state.abandon() }
}

/// The consumer's view of a streaming response body.
private struct ResponseChunks: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let reader: BodyReader

    struct AsyncIterator: AsyncIteratorProtocol {
        let reader: BodyReader
        mutating func next() async throws -> [UInt8]? {
            try await reader.state.nextChunk()
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(reader: reader) }
}

private final class SessionDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var states: [Int: TransferState] = [:]

    func register(_ state: TransferState, for task: URLSessionTask) {
        lock.withLock { states[task.taskIdentifier] = state }
    }

    private func state(for task: URLSessionTask) -> TransferState? {
        lock.withLock { states[task.taskIdentifier] }
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        guard let state = state(for: dataTask), let http = response as? HTTPURLResponse else {
            completionHandler(.cancel)
            return
        }
        state.receivedResponse(http)
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        state(for: dataTask)?.receivedData(data)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let state = lock.withLock { states.removeValue(forKey: task.taskIdentifier) }
        state?.completed(with: error)
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
