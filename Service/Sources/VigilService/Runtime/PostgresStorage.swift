import Foundation
import Logging
import PostgresNIO
import VigilCore
import VigilModels
import VigilPostgres
import VigilRemediation

extension ServiceStorage {
    /// Every store in one PostgreSQL database (`VigilPostgres`), shared by any number of processes on
    /// any number of machines. The pool (`PostgresClient`) runs as a service of the group; the schema
    /// is migrated on first use (advisory-locked, so processes starting together agree).
    ///
    /// - Throws: ``ServiceConfigurationError`` (key `VIGIL_STORE`) when the URL is refused.
    public static func postgres(
        url: String, maxDeliveries: Int = 10, logger: Logger? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws -> ServiceStorage {
        let configuration: VigilPostgresConfiguration
        do { configuration = try VigilPostgresConfiguration(url: url) } catch {
            throw ServiceConfigurationError(key: ServiceConfiguration.Key.store, reason: "the postgres:// URL is refused: \(Self.code(of: error))")
        }
        let client = configuration.makeClient(backgroundLogger: logger)
        let store = PostgresIdempotencyStore(client: client, now: now)
        let queue = PostgresJobQueue<RecordingJob>(client: client, name: "recordings", maxDeliveries: maxDeliveries, now: now)
        let pending = PostgresPendingVerdictStore(client: client, now: now)
        let deliveryIDs = PostgresDeliveryIDStore(client: client, now: now)
        let sink = PostgresDeadLetterSink(client: client, logger: logger, now: now)
        return ServiceStorage(
            idempotency: store, queue: queue, pendingVerdicts: pending, deliveryIDs: deliveryIDs, deadLetters: sink,
            queueDepth: { try await queue.pendingCount() },
            queueDeadLetters: { try await queue.deadLetterCount() },
            probes: [
                ReadinessProbe(name: "store") { _ = try await client.query("SELECT 1").collect() },
                ReadinessProbe(name: "queue") { _ = try await queue.pendingCount() }
            ],
            services: [client], maxDeliveries: maxDeliveries, label: configuration.description,
            close: { queue.stopListening() })
    }

    static func code(of error: any Error) -> String {
        (error as? any VigilError)?.errorCode ?? String(describing: type(of: error))
    }
}
