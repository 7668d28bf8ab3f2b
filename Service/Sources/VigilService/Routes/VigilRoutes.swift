import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Prometheus
import Vigil
import VigilCore
import VigilEventSub
import VigilVerdict

/// Vigil's HTTP surface, for any Hummingbird 2 router (the service's own, or a host's app):
///
/// | route | |
/// |---|---|
/// | `POST /webhooks/genesys` | `CompliancePipeline.receive(body:headers:)`; the body limit is enforced while reading (413) |
/// | `POST /callbacks/verdict` | `VerdictCallbackReceiver.receive(headers:body:)` → 200, or the error's `httpStatus` |
/// | `GET /healthz` | the process is alive |
/// | `GET /readyz` | every storage probe passes (and, for a worker, the engine breaker is not open); JSON; 503 when not ready |
/// | `GET /metrics` | Prometheus text exposition of the registry |
/// | `GET /evidence/{id}` | a sealed evidence clip, for a valid signed link (``EvidenceAccess``), when configured |
///
/// A `nil` pipeline (a worker-only process) leaves the webhook and callback routes out; a `nil`
/// callback receiver answers 404 on the callback route.
public struct VigilRoutes: Sendable {
    /// The pipeline whose `receive` the webhook route calls; `nil`: no ingest routes.
    public var pipeline: CompliancePipeline?
    /// The callback receiver; `nil`: `/callbacks/verdict` answers 404.
    public var callbacks: VerdictCallbackReceiver?
    /// What `/readyz` checks.
    public var readiness: Readiness
    /// The registry `/metrics` renders; `nil`: no metrics route.
    public var metrics: PrometheusCollectorRegistry?
    /// The largest webhook body read; one byte more is answered 413.
    public var maxBodyBytes: Int
    /// Route logger (identifiers and codes only).
    public var logger: Logger
    /// The evidence vault; `nil`: no `/evidence` route.
    public var evidence: EvidenceAccess?

    /// Creates the routes.
    public init(
        pipeline: CompliancePipeline?, callbacks: VerdictCallbackReceiver?, readiness: Readiness,
        metrics: PrometheusCollectorRegistry?, maxBodyBytes: Int, evidence: EvidenceAccess? = nil,
        logger: Logger = Logger(label: "vigil.http")
    ) {
        self.evidence = evidence
        self.pipeline = pipeline
        self.callbacks = callbacks
        self.readiness = readiness
        self.metrics = metrics
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger
    }

    /// Adds the routes to `router`.
    public func add<Context: RequestContext>(to router: Router<Context>) {
        router.get("/healthz") { _, _ in
            Self.json(.ok, #"{"status":"alive"}"#)
        }
        router.get("/readyz") { _, _ in
            let report = await readiness.check()
            return Self.json(report.ready ? .ok : .serviceUnavailable, report.json)
        }
        if let metrics {
            router.get("/metrics") { _, _ in
                var headers = HTTPTypes.HTTPFields()
                headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer())))
            }
        }
        evidence?.add(to: router, logger: logger)
        if let pipeline {
            let limit = maxBodyBytes
            router.post("/webhooks/genesys") { request, _ in
                guard let body = try await Self.readBody(request, limit: limit) else {
                    return Self.json(.contentTooLarge, #"{"error":"webhook.bodyTooLarge","limit":\#(limit)}"#)
                }
                let response = await pipeline.receive(body: body, headers: Self.fields(request.headers))
                var headers = HTTPTypes.HTTPFields()
                for field in response.headers {
                    if let name = HTTPField.Name(field.name) { headers.append(HTTPField(name: name, value: field.value)) }
                }
                return Response(
                    status: .init(code: response.status), headers: headers,
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: response.body)))
            }
            let callbacks = self.callbacks
            router.post("/callbacks/verdict") { request, _ in
                guard let callbacks else {
                    return Self.json(.notFound, #"{"error":"callbacks.notConfigured"}"#)
                }
                let callbackLimit = callbacks.configuration.maxBodyBytes
                guard let body = try await Self.readBody(request, limit: callbackLimit) else {
                    return Self.json(.contentTooLarge, #"{"error":"callback.bodyTooLarge","limit":\#(callbackLimit)}"#)
                }
                do {
                    let accepted = try await callbacks.receive(headers: Self.fields(request.headers), body: body)
                    return Self.json(.ok, #"{"status":"accepted","recordingId":"\#(accepted.request.recordingId)"}"#)
                } catch let error as VerdictCallbackError {
                    return Self.json(.init(code: error.httpStatus), #"{"error":"\#(error.errorCode)"}"#)
                }
            }
        }
    }

    /// Reads a request body, stopping as soon as it exceeds `limit` bytes (a declared
    /// `Content-Length` over the limit is refused before anything is read).
    ///
    /// - Returns: the body, or `nil` when it is larger than `limit`.
    public static func readBody(_ request: Request, limit: Int) async throws -> [UInt8]? {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit { return nil }
        var bytes: [UInt8] = []
        for try await buffer in request.body {
            guard bytes.count + buffer.readableBytes <= limit else { return nil }
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        return bytes
    }

    /// Hummingbird's header fields as Vigil's.
    static func fields(_ headers: HTTPTypes.HTTPFields) -> VigilCore.HTTPFields {
        var fields = VigilCore.HTTPFields()
        for field in headers {
            fields.append(name: field.name.rawName, value: field.value)
        }
        return fields
    }

    static func json(_ status: HTTPTypes.HTTPResponse.Status, _ text: String) -> Response {
        var headers = HTTPTypes.HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

extension Router {
    /// Mounts Vigil's routes (``VigilRoutes``) on this router.
    public func addVigilRoutes(_ routes: VigilRoutes) {
        routes.add(to: self)
    }
}
