import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import VigilEvidence

/// The evidence vault as the service serves it: `GET /evidence/{objectId}?expires=…&signature=…`.
///
/// The link is checked first (``EvidenceLinks/verify(objectId:expires:signature:)``: form, expiry,
/// signature in constant time) — a request with a bad link learns nothing about the store — then the
/// envelope is opened (every check of ``EvidenceVault/open(_:)``) and the masked clip is answered with
/// `Cache-Control: no-store`. Answers: 200 with the clip; 403 `evidence.invalidLink`; 404
/// `evidence.notFound`; 500 with the error code only (a tampered envelope is `evidence.authenticationFailed`).
/// Logs carry the object id and the code, never a signature or evidence.
public struct EvidenceAccess: Sendable {
    /// The vault the clips are sealed in.
    public let vault: EvidenceVault
    /// The link signer (the same secret in every process).
    public let links: EvidenceLinks
    /// How long a link the engine hands out lives.
    public let linkLifetime: Duration

    /// Creates the access.
    public init(vault: EvidenceVault, links: EvidenceLinks, linkLifetime: Duration) {
        self.vault = vault
        self.links = links
        self.linkLifetime = linkLifetime
    }

    /// Adds `GET /evidence/:objectId` to `router`.
    public func add<Context: RequestContext>(to router: Router<Context>, logger: Logger) {
        router.get("/evidence/:objectId") { request, context in
            let objectId = context.parameters.get("objectId") ?? ""
            let query = request.uri.queryParameters
            do {
                try links.verify(objectId: objectId, expires: query.get("expires") ?? "", signature: query.get("signature") ?? "")
                let evidence = try await vault.open(objectId)
                var headers = HTTPTypes.HTTPFields()
                headers[.contentType] = evidence.header.contentType
                headers[.cacheControl] = "no-store"
                headers[.contentDisposition] = "attachment; filename=\"\(objectId).wav\""
                logger.info("evidence served", metadata: ["object_id": "\(objectId)", "bytes": "\(evidence.bytes.count)"])
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: evidence.bytes)))
            } catch let error as EvidenceError {
                let status: HTTPTypes.HTTPResponse.Status =
                    switch error.code {
                    case .invalidLink: .forbidden
                    case .notFound, .invalidObjectId: .notFound
                    default: .internalServerError
                    }
                // The id is logged only once it has the vault's form (a link's id is attacker text).
                let id = EvidenceVault.isValidObjectId(objectId) ? objectId : "-"
                logger.warning("evidence refused", metadata: ["object_id": "\(id)", "code": "\(error.errorCode)"])
                return VigilRoutes.json(status, #"{"error":"\#(error.errorCode)"}"#)
            } catch {
                logger.error("evidence unavailable", metadata: ["code": "evidence.storageFailure"])
                return VigilRoutes.json(.internalServerError, #"{"error":"evidence.storageFailure"}"#)
            }
        }
    }
}
