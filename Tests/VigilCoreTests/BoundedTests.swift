import Testing
import VigilCore

@Suite("Bounded: a configuration bound that assignment cannot bypass")
struct BoundedTests {
    struct Options {
        @Bounded(1...10) var attempts: Int = 3
        init(attempts: Int) { self.attempts = attempts }
    }

    @Test func theInitialValueAndEveryAssignmentAreClamped() {
        var options = Options(attempts: 0)
        #expect(options.attempts == 1)
        options.attempts = 99
        #expect(options.attempts == 10)
        options.attempts = 7
        #expect(options.attempts == 7)
        options.attempts = -5
        #expect(options.attempts == 1)
    }

    @Test func durationsToo() {
        var bounded = Bounded(wrappedValue: Duration.seconds(7_200), .zero ... .seconds(3_600))
        #expect(bounded.wrappedValue == .seconds(3_600))
        bounded.wrappedValue = .seconds(-1)
        #expect(bounded.wrappedValue == .zero)
    }
}
