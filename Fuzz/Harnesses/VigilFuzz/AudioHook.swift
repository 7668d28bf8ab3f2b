// AudioHook text frames and upgrade-request signatures on fuzzed bytes.
//
// audiohook-message — invariants: a refusal's renderings hold no 6-digit run of the input; a decoded
// message encodes and decodes back to itself; a message's renderings hold no card number or SSN of the
// input, nor an `open`'s caller number (ANI) or dialled number (DNIS).
//
// audiohook-signature — the input is `selector, target, host, organization id, session id,
// correlation id, nonce, extra header lines` (fields split at 0xFF).
// - Raw (selector bit 0 set): the fields become an unsigned request with the extra lines as headers
//   (`name: value`); it is refused.
// - Signed: the harness signs the fields the way Genesys Cloud does, adds the extra lines, and the
//   verifier either accepts — returning the signed ids, lowercased — or refuses with
//   `malformedSignature`/`missingSignature` (a field the structured header cannot carry, a repeated
//   identity header). It never answers `signatureMismatch` for what the signer produced. Once
//   accepted, the same request again is `replayedNonce`; with the target changed it is refused.
// - No error renders a card number or SSN of the input.
import Foundation
import VigilAudioHook
import VigilCore
import VigilIdempotency

func fuzzAudioHookMessage(_ buffer: UnsafeBufferPointer<UInt8>) {
    let bytes = Array(buffer), runs = digitRuns(in: bytes), secrets = plantedSecrets(in: bytes)
    let message: AudioHookMessage
    do {
        message = try AudioHookMessage.decode(bytes)
    } catch {
        for text in renderings(of: error) { checkNoDigits(text, from: runs, in: "an AudioHook decoding error") }
        return
    }
    guard (try? AudioHookMessage.decode(message.encoded())) == message else {
        violated("an AudioHook message changed through encode and decode")
    }
    var personal = secrets
    if case .open(let open) = message.body {
        personal += [open.participant.ani, open.participant.dnis].filter { $0.utf8.filter { (0x30...0x39).contains($0) }.count >= 6 }
    }
    for text in [String(describing: message), String(reflecting: message)] {
        checkNoSecrets(text, personal, in: "an AudioHook message's description")
    }
}

private let apiKey = "fuzz-api-key"
private let clientSecret = Base64.encode(Array(repeating: UInt8(9), count: 32))
private let signer = try! AudioHookRequestSigner(apiKey: apiKey, clientSecret: clientSecret)
private let created = Date(timeIntervalSince1970: 1_780_000_000)

func fuzzAudioHookSignature(_ buffer: UnsafeBufferPointer<UInt8>) {
    let input = FuzzInput(buffer)
    let fields = input.fields(7).map { String(decoding: $0, as: UTF8.self) }
    let (target, host, organization, session, correlation, nonce) = (fields[0], fields[1], fields[2], fields[3], fields[4], fields[5])
    let extra: [(name: String, value: String)] = fields[6].split(separator: "\n").compactMap { line in
        let parts = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
    }
    let secrets = plantedSecrets(in: input.bytes)
    let raw = input.selector & 1 == 1
    blocking {
        let verifier = try! AudioHookSignatureVerifier(
            clientSecrets: [apiKey: clientSecret], store: InMemoryIdempotencyStore(now: { created }),
            now: { created })
        let headers: [(name: String, value: String)]
        if raw {
            headers =
                [
                    ("Host", host), ("Audiohook-Organization-Id", organization), ("Audiohook-Session-Id", session),
                    ("Audiohook-Correlation-Id", correlation), ("X-API-KEY", apiKey)
                ] + extra
        } else {
            headers =
                signer.headers(
                    target: target, authority: host, organizationId: organization, sessionId: session,
                    correlationId: correlation, nonce: nonce, created: created) + extra
        }
        let request = AudioHookUpgradeRequest(target: target, headers: headers)
        do throws(AudioHookError) {
            let verified = try await verifier.verify(request)
            guard !raw else { violated("an unsigned upgrade request was accepted") }
            guard verified.organizationId == request.header("audiohook-organization-id")?.lowercased(),
                verified.sessionId == request.header("audiohook-session-id")?.lowercased(),
                verified.correlationId == request.header("audiohook-correlation-id")
            else {
                violated("the verifier returned ids other than the signed ones")
            }
            do throws(AudioHookError) {
                _ = try await verifier.verify(request)
                violated("a signed request was accepted twice")
            } catch {
                guard error.code == .replayedNonce else { violated("a replay was refused as \(error.code), not replayedNonce") }
            }
            let retargeted = AudioHookUpgradeRequest(target: target + "x", headers: headers)
            if (try? await verifier.verify(retargeted)) != nil { violated("a request with another target was accepted") }
        } catch {
            if !raw, error.code == .signatureMismatch, extra.isEmpty {
                violated("the verifier refused what the signer produced as signatureMismatch")
            }
            for text in renderings(of: error) { checkNoSecrets(text, secrets, in: "an AudioHook signature error") }
        }
    }
}
