import Foundation

/// A value behind an `NSLock`: the one "small mutable state shared between tasks" box of the package.
///
/// Every read and write goes through ``withLock(_:)``, so the value is never seen half-updated:
///
/// ```swift
/// let resumes = Locked(0)
/// resumes.withLock { $0 += 1 }
/// let count = resumes.withLock { $0 }
/// ```
///
/// Package access only: hosts never see it. (The platforms Vigil supports, macOS 14 and iOS 17, do not
/// have `Synchronization.Mutex`.) The body runs with the lock held: keep it short, never `await` or
/// call back into code that takes the same lock in it, and do not let a non-`Sendable` value escape it.
package final class Locked<Value>: @unchecked Sendable {
    @usableFromInline let lock = NSLock()
    @usableFromInline var guarded: Value

    /// A box holding `value`.
    @inlinable package init(_ value: Value) { guarded = value }

    /// Runs `body` on the value with the lock held and returns what it returns.
    @inlinable package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&guarded)
    }
}
