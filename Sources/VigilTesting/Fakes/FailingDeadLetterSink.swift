import Foundation
import VigilCore
import VigilRemediation

/// A `DeadLetterSink` whose storage is down for the first writes: each of the first `failures` calls
/// throws `error`, later ones are handed to an `InMemoryDeadLetterSink` (see ``letters``).
///
/// Use it to prove a dead letter is never lost — the step is retried until the sink takes it:
///
/// ```swift
/// let sink = FailingDeadLetterSink(failures: 2)
/// // … run until the step is dead-lettered …
/// #expect(await sink.letters.count == 1)
/// ```
public final class FailingDeadLetterSink: DeadLetterSink, Sendable {
    private let remaining: Locked<Int>
    private let error: any Error & Sendable
    private let base: InMemoryDeadLetterSink

    /// A sink failing the first `failures` writes (every write by default) with `error` (by default a
    /// `URLError(.cannotConnectToHost)`, as from a database that is down), then keeping letters in
    /// `sink` (a fresh one by default; pass a test's own to share it with other components).
    public init(
        failures: Int = .max, error: any Error & Sendable = URLError(.cannotConnectToHost),
        keepingIn sink: InMemoryDeadLetterSink = InMemoryDeadLetterSink()
    ) {
        remaining = Locked(max(0, failures))
        self.error = error
        base = sink
    }

    /// The letters kept once the failures were used up (in the sink's own order: oldest first).
    public var letters: [RemediationDeadLetter] {
        get async { await base.letters }
    }

    /// Throws while failures remain; otherwise keeps `letter`.
    public func deadLetter(_ letter: RemediationDeadLetter) async throws {
        let fail = remaining.withLock { count in
            guard count > 0 else { return false }
            count -= 1
            return true
        }
        if fail { throw error }
        await base.deadLetter(letter)
    }
}
