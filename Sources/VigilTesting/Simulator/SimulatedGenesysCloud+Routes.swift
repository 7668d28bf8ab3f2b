import Foundation
import VigilCore
import VigilModels
import VigilPlatformClient

extension SimulatedGenesysCloud {
    /// A response the router produced.
    struct Reply: Sendable {
        var status: Int
        var headers: HTTPFields = HTTPFields()
        var body: HTTPBody?

        static func json(_ status: Int, _ bytes: [UInt8]) -> Reply {
            Reply(
                status: status, headers: ["Content-Type": "application/json", "Content-Length": String(bytes.count)],
                body: HTTPBody(bytes))
        }

        static func empty(_ status: Int) -> Reply { Reply(status: status) }
    }

    /// Serves one request (see the type's documentation).
    public func send(_ request: HTTPRequest, body: HTTPBody?) async throws -> (HTTPResponse, HTTPBody?) {
        let host = classify(request.url)
        let path = request.url.path
        let hadAuthorization = request.headerFields.contains("Authorization")
        if let latency = configuration.faults.latency {
            let span =
                Double((latency.upperBound - latency.lowerBound).components.seconds) * 1e9
                + Double((latency.upperBound - latency.lowerBound).components.attoseconds) / 1e9
            let extra = Duration.nanoseconds(Int64(span * random.unit()))
            try await sleep(latency.lowerBound + extra)
        }
        if host == .unknown || takeDroppedConnection(host) || (host == .api && roll(configuration.faults.connectionFailureProbability)) {
            log.append(
                RecordedRequest(
                    method: request.method.rawValue, host: host, path: path, status: nil,
                    hadAuthorization: hadAuthorization))
            throw HTTPTransportError(code: .connectionFailed, request: request, detail: "simulated connection failure")
        }
        let requestBody: [UInt8]
        do {
            requestBody = try await body?.collect(upTo: 1 << 20) ?? []
        } catch {
            let reply = errorReply(413, "request.entity.too.large", "The request body is too large")
            return record(request, host: host, hadAuthorization: hadAuthorization, reply: reply)
        }
        var reply: Reply
        let scriptedFailure = takeScripted(host: host, path: path)
        if let failure = scriptedFailure, !failure.afterServing {
            reply = scriptedReply(failure)
        } else if let failure = burstFailure(host: host) {
            reply = failure
        } else {
            switch host {
            case .login: reply = serveLogin(request, body: requestBody)
            case .media:
                reply = serveMedia(
                    request, path: String(path.dropFirst(mediaPathPrefix.count)),
                    hadAuthorization: hadAuthorization)
            case .api: reply = serveAPI(request, body: requestBody)
            case .unknown: reply = errorReply(404, "not.found", "Unknown host")
            }
            if let failure = scriptedFailure { reply = scriptedReply(failure) }
        }
        return record(request, host: host, hadAuthorization: hadAuthorization, reply: reply)
    }

    private func scriptedReply(_ failure: ScriptedFailure) -> Reply {
        let code =
            switch failure.status {
            case 401: "bad.credentials"
            case 429: "too.many.requests"
            case 404: "not.found"
            case 500...599: "service.unavailable"
            default: "bad.request"
            }
        return errorReply(failure.status, code, "Simulated failure", retryAfter: failure.retryAfterSeconds)
    }

    private func record(_ request: HTTPRequest, host: Host, hadAuthorization: Bool, reply: Reply) -> (HTTPResponse, HTTPBody?) {
        log.append(
            RecordedRequest(
                method: request.method.rawValue, host: host, path: request.url.path,
                status: reply.status, hadAuthorization: hadAuthorization))
        var headers = reply.headers
        headers["ININ-Correlation-Id"] = nextID().rawValue
        return (HTTPResponse(status: reply.status, headerFields: headers), reply.body)
    }

    /// Which simulated host `url` addresses. Hosts are told apart by origin (scheme, host, port); when
    /// the simulator is served on one origin (``Configuration/apiBase`` and ``Configuration/mediaBase``
    /// on the same loopback port), by path: the media base's path prefix, then `/oauth/` for login,
    /// everything else for the API.
    private func classify(_ url: URL) -> Host {
        let origin = Origin(url)
        let path = url.path
        if origin == mediaOrigin, mediaPathPrefix.isEmpty || path.hasPrefix(mediaPathPrefix + "/") { return .media }
        if origin == apiOrigin && origin == loginOrigin { return path.hasPrefix("/oauth/") ? .login : .api }
        if origin == apiOrigin { return .api }
        if origin == loginOrigin { return .login }
        return .unknown
    }

    private func roll(_ probability: Double) -> Bool {
        guard probability > 0 else { return false }
        return random.unit() < probability
    }

    private func takeDroppedConnection(_ host: Host) -> Bool {
        guard let index = droppedConnections.firstIndex(where: { $0.host == host && $0.count > 0 }) else { return false }
        droppedConnections[index].count -= 1
        if droppedConnections[index].count == 0 { droppedConnections.remove(at: index) }
        return true
    }

    private func takeScripted(host: Host, path: String) -> ScriptedFailure? {
        guard
            let index = scripted.firstIndex(where: {
                $0.host == host && ($0.pathContains.map { path.contains($0) } ?? true)
            })
        else { return nil }
        return scripted.remove(at: index)
    }

    private func burstFailure(host: Host) -> Reply? {
        func step(_ active: inout ActiveBurst?, _ candidates: [Burst]) -> Reply? {
            if active == nil {
                for burst in candidates where burst.length > 0 && !burst.statuses.isEmpty && roll(burst.probability) {
                    active = ActiveBurst(remaining: burst.length, burst: burst)
                    break
                }
            }
            guard var current = active else { return nil }
            current.remaining -= 1
            active = current.remaining > 0 ? current : nil
            let statuses = current.burst.statuses
            let status = statuses[Int(random.next() % UInt64(statuses.count))]
            if host == .login {
                return oauthError(
                    status, status == 429 ? "too_many_requests" : "temporarily_unavailable",
                    retryAfter: current.burst.retryAfterSeconds)
            }
            return errorReply(
                status, status == 429 ? "too.many.requests" : "service.unavailable",
                status == 429
                    ? "Rate limit exceeded the maximum [300] requests within [60] seconds"
                    : "The service is temporarily unavailable",
                retryAfter: current.burst.retryAfterSeconds)
        }
        switch host {
        case .api:
            return step(&apiBurst, [configuration.faults.rateLimitBursts, configuration.faults.serverErrorBursts].compactMap { $0 })
        case .login:
            return step(&loginBurst, [configuration.faults.loginBursts].compactMap { $0 })
        default:
            return nil
        }
    }

    // MARK: Error bodies

    func errorReply(
        _ status: Int, _ code: String, _ message: String, retryAfter: Int? = nil,
        field: String? = nil
    ) -> Reply {
        var body = ErrorBody(message: message, code: code, status: status, contextId: nextID().rawValue)
        body.messageWithParams = message
        body.messageParams = [:]
        body.details = field.map { [ErrorDetail(errorCode: code, fieldName: $0)] } ?? []
        body.errors = []
        var reply = Reply.json(status, (try? VigilJSON.encodeBytes(body)) ?? [])
        if let retryAfter { reply.headers["Retry-After"] = String(retryAfter) }
        return reply
    }

    func oauthError(_ status: Int, _ error: String, retryAfter: Int? = nil) -> Reply {
        let body = OAuthErrorResponse(
            error: error, description: "Simulated OAuth error",
            errorDescription: "Simulated OAuth error")
        var reply = Reply.json(status, (try? VigilJSON.encodeBytes(body)) ?? [])
        if let retryAfter { reply.headers["Retry-After"] = String(retryAfter) }
        return reply
    }

    // MARK: Login host

    private func serveLogin(_ request: HTTPRequest, body: [UInt8]) -> Reply {
        guard request.method == .post, request.url.path == "/oauth/token" else {
            return errorReply(404, "not.found", "Unknown login path")
        }
        guard request.headerFields["Content-Type"]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else {
            return oauthError(400, "invalid_request")
        }
        guard String(decoding: body, as: UTF8.self).split(separator: "&").contains("grant_type=client_credentials") else {
            return oauthError(400, "unsupported_grant_type")
        }
        let expected = "Basic " + Base64.encode(Array("\(configuration.clientId):\(configuration.clientSecret)".utf8))
        guard request.headerFields["Authorization"] == expected else {
            return oauthError(401, "invalid_client")
        }
        let token = nextHex(32)
        tokens[token] = TokenState(expiresAt: elapsed() + configuration.tokenLifetime, uses: 0)
        let lifetime = Int(configuration.tokenLifetime.components.seconds)
        let response = OAuthTokenResponse(accessToken: Sensitive(token), tokenType: "bearer", expiresIn: max(1, lifetime))
        return .json(200, (try? VigilJSON.encodeBytes(response)) ?? [])
    }

    // MARK: Media host

    private func serveMedia(_ request: HTTPRequest, path: String, hadAuthorization: Bool) -> Reply {
        let s3Error = { (status: Int, code: String) -> Reply in
            let xml = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>\(code)</Code></Error>".utf8)
            return Reply(status: status, headers: ["Content-Type": "application/xml"], body: HTTPBody(xml))
        }
        guard request.method == .get else { return s3Error(405, "MethodNotAllowed") }
        // A pre-signed URL carries its own credentials; S3 refuses a second auth mechanism.
        if hadAuthorization { return s3Error(400, "InvalidArgument") }
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count == 2, let grant = grants[parts[1]] else { return s3Error(403, "AccessDenied") }
        guard elapsed() < grant.expiresAt else { return s3Error(403, "AccessDenied") }
        switch grant.target {
        case let .transcript(key):
            guard let document = transcripts[key], let bytes = try? VigilJSON.encodeBytes(document) else {
                return s3Error(404, "NoSuchKey")
            }
            return .json(200, bytes)
        case let .media(recordingId):
            guard var stored = recordings[recordingId] else { return s3Error(404, "NoSuchKey") }
            if stored.notFoundLeft > 0 {
                stored.notFoundLeft -= 1
                recordings[recordingId] = stored
                return s3Error(404, "NoSuchKey")
            }
            let size = stored.media.size
            // `Range: bytes=N-` (the only form a resuming client sends); anything else is served whole.
            var start: Int64 = 0
            if let range = request.headerFields["Range"], range.hasPrefix("bytes="), range.hasSuffix("-"),
                let first = Int64(range.dropFirst(6).dropLast())
            {
                guard first < size else {
                    return Reply(status: 416, headers: ["Content-Range": "bytes */\(size)"])
                }
                start = first
                mediaRangeStarts[recordingId, default: []].append(first)
            }
            var end = size
            if stored.truncatedLeft > 0 {
                stored.truncatedLeft -= 1
                end = start + (size - start) / 2
            } else if stored.expireMidLeft > 0, start == 0 {
                stored.expireMidLeft -= 1
                end = size / 2
                grants[parts[1]]?.expiresAt = .zero  // the link dies while its body is in flight
            }
            recordings[recordingId] = stored
            let sequence = GeneratedMediaSequence(
                media: stored.media, start: start, end: end,
                chunkSize: max(1, configuration.mediaChunkSize))
            var headers: HTTPFields = ["Content-Type": stored.contentType, "Content-Length": String(size - start)]
            if start > 0 { headers["Content-Range"] = "bytes \(start)-\(size - 1)/\(size)" }
            return Reply(
                status: start > 0 ? 206 : 200, headers: headers,
                body: HTTPBody(sequence, length: .known(size - start)))
        }
    }

    func issueURL(_ target: Grant.Target, kind: String) -> String {
        let token = nextHex(16)
        var expiresAt = elapsed() + configuration.mediaURLLifetime
        if expiredURLsLeft > 0 {
            expiredURLsLeft -= 1
            expiresAt = .zero
        }
        grants[token] = Grant(target: target, expiresAt: expiresAt)
        let seconds = configuration.mediaURLLifetime.components.seconds
        return "\(mediaURLStem)/\(kind)/\(token)?X-Amz-Expires=\(seconds)&X-Amz-Signature=\(nextHex(32))"
    }
}
