import Testing
import VigilAudioHook

@Suite("AudioHook errors")
struct AudioHookErrorTests {
    @Test("Stable codes; only a failing nonce store is retryable")
    func codes() {
        let error = AudioHookError(.sequenceError, "seq 5 after 3")
        #expect(error.errorCode == "audiohook.sequenceError")
        #expect(error.description == "audiohook.sequenceError: seq 5 after 3")
        #expect(!error.isRetryable)
        #expect(AudioHookError(.replayCheckFailed, "store down").isRetryable)
    }
}
