import Foundation
import VigilCore
import VigilModels

/// The one error ``GenesysCloudClient`` throws.
///
/// An extensible struct over a private enum: match on ``code`` (new codes are new static members, never a
/// breaking change). It carries what a support case or an alert needs — the HTTP ``status``, the
/// Genesys error ``genesysCode`` (`too.many.requests`, `not.found`…), a sanitised ``message``, the
/// platform's ``contextId`` and the `ININ-Correlation-Id` response header (``correlationId``) — and
/// never a credential, a bearer token, a pre-signed URL's query or a request body.
///
/// ```swift
/// do {
///     try await client.setExternalTag("compliance-flag", conversationId: cid)
/// } catch let error as GenesysAPIError where error.code == .rateLimited {
///     queue.retry(job, after: error.retryAfter ?? .seconds(30))
/// }
/// ```
public struct GenesysAPIError: VigilCodedError, Hashable {
    /// The kind of failure; new kinds are added as new static members.
    public struct Code: VigilErrorCode {
        private enum Base: String {
            case invalidInput, invalidRegion, badCredentials, authenticationUnavailable, unauthorized, forbidden
            case notFound, badRequest, conflict, rateLimited, serverError, unexpectedStatus, transport
            case invalidResponse, recordingUnavailable, recordingNotReady, mediaExpired, mediaTruncated
            case batchNotComplete
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// An argument failed validation; **no request was sent**.
        public static let invalidInput = Code(.invalidInput)
        /// A region string is not one of the seventeen regions; no request was sent.
        public static let invalidRegion = Code(.invalidRegion)
        /// The login host rejected the client id or secret (`invalid_client`, 400/401 on `/oauth/token`).
        /// Not retryable: fix the configuration.
        public static let badCredentials = Code(.badCredentials)
        /// The login host could not issue a token (5xx, 429 past the retry budget, an unreadable answer):
        /// platform trouble, retryable later.
        public static let authenticationUnavailable = Code(.authenticationUnavailable)
        /// 401 on an API call even after one fresh token.
        public static let unauthorized = Code(.unauthorized)
        /// 403: the OAuth client lacks a permission (`missing.permissions`…).
        public static let forbidden = Code(.forbidden)
        /// 404 (`not.found`).
        public static let notFound = Code(.notFound)
        /// 400 or 415/422: the platform refused the request (`bad.request`, `invalid.value`).
        public static let badRequest = Code(.badRequest)
        /// 409: the entity already exists or changed.
        public static let conflict = Code(.conflict)
        /// 429 after the retry budget or beyond the longest `Retry-After` waited in-process; see
        /// ``GenesysAPIError/retryAfter``.
        public static let rateLimited = Code(.rateLimited)
        /// 5xx after the retry budget (or at once for a create without an idempotency guard).
        public static let serverError = Code(.serverError)
        /// Any other non-success status.
        public static let unexpectedStatus = Code(.unexpectedStatus)
        /// No HTTP response (connection failure, timeout) after the retry budget.
        public static let transport = Code(.transport)
        /// A 2xx answer whose body could not be read as the documented shape.
        public static let invalidResponse = Code(.invalidResponse)
        /// The recording will not become downloadable: `fileState` is `ARCHIVED`, `DELETED` or `ERROR`
        /// (see ``GenesysAPIError/fileState``).
        public static let recordingUnavailable = Code(.recordingUnavailable)
        /// ``GenesysCloudClient/awaitRecording(conversationId:recordingId:format:options:)`` ran out of
        /// time while the recording was still transcoding / had no media.
        public static let recordingNotReady = Code(.recordingNotReady)
        /// The pre-signed media URL was refused (403/404) even after fetching a fresh one.
        public static let mediaExpired = Code(.mediaExpired)
        /// The media stream ended before the announced length.
        public static let mediaTruncated = Code(.mediaTruncated)
        /// A batch download job did not complete within the caller's limit.
        public static let batchNotComplete = Code(.batchNotComplete)

        /// `genesys`: codes read `genesys.<name>`, e.g. `genesys.invalidInput`.
        public static let domain = "genesys"
        /// The name within ``domain``, e.g. `invalidInput`.
        public var name: String { base.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// The HTTP status, when a response arrived.
    public let status: Int?
    /// Genesys' error code from the `ErrorBody` (`too.many.requests`) or the OAuth `error` field.
    public let genesysCode: String?
    /// A short explanation: the platform's message, sanitised (credentials, tokens, control characters,
    /// e-mail addresses and numbers of six or more digits, grouped or not, removed; at most 300
    /// characters), or Vigil's own.
    public let message: String
    /// Genesys' `contextId` (quote it in support cases).
    public let contextId: String?
    /// The `ININ-Correlation-Id` response header.
    public let correlationId: String?
    /// The wait the platform asked for (`Retry-After`), when it sent one.
    public let retryAfter: Duration?
    /// `METHOD scheme://host/path` of the failed request (no query), when one was sent.
    public let request: String?
    /// For ``Code/invalidInput``: the argument that failed (`annotation.description`).
    public let field: String?
    /// For ``Code/recordingUnavailable`` (and ``Code/recordingNotReady``): the last `fileState` seen.
    public let fileState: FileState?

    /// Creates an error. `detail` must not contain secrets or personal data.
    public init(
        code: Code, status: Int? = nil, genesysCode: String? = nil, detail: String,
        contextId: String? = nil, correlationId: String? = nil, retryAfter: Duration? = nil,
        request: String? = nil, field: String? = nil, fileState: FileState? = nil
    ) {
        self.code = code
        self.status = status
        self.genesysCode = genesysCode
        self.message = detail
        self.contextId = contextId
        self.correlationId = correlationId
        self.retryAfter = retryAfter
        self.request = request
        self.field = field
        self.fileState = fileState
    }

    /// Whether the same call may succeed later: 429, 502/503/504 (and other 5xx except 501), transport
    /// failures, token-service trouble, truncated media, a recording or batch job that is not ready yet.
    public var isRetryable: Bool {
        switch code {
        case .rateLimited, .transport, .authenticationUnavailable, .recordingNotReady, .mediaTruncated,
            .batchNotComplete:
            return true
        case .serverError:
            return status != 501
        default:
            return status.map(GenesysAPIError.isRetryableStatus) ?? false
        }
    }

    /// The platform's `Retry-After`, when it sent one.
    public var suggestedRetryDelay: Duration? { retryAfter }

    /// 429, 502, 503, 504.
    static func isRetryableStatus(_ status: Int) -> Bool {
        status == 429 || status == 502 || status == 503 || status == 504
    }

    /// `genesys.notFound (HTTP 404 not.found): <message> [GET https://api…/path] correlationId=… contextId=…`.
    public var description: String {
        var text = code.description
        var head: [String] = []
        if let status { head.append("HTTP \(status)") }
        if let genesysCode { head.append(genesysCode) }
        if !head.isEmpty { text += " (\(head.joined(separator: " ")))" }
        text += ": \(message)"
        if let field { text += " [field \(field)]" }
        if let request { text += " [\(request)]" }
        if let fileState { text += " fileState=\(fileState.rawValue)" }
        if let retryAfter { text += " retryAfter=\(retryAfter)" }
        if let correlationId { text += " correlationId=\(correlationId)" }
        if let contextId { text += " contextId=\(contextId)" }
        return text
    }

    static func invalidInput(_ field: String, _ reason: String) -> GenesysAPIError {
        GenesysAPIError(code: .invalidInput, detail: reason, field: field)
    }
}

/// Cleans platform-supplied text before it goes into an error.
enum MessageSanitizer {
    /// Removes every `secret` occurrence, `Bearer …`/`Basic …` values, control characters, e-mail
    /// addresses (any word with an `@` inside it) and numbers of six or more digits — also when their
    /// digits are grouped by spaces, dashes, dots, slashes, parentheses or `+` (`4111 1111 1111 1111`,
    /// `123-45-6789`, `(415) 555-0123`): card, social security or phone numbers echoed back — and caps
    /// the length.
    ///
    /// Grouped numbers matter because the platform echoes what a person typed: a 400 about a work item
    /// name or a participant attribute quotes the value as entered, spaced or dashed. (Found by
    /// `PIIPropertyTests`: only unbroken runs of six digits used to be removed.)
    static func sanitize(_ text: String, secrets: [String], limit: Int = 300) -> String {
        var cleaned = text
        for secret in secrets where secret.count >= 4 {
            cleaned = cleaned.replacingOccurrences(of: secret, with: "<redacted>")
        }
        // Words: control characters end one (and become a space); the word after `Bearer`/`Basic` is a
        // credential; a word with an `@` between two characters is an address.
        var words: [String] = []
        var word = ""
        var redactNextWord = false
        func flushWord() {
            let scalars = Array(word.unicodeScalars)
            if redactNextWord, !word.isEmpty {
                words.append("<redacted>")
                redactNextWord = false
            } else if scalars.count >= 3, scalars.dropFirst().dropLast().contains("@") {
                words.append("<email>")
            } else {
                words.append(word)
                let lower = word.lowercased()
                if lower == "bearer" || lower == "basic" { redactNextWord = true }
            }
            word = ""
        }
        for scalar in cleaned.unicodeScalars {
            if scalar == " " || scalar.properties.generalCategory == .control || scalar.value == 0x2028 || scalar.value == 0x2029 {
                flushWord()
            } else {
                word.unicodeScalars.append(scalar)
            }
        }
        flushWord()
        // Numbers: digits joined by separators count as one number.
        var output = ""
        output.reserveCapacity(min(cleaned.utf8.count, limit + 16))
        var number = "", gap = "", digits = 0
        func flushNumber() {
            output += digits >= 6 ? "<digits>" : number
            output += gap
            number = ""
            gap = ""
            digits = 0
        }
        for scalar in words.joined(separator: " ").unicodeScalars {
            if ("0"..."9").contains(scalar) {
                number += gap
                gap = ""
                number.unicodeScalars.append(scalar)
                digits += 1
            } else if digits > 0, " -./()+".unicodeScalars.contains(scalar) {
                gap.unicodeScalars.append(scalar)
            } else {
                flushNumber()
                output.unicodeScalars.append(scalar)
            }
        }
        flushNumber()
        if output.count > limit { output = String(output.prefix(limit)) + "…" }
        return output
    }
}
