import Testing
import Vigil

@Suite("PipelineConfiguration: its bounds hold after init too")
struct PipelineConfigurationTests {
    @Test func assigningAPublicVarCannotBypassTheBounds() {
        var configuration = PipelineConfiguration(mediaLinkLifetime: .seconds(7_200), fanOutAttempts: 0)
        #expect(configuration.mediaLinkLifetime == .seconds(3_600), "Genesys pre-signed URLs live at most 60 min")
        #expect(configuration.fanOutAttempts == 1)
        configuration.mediaLinkLifetime = .seconds(86_400)
        configuration.fanOutAttempts = -3
        #expect(configuration.mediaLinkLifetime == .seconds(3_600))
        #expect(configuration.fanOutAttempts == 1)
    }
}
