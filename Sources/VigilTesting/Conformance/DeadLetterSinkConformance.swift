import Foundation
import VigilModels
import VigilRemediation

/// A conformance suite for `DeadLetterSink` implementations — run it from a host's own tests against
/// its table, queue or alerting sink to prove that a dead letter, once handed over, is kept whole.
///
/// Plain async code (no test framework): returns when every property holds, throws a
/// ``ConformanceFailure`` naming the first that does not.
///
/// ```swift
/// @Test func postgresSinkConforms() async throws {
///     try await DeadLetterSinkConformance.run { () async throws -> DeadLetterSinkConformance.Subject in
///         let sink = PostgresDeadLetterSink(client: client)   // on an empty table
///         try await sink.prepare()
///         return .init(sink: sink, letters: { try await sink.letters() })
///     }
/// }
/// ```
///
/// `makeSubject` is called once per property and must return an **empty** sink with a way to read
/// back everything it stored, oldest first. Dates are compared to the millisecond (stores may keep
/// no more).
public enum DeadLetterSinkConformance {
    /// The properties the suite checks, in the order it checks them.
    public enum Property: String, CaseIterable, Sendable {
        /// Every letter handed over is read back once, oldest first, with every field.
        case keptInOrder
        /// Reasons and names with Unicode, quotes, backslashes, newlines and 4 KiB of text, and the
        /// same letter handed over twice (a retried step), are kept exactly: a dead letter is never
        /// merged, truncated or re-encoded.
        case keptVerbatim
        /// `writers × lettersPerWriter` letters handed over at once from concurrent tasks are all
        /// stored, each exactly once.
        case concurrentWritersKeepAll
    }

    /// A sink and the way to read it back.
    public struct Subject: Sendable {
        /// The sink under test (empty).
        public let sink: any DeadLetterSink
        /// Everything the sink stored, oldest first.
        public let letters: @Sendable () async throws -> [RemediationDeadLetter]

        /// Creates a subject.
        public init(sink: any DeadLetterSink, letters: @escaping @Sendable () async throws -> [RemediationDeadLetter]) {
            self.sink = sink
            self.letters = letters
        }
    }

    /// Runs the suite.
    ///
    /// - Parameters:
    ///   - properties: which properties to check (default all).
    ///   - writers: concurrent tasks in ``Property/concurrentWritersKeepAll``. Default 8.
    ///   - lettersPerWriter: letters each of them hands over. Default 25.
    ///   - makeSubject: creates an empty sink and its reader.
    public static func run(
        properties: [Property] = Property.allCases, writers: Int = 8, lettersPerWriter: Int = 25,
        makeSubject: () async throws -> Subject
    ) async throws {
        for property in properties {
            let check = PropertyCheck(suite: "DeadLetterSinkConformance", property: property.rawValue)
            try await check.run {
                let subject = try await makeSubject()
                switch property {
                case .keptInOrder:
                    let sent = (0..<20).map { letter($0) }
                    for letter in sent { try await subject.sink.deadLetter(letter) }
                    try same(try await subject.letters(), sent, check)
                case .keptVerbatim:
                    let long = String(repeating: "x", count: 4_096)
                    let odd = letter(
                        1, reason: "Grüße \"quoted\" \\ back\nslash\ttab 🙂 \u{2028} end " + long,
                        block: "block.with-odd_chars", action: "create_work_item")
                    let sent = [odd, odd, letter(2, reason: "")]
                    for letter in sent { try await subject.sink.deadLetter(letter) }
                    try same(try await subject.letters(), sent, check)
                case .concurrentWritersKeepAll:
                    let sink = subject.sink
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for writer in 0..<writers {
                            group.addTask {
                                for n in 0..<lettersPerWriter { try await sink.deadLetter(letter(writer * lettersPerWriter + n)) }
                            }
                        }
                        try await group.waitForAll()
                    }
                    let stored = try await subject.letters()
                    try check.require(
                        stored.count == writers * lettersPerWriter,
                        "\(writers * lettersPerWriter) letters handed over, \(stored.count) stored")
                    let distinct = Set(stored.map(\.attempts))
                    try check.require(distinct.count == stored.count, "a letter was stored twice and another lost")
                }
            }
        }
    }

    /// The `n`th distinct letter (`attempts` is `n + 1`, so letters can be told apart).
    static func letter(_ n: Int, reason: String? = nil, block: String = "tag", action: String = "tag_conversation")
        -> RemediationDeadLetter
    {
        RemediationDeadLetter(
            flowName: "Conformance", blockId: block, action: action,
            conversationId: GenesysID("2f7bf00a-0fc2-4d6a-9b56-92238191433e")!,
            recordingId: GenesysID(String(format: "a1b2c3d4-e5f6-4890-abcd-%012x", n))!,
            correlationId: CorrelationID("conformance-\(n)")!, errorCode: "platform.badRequest",
            reason: reason ?? "refused (\(n))", attempts: n + 1,
            occurredAt: Date(timeIntervalSince1970: 1_780_000_000 + Double(n) + 0.123))
    }

    private static func same(
        _ stored: [RemediationDeadLetter], _ sent: [RemediationDeadLetter],
        _ check: PropertyCheck
    ) throws {
        try check.require(stored.count == sent.count, "\(sent.count) letters handed over, \(stored.count) read back")
        for (index, (got, want)) in zip(stored, sent).enumerated() {
            let fields =
                got.flowName == want.flowName && got.blockId == want.blockId && got.action == want.action
                && got.conversationId == want.conversationId && got.recordingId == want.recordingId
                && got.correlationId == want.correlationId && got.errorCode == want.errorCode
                && got.reason == want.reason && got.attempts == want.attempts
            try check.require(fields, "letter \(index) came back with other fields (or out of order)")
            try check.require(got.occurredAt.isClose(to: want.occurredAt), "letter \(index)'s date changed beyond a millisecond")
        }
    }
}
