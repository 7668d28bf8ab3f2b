import Testing
import VigilCore

@Test func userAgentNamesTheVersion() {
    #expect(VigilBuild.userAgent.contains(VigilBuild.version))
}
