import Testing
@testable import VigilModels

@Test func schemaVersionIsSet() {
    #expect(!VigilSchema.currentVersion.isEmpty)
}
