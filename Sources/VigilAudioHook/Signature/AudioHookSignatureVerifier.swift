import Foundation
@_spi(VigilInternal) import VigilCore
import VigilIdempotency

/// The WebSocket upgrade request Genesys Cloud sends, as the verifier needs it.
public struct AudioHookUpgradeRequest: Sendable {
    /// The request target: path and query (`/audiohook/ws?x=1`).
    public var target: String
    /// The header fields, in any order and case; a repeated name is joined with `", "`.
    public var headers: [(name: String, value: String)]

    /// Creates a request.
    public init(target: String, headers: [(name: String, value: String)]) {
        self.target = target
        self.headers = headers
    }

    /// The value of `name` (case-insensitive), trimmed; repeated fields joined with `", "`.
    public func header(_ name: String) -> String? {
        let values = headers.filter { $0.name.lowercased() == name.lowercased() }
            .map { $0.value.trimmingCharacters(in: .whitespaces) }
        return values.isEmpty ? nil : values.joined(separator: ", ")
    }
}

/// What a verified upgrade request says.
public struct VerifiedAudioHookUpgrade: Sendable, Hashable {
    /// `Audiohook-Organization-Id` (lowercased); `open` must name the same organization.
    public var organizationId: String
    /// `Audiohook-Session-Id` (lowercased); every message must carry it.
    public var sessionId: String
    /// `Audiohook-Correlation-Id`.
    public var correlationId: String
    /// The API key (`keyid`) the request was signed with.
    public var apiKey: String
    /// The signature's `created` time.
    public var created: Date
}

/// Verifies the HTTP Message Signature (draft-ietf-httpbis-message-signatures, the subset AudioHook
/// uses) on the upgrade request, before the WebSocket is accepted.
///
/// The platform signs `@request-target`, `@authority`, `audiohook-organization-id`,
/// `audiohook-session-id`, `audiohook-correlation-id` and `x-api-key` with HMAC-SHA256 under the
/// base64-decoded client secret of the integration's API key (`keyid`), with `nonce`, `alg`, `created`
/// and `expires` parameters. A request is accepted when:
/// - `Signature-Input` and `Signature` parse and carry the same label;
/// - `alg`, if present, is `hmac-sha256`; `keyid` is a known API key and equals `X-API-KEY`;
/// - every one of those six components is covered;
/// - `created` is at most ``maximumAge`` old (default 10 s, as the reference server) and at most
///   ``allowedSkew`` ahead (5 s); `expires`, if present, has not passed;
/// - the signature matches (constant-time comparison) under that key's secret;
/// - its `nonce` was not seen before: the nonce is claimed in the shared `IdempotencyStore` for the
///   age window, so a captured request replayed on any instance is refused.
///
/// Errors name the check and the header, never a value, a signature, a nonce or a secret.
public struct AudioHookSignatureVerifier: Sendable {
    /// The covered components AudioHook requires.
    public static let requiredComponents = [
        "@request-target", "@authority", "audiohook-organization-id",
        "audiohook-session-id", "audiohook-correlation-id", "x-api-key"
    ]

    /// Largest accepted `Signature-Input` or `Signature` header.
    public static let maximumHeaderBytes = 8192
    /// Longest accepted `keyid` and `nonce` (the nonce store's key holds both).
    public static let maximumParameterBytes = 200

    /// Oldest accepted `created`.
    public let maximumAge: Duration
    /// How far in the future `created` may be (clock skew).
    public let allowedSkew: Duration
    private let keys: [String: [UInt8]]
    private let store: any IdempotencyStore
    private let now: @Sendable () -> Date

    /// Creates a verifier.
    ///
    /// - Parameters:
    ///   - clientSecrets: API key → base64 client secret, as configured in the AudioHook integration
    ///     (several during a rotation).
    ///   - store: where nonces are remembered, shared by every instance.
    /// - Throws: ``AudioHookError/Code/malformedSignature`` when a secret is not base64 or is empty.
    public init(
        clientSecrets: [String: String], store: any IdempotencyStore, maximumAge: Duration = .seconds(10),
        allowedSkew: Duration = .seconds(5), now: @escaping @Sendable () -> Date = { Date() }
    ) throws(AudioHookError) {
        var keys: [String: [UInt8]] = [:]
        for (apiKey, secret) in clientSecrets {
            guard let bytes = try? Base64.decode(secret), !bytes.isEmpty else {
                throw AudioHookError(.malformedSignature, "the client secret configured for an API key is not base64")
            }
            keys[apiKey] = bytes
        }
        self.keys = keys
        self.store = store
        self.maximumAge = maximumAge
        self.allowedSkew = allowedSkew
        self.now = now
    }

    /// Verifies `request`.
    ///
    /// - Throws: ``AudioHookError`` — `missingSignature`, `malformedSignature`, `unknownKey`,
    ///   `signatureTooOld`, `signatureFromTheFuture`, `signatureExpired`, `signatureMismatch`,
    ///   `replayedNonce`, or `replayCheckFailed` (retryable) when the store fails.
    public func verify(_ request: AudioHookUpgradeRequest) async throws(AudioHookError) -> VerifiedAudioHookUpgrade {
        guard let inputHeader = request.header("signature-input"), let signatureHeader = request.header("signature") else {
            throw AudioHookError(.missingSignature, "Signature-Input and Signature are required")
        }
        guard inputHeader.utf8.count <= Self.maximumHeaderBytes, signatureHeader.utf8.count <= Self.maximumHeaderBytes else {
            throw AudioHookError(.malformedSignature, "a signature header exceeds \(Self.maximumHeaderBytes) bytes")
        }
        // The identity headers must each be there once: a repeated one could be read differently by
        // the signature base (joined) and by the session (first value).
        for name in ["host", "audiohook-organization-id", "audiohook-session-id", "audiohook-correlation-id", "x-api-key"] {
            let count = request.headers.filter { $0.name.lowercased() == name }.count
            guard count <= 1 else { throw AudioHookError(.malformedSignature, "\(name) is repeated") }
        }
        let input = try SignatureInput(parsing: inputHeader)
        let signature = try Self.signatureValue(signatureHeader, label: input.label)
        if let alg = input.parameters["alg"], alg != .string("hmac-sha256") {
            throw AudioHookError(.malformedSignature, "alg must be hmac-sha256")
        }
        guard case .string(let keyId)? = input.parameters["keyid"], Self.isShortPrintable(keyId) else {
            throw AudioHookError(.malformedSignature, "keyid is missing or longer than \(Self.maximumParameterBytes) bytes")
        }
        guard let key = keys[keyId] else { throw AudioHookError(.unknownKey, "keyid is not a configured API key") }
        guard request.header("x-api-key") == keyId else {
            throw AudioHookError(.signatureMismatch, "keyid differs from X-API-KEY")
        }
        for component in Self.requiredComponents where !input.components.contains(component) {
            throw AudioHookError(.malformedSignature, "the signature does not cover \(component)")
        }
        guard case .integer(let created)? = input.parameters["created"] else {
            throw AudioHookError(.malformedSignature, "created is missing")
        }
        guard case .string(let nonce)? = input.parameters["nonce"], Self.isShortPrintable(nonce) else {
            throw AudioHookError(.malformedSignature, "nonce is missing or longer than \(Self.maximumParameterBytes) bytes")
        }
        let current = now().timeIntervalSince1970
        let age = current - Double(created)
        guard age <= Self.seconds(maximumAge) else { throw AudioHookError(.signatureTooOld, "created is older than the maximum age") }
        guard -age <= Self.seconds(allowedSkew) else {
            throw AudioHookError(.signatureFromTheFuture, "created lies in the future")
        }
        if case .integer(let expires)? = input.parameters["expires"], Double(expires) < current {
            throw AudioHookError(.signatureExpired, "expires has passed")
        }
        var values: [(String, String)] = []
        for component in input.components {
            guard let value = Self.value(of: component, in: request) else {
                throw AudioHookError(.missingSignature, "the covered component \(component) is absent")
            }
            values.append((component, value))
        }
        let expected = Self.mac(key: key, base: Self.signatureBase(components: values, parameters: input.serializedParameters))
        guard ConstantTime.equals(expected, signature) else {
            throw AudioHookError(.signatureMismatch, "the signature does not match the request")
        }
        let claim: ClaimResult
        do {
            claim = try await store.claim(
                "audiohook-nonce:\(keyId):\(nonce)", fingerprint: Hex.encode(signature),
                lease: maximumAge + allowedSkew)
        } catch {
            throw AudioHookError(.replayCheckFailed, "the nonce store failed")
        }
        guard case .acquired = claim else { throw AudioHookError(.replayedNonce, "the nonce was used before") }
        return VerifiedAudioHookUpgrade(
            organizationId: (request.header("audiohook-organization-id") ?? "").lowercased(),
            sessionId: (request.header("audiohook-session-id") ?? "").lowercased(),
            correlationId: request.header("audiohook-correlation-id") ?? "", apiKey: keyId,
            created: Date(timeIntervalSince1970: Double(created)))
    }

    // MARK: - Signature base

    /// The signature base: one `"name": value` line per covered component, then the
    /// `"@signature-params"` line, joined with `\n` (no trailing newline).
    static func signatureBase(components: [(String, String)], parameters: String) -> String {
        (components.map { "\"\($0.0)\": \($0.1)" } + ["\"@signature-params\": \(parameters)"]).joined(separator: "\n")
    }

    /// HMAC-SHA256 of `base` under `key`.
    static func mac(key: [UInt8], base: String) -> [UInt8] {
        Array(HMACSHA256.authenticationCode(for: base, key: key))
    }

    static func value(of component: String, in request: AudioHookUpgradeRequest) -> String? {
        switch component {
        case "@request-target": return request.target
        case "@authority": return request.header("host")?.lowercased()
        case "@path": return request.target.split(separator: "?", maxSplits: 1).first.map(String.init)
        default: return component.hasPrefix("@") ? nil : request.header(component)
        }
    }

    private static func isShortPrintable(_ value: String) -> Bool {
        !value.isEmpty && value.utf8.count <= maximumParameterBytes && value.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private static func signatureValue(_ header: String, label: String) throws(AudioHookError) -> [UInt8] {
        for member in header.split(separator: ",") {
            let trimmed = member.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix(label + "=:"), trimmed.hasSuffix(":"), trimmed.count > label.count + 3 else { continue }
            let encoded = trimmed.dropFirst(label.count + 2).dropLast()
            guard let bytes = try? Base64.decode(String(encoded)) else {
                throw AudioHookError(.malformedSignature, "Signature is not base64")
            }
            return bytes
        }
        throw AudioHookError(.malformedSignature, "Signature has no value for the label of Signature-Input")
    }
}

/// A parsed `Signature-Input` member: `label=("c1" "c2");p1=v1;p2="v2"`.
struct SignatureInput {
    enum Parameter: Equatable {
        case string(String)
        case integer(Int64)
        case token(String)
    }

    let label: String
    let components: [String]
    let parameters: [String: Parameter]
    /// The inner list and parameters exactly as sent (the `@signature-params` value).
    let serializedParameters: String

    init(parsing header: String) throws(AudioHookError) {
        func malformed(_ what: String) -> AudioHookError { AudioHookError(.malformedSignature, "Signature-Input: \(what)") }
        let text = Array(header.trimmingCharacters(in: .whitespaces).utf8)
        var index = 0
        func isLabelByte(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "*")
        }
        while index < text.count, isLabelByte(text[index]) { index += 1 }
        guard index > 0, index < text.count, text[index] == UInt8(ascii: "=") else { throw malformed("no label") }
        label = String(decoding: text[0..<index], as: UTF8.self)
        index += 1
        let paramsStart = index
        guard index < text.count, text[index] == UInt8(ascii: "(") else { throw malformed("no component list") }
        index += 1
        var components: [String] = []
        func readString() throws(AudioHookError) -> String {
            guard index < text.count, text[index] == UInt8(ascii: "\"") else { throw malformed("expected a string") }
            index += 1
            var bytes: [UInt8] = []
            while index < text.count, text[index] != UInt8(ascii: "\"") {
                if text[index] == UInt8(ascii: "\\") {
                    index += 1
                    guard index < text.count, text[index] == UInt8(ascii: "\"") || text[index] == UInt8(ascii: "\\") else {
                        throw malformed("bad escape")
                    }
                }
                guard (0x20...0x7E).contains(text[index]) else { throw malformed("non-printable character") }
                bytes.append(text[index])
                index += 1
            }
            guard index < text.count else { throw malformed("unterminated string") }
            index += 1
            return String(decoding: bytes, as: UTF8.self)
        }
        while true {
            while index < text.count, text[index] == UInt8(ascii: " ") { index += 1 }
            guard index < text.count else { throw malformed("unterminated component list") }
            if text[index] == UInt8(ascii: ")") {
                index += 1
                break
            }
            components.append(try readString())
            guard components.count <= 32 else { throw malformed("too many components") }
        }
        self.components = components
        var parameters: [String: Parameter] = [:]
        while index < text.count, text[index] == UInt8(ascii: ";") {
            index += 1
            let keyStart = index
            while index < text.count, isLabelByte(text[index]) { index += 1 }
            guard index > keyStart, index < text.count, text[index] == UInt8(ascii: "=") else { throw malformed("bad parameter") }
            let key = String(decoding: text[keyStart..<index], as: UTF8.self)
            index += 1
            guard index < text.count else { throw malformed("parameter without value") }
            let value: Parameter
            if text[index] == UInt8(ascii: "\"") {
                value = .string(try readString())
            } else if text[index] == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(text[index]) {
                let start = index
                index += 1
                while index < text.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(text[index]) { index += 1 }
                guard index - start <= 15, let number = Int64(String(decoding: text[start..<index], as: UTF8.self)) else {
                    throw malformed("bad integer")
                }
                value = .integer(number)
            } else {
                let start = index
                while index < text.count, isLabelByte(text[index]) || text[index] == UInt8(ascii: ":") || text[index] == UInt8(ascii: "/") {
                    index += 1
                }
                guard index > start else { throw malformed("bad parameter value") }
                value = .token(String(decoding: text[start..<index], as: UTF8.self))
            }
            guard parameters.updateValue(value, forKey: key) == nil else { throw malformed("repeated parameter") }
        }
        guard index == text.count else { throw malformed("unexpected text after the parameters (one signature only)") }
        self.parameters = parameters
        serializedParameters = String(decoding: text[paramsStart...], as: UTF8.self)
    }
}

/// Signs an upgrade request the way Genesys Cloud does — for test clients and load tools that play
/// the platform.
public struct AudioHookRequestSigner: Sendable {
    /// The API key (sent as `X-API-KEY` and `keyid`).
    public let apiKey: String
    private let key: [UInt8]

    /// Creates a signer.
    ///
    /// - Throws: ``AudioHookError/Code/malformedSignature`` when `clientSecret` is not base64.
    public init(apiKey: String, clientSecret: String) throws(AudioHookError) {
        guard let key = try? Base64.decode(clientSecret), !key.isEmpty else {
            throw AudioHookError(.malformedSignature, "the client secret is not base64")
        }
        self.apiKey = apiKey
        self.key = key
    }

    /// The headers of a signed upgrade request: the AudioHook ids, `X-API-KEY`, `Signature-Input`
    /// and `Signature` (label `sig1`), covering ``AudioHookSignatureVerifier/requiredComponents``.
    public func headers(
        target: String, authority: String, organizationId: String, sessionId: String,
        correlationId: String, nonce: String, created: Date, expiresAfter: Duration = .seconds(30)
    )
        -> [(name: String, value: String)]
    {
        let createdSeconds = Int64(created.timeIntervalSince1970.rounded(.down))
        // A field value has no leading or trailing whitespace (RFC 9110 §5.5; the verifier trims as
        // every HTTP stack does), so the signature covers the trimmed values (found by fuzzing).
        let (authority, organizationId, sessionId, correlationId) = (
            authority.trimmingCharacters(in: .whitespaces), organizationId.trimmingCharacters(in: .whitespaces),
            sessionId.trimmingCharacters(in: .whitespaces), correlationId.trimmingCharacters(in: .whitespaces)
        )
        let components: [(String, String)] = [
            ("@request-target", target), ("@authority", authority.lowercased()),
            ("audiohook-organization-id", organizationId), ("audiohook-session-id", sessionId),
            ("audiohook-correlation-id", correlationId), ("x-api-key", apiKey)
        ]
        let list = components.map { "\"\($0.0)\"" }.joined(separator: " ")
        let parameters =
            "(\(list));keyid=\"\(apiKey)\";nonce=\"\(nonce)\";alg=\"hmac-sha256\";created=\(createdSeconds)"
            + ";expires=\(createdSeconds + expiresAfter.components.seconds)"
        let mac = AudioHookSignatureVerifier.mac(
            key: key,
            base: AudioHookSignatureVerifier.signatureBase(
                components: components,
                parameters: parameters))
        return [
            ("Host", authority), ("Audiohook-Organization-Id", organizationId), ("Audiohook-Session-Id", sessionId),
            ("Audiohook-Correlation-Id", correlationId), ("X-API-KEY", apiKey),
            ("Signature-Input", "sig1=\(parameters)"), ("Signature", "sig1=:\(Base64.encode(mac)):")
        ]
    }
}
