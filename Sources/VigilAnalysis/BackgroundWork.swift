import Foundation

/// A value computed on a thread of its own (the second core of a file scan); ``wait()`` blocks until
/// it is ready and may be called any number of times.
final class BackgroundWork<Value: Sendable>: @unchecked Sendable {
    // `value` is written once by the worker before it signals `done`, and read only after a wait.
    private let done = DispatchSemaphore(value: 0)
    private var value: Value?

    /// Starts `work` on a new thread.
    init(_ work: @escaping @Sendable () -> Value) {
        Thread { [self] in
            value = work()
            done.signal()
        }.start()
    }

    /// The value, once the work has finished.
    func wait() -> Value {
        done.wait()
        done.signal()  // let later waits through
        return value!
    }
}
