import Foundation
import VigilCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A tiny, real HTTP/1.1 server on 127.0.0.1 for transport tests: blocking POSIX sockets on plain
/// threads, in this process (no child process, so none of the signal-mask trouble a `Process` child
/// has). One connection per request (`Connection: close`).
final class LoopbackHTTPServer: @unchecked Sendable {
    struct Request: Sendable {
        var method: String
        var target: String
        var headers: [(String, String)]
        var body: [UInt8]

        var path: String { String(target.split(separator: "?", maxSplits: 1).first ?? "") }
        var query: [String: String] {
            guard let q = target.split(separator: "?", maxSplits: 1).dropFirst().first else { return [:] }
            var result: [String: String] = [:]
            for pair in q.split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                result[kv[0]] = kv.count > 1 ? kv[1] : ""
            }
            return result
        }
        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    /// Writes the raw response; the handler decides timing and framing.
    final class Connection: @unchecked Sendable {
        fileprivate let fd: Int32
        private(set) var bytesWritten = 0
        private let counter: Locked<Int>
        fileprivate init(fd: Int32, counter: Locked<Int>) {
            self.fd = fd
            self.counter = counter
        }

        @discardableResult
        func write(_ bytes: [UInt8]) -> Bool {
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { return false }
                offset += n
                bytesWritten += n
                counter.withLock { $0 += n }
            }
            return true
        }

        func write(_ string: String) -> Bool { write(Array(string.utf8)) }

        func writeHead(status: Int, headers: [(String, String)]) {
            var head = "HTTP/1.1 \(status) X\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            head += "Connection: close\r\n\r\n"
            _ = write(head)
        }

        func respond(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
            writeHead(status: status, headers: headers + [("Content-Length", "\(body.count)")])
            _ = write(body)
        }
    }

    let port: UInt16
    /// Total response bytes the server has managed to write, across connections.
    let written = Locked(0)
    private let listenFD: Int32
    private let handler: @Sendable (Request, Connection) -> Void
    private let lock = NSLock()
    private var stopped = false
    private var requests: [Request] = []

    init(handler: @escaping @Sendable (Request, Connection) -> Void) throws {
        self.handler = handler
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw ServerError.socket }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else { close(fd); throw ServerError.bind }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listenFD = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    enum ServerError: Error { case socket, bind }

    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    var receivedRequests: [Request] { lock.withLock { requests } }

    func stop() {
        let first: Bool = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        if first {
            shutdown(listenFD, Int32(SHUT_RDWR))
            close(listenFD)
        }
    }

    deinit { stop() }

    private func acceptLoop() {
        while true {
            let client = accept(listenFD, nil, nil)
            if client < 0 {
                if lock.withLock({ stopped }) { return }
                if errno == EINTR { continue }
                return
            }
            let thread = Thread { [self] in serve(client) }
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        guard let request = readRequest(fd) else { return }
        lock.withLock { requests.append(request) }
        handler(request, Connection(fd: fd, counter: written))
        shutdown(fd, Int32(SHUT_WR))
    }

    private func readRequest(_ fd: Int32) -> Request? {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        var headEnd: Int?
        while headEnd == nil {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return nil }
            buffer.append(contentsOf: chunk[0..<n])
            headEnd = Self.find([13, 10, 13, 10], in: buffer)
        }
        guard let end = headEnd, let head = String(bytes: buffer[0..<end], encoding: .utf8) else { return nil }
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ").map(String.init)
        guard requestLine.count >= 2 else { return nil }
        let headers: [(String, String)] = lines.compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var body = Array(buffer[(end + 4)...])
        let length = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) } ?? 0
        while body.count < length {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            body.append(contentsOf: chunk[0..<n])
        }
        return Request(method: requestLine[0], target: requestLine[1], headers: headers, body: body)
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) {
            return i
        }
        return nil
    }
}
