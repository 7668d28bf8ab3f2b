import Foundation
import Testing
import VigilTesting
import VigilVerdict

@Suite("In-memory callback stores conform")
struct CallbackStoreConformanceTests {
    @Test func pendingVerdictRegistryAndDeliveryIDStoreConform() async throws {
        try await CallbackStoreConformance.run(
            makePending: { now in PendingVerdictRegistry(now: now) },
            makeDeliveryIDs: { now in InMemoryDeliveryIDStore(now: now) },
            clock: TestClock())
    }
}
