import VigilAnalysis
import VigilCore
import VigilModels

/// The spoken half of the corpus: card numbers, security codes and SSNs read in conversations, and the
/// hard negatives aimed at each rule. Deterministic: the same seed gives the same corpus.
struct SpokenCorpus {
    var rng: SplitMix64
    var renderer: DigitRenderer
    var cases: [CorpusCase] = []

    init(seed: UInt64) {
        rng = SplitMix64(seed: seed)
        renderer = DigitRenderer(rng: SplitMix64(seed: seed &+ 1))
    }

    mutating func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &rng)] }
    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }

    /// The ways a number's reading is disturbed.
    enum Noise: String, CaseIterable {
        case none, fillers, punctuation, correction, restart, backChannels, oddSplit, lowConfidence
    }

    static let cardPrompts = [
        "can I take the long number on the front of the card", "what's the card number please",
        "could you read me the sixteen digits on your card", "and the card number?",
        "go ahead with the card number when you're ready", "can I get the credit card number",
        "what is the number on the card", "please read the digits across the front of your card",
        "okay and which debit card would you like to use, the number please"
    ]
    static let leadIns: [[String]] = [
        [], ["sure", "it's"], ["yes", "it", "is"], ["okay", "so"], ["yeah"],
        ["let", "me", "see,", "it's"], ["right,", "um"]
    ]
    static let backChannels: [[String]] = [["mhm"], ["okay"], ["yep"], ["go", "on"], ["got", "it"], ["uh", "huh"]]
    static let correctionMarkers: [[String]] = [
        ["no", "wait,"], ["sorry", "I", "mean"], ["no", "sorry,"],
        ["scratch", "that,"], ["oops,"]
    ]
    static let restartMarkers: [[String]] = [
        ["sorry,", "let", "me", "start", "again,"], ["let", "me", "try", "again,"],
        ["from", "the", "top,"], ["I'll", "start", "over,"]
    ]

    /// A number read with `noise` as the tokens of one or more turns by `who`, said at the current clock.
    /// Returns the offset where the number (as finally read) starts.
    @discardableResult
    mutating func read(
        _ number: String, layout: [Int], spelling: Spelling, noise: Noise, by who: String,
        leadIn: [String], trailing: [String] = [], into conversation: inout ConversationBuilder,
        trailingMark: ((Int) -> Void)? = nil
    ) -> Int {
        var groups = renderer.groups(of: number, layout: layout, spelling)
        if noise == .punctuation {
            groups = groups.map { group in group.enumerated().map { $0 == group.count - 1 ? $1 + "," : $1 } }
        }
        var tokens = leadIn
        var numberStart = tokens.count
        var splitAt: Int? = nil
        switch noise {
        case .fillers:
            for (index, group) in groups.enumerated() {
                tokens += group
                if index < groups.count - 1, chance(70) { tokens.append(pick(["um", "uh", "er", "hmm"])) }
            }
        case .correction where groups.count > 1:
            let wrong = Int.random(in: 0..<(groups.count - 1), using: &rng)
            for (index, group) in groups.enumerated() {
                if index == wrong {
                    tokens += misread(group) + pick(Self.correctionMarkers)
                }
                tokens += group
            }
        case .restart where groups.count > 1:
            tokens += groups.prefix(Int.random(in: 1...min(2, groups.count - 1), using: &rng)).flatMap { $0 }
            tokens += pick(Self.restartMarkers)
            numberStart = tokens.count
            tokens += groups.flatMap { $0 }
        case .backChannels where groups.count > 1:
            // Group by group, the other party acknowledging in between.
            let other = who == "external" ? "internal" : "external"
            let start = conversation.say(who, leadIn + groups[0], mark: leadIn.count)
            for group in groups.dropFirst() {
                conversation.say(other, pick(Self.backChannels))
                conversation.say(who, group)
            }
            if !trailing.isEmpty { trailingMark?(conversation.say(who, trailing)) }
            return start
        case .oddSplit:
            tokens += groups.flatMap { $0 }
            splitAt = Int.random(in: (numberStart + 1)..<max(numberStart + 2, tokens.count), using: &rng)
        default:
            tokens += groups.flatMap { $0 }
        }
        if noise == .punctuation, var last = tokens.last {
            last.removeLast()
            tokens[tokens.count - 1] = last + "."
            tokens[0] = tokens[0].prefix(1).uppercased() + tokens[0].dropFirst()
        }
        let trailingIndex = tokens.count
        tokens += trailing
        var low = Set<Int>()
        if noise == .lowConfidence {
            for index in numberStart..<tokens.count where chance(35) { low.insert(index) }
        }
        if let splitAt, splitAt < tokens.count {
            let start = conversation.say(who, Array(tokens[..<splitAt]), mark: numberStart)
            let rest = conversation.say(who, Array(tokens[splitAt...]), mark: max(0, trailingIndex - splitAt))
            if !trailing.isEmpty { trailingMark?(trailingIndex >= splitAt ? rest : start) }
            return start
        }
        let start = conversation.say(who, tokens, mark: numberStart, lowConfidence: low)
        if !trailing.isEmpty {
            trailingMark?(conversation.timed ? start + (trailingIndex - numberStart) * ConversationBuilder.wordMs : start)
        }
        return start
    }

    /// A group said with one digit wrong (what the speaker then corrects).
    mutating func misread(_ group: [String]) -> [String] {
        var words = group
        let digitWords = words.indices.filter { Int(words[$0]) != nil || Words.units.contains(words[$0]) }
        guard !digitWords.isEmpty else { return ["seven"] + words }
        let index = digitWords[Int.random(in: 0..<digitWords.count, using: &rng)]
        if let value = Int(words[index]) {
            // A numeral: change its last digit.
            let text = words[index]
            words[index] = String(text.dropLast()) + String((value % 10 + 1) % 10)
        } else if let unit = Words.units.firstIndex(of: words[index]) {
            words[index] = Words.units[(unit + 1) % 10]
        } else {
            words[index] = "seven"
        }
        return words.map { $0.hasSuffix(",") ? String($0.dropLast()) : $0 }
    }

    mutating func add(
        _ rule: CorpusCase.Rule, _ family: String, negative: Bool = false,
        _ conversation: ConversationBuilder, _ expected: [ExpectedFinding]
    ) {
        let id = "\(negative ? "neg" : "pos")-\(rule == .card ? "card" : rule == .ssn ? "ssn" : "code")-\(cases.count)"
        cases.append(
            CorpusCase(
                id: id, rule: rule, family: family, hardNegative: negative, expected: expected,
                document: conversation.document, keyed: [], transcript: conversation.transcript))
    }

    // MARK: Positives

    enum CardPattern: String, CaseIterable {
        case prompted, promptedAfterHold, volunteered, unprompted, readBack, withExpiry, withCode, menuChoiceFirst
    }

    mutating func cardPositives(repetitions: Int) {
        for (s, spelling) in Spelling.allCases.enumerated() {
            for (p, pattern) in CardPattern.allCases.enumerated() {
                for repetition in 0..<repetitions {
                    let noise = Noise.allCases[(s + 3 * p + repetition) % Noise.allCases.count]
                    cardCase(
                        spelling: spelling, pattern: pattern, noise: noise,
                        timed: noise == .lowConfidence || (s + p + repetition) % 2 == 0)
                }
            }
        }
    }

    mutating func cardCase(spelling: Spelling, pattern: CardPattern, noise: Noise, timed: Bool) {
        let card = CorpusNumbers.card(using: &rng)
        var conversation = ConversationBuilder(timed: timed)
        var expected: [ExpectedFinding] = []
        var leadIn = pick(Self.leadIns)
        switch pattern {
        case .prompted, .readBack, .withExpiry, .withCode, .menuChoiceFirst:
            conversation.say("internal", pick(Self.cardPrompts).split(separator: " ").map(String.init))
        case .promptedAfterHold:
            conversation.say("internal", pick(Self.cardPrompts).split(separator: " ").map(String.init))
            conversation.say("external", ["hold", "on,", "let", "me", "grab", "my", "wallet"])
            conversation.say("internal", ["no", "problem,", "take", "your", "time"])
        case .volunteered:
            conversation.say("internal", ["how", "would", "you", "like", "to", "pay", "today?"])
            leadIn = pick([
                ["my", "card", "number", "is"], ["the", "credit", "card", "is"], ["it's", "a", "visa,"],
                ["card", "number"], ["here's", "the", "card,"]
            ])
        case .unprompted:
            conversation.say("internal", ["go", "ahead", "whenever", "you're", "ready"])
            leadIn = pick([["okay", "it's"], ["right", "so"], ["yes"], []])
        }
        if pattern == .menuChoiceFirst { leadIn = [pick(["one,", "one", "two"])] }
        var trailing: [String] = []
        var codeStart: Int? = nil
        var code = ""
        switch pattern {
        case .withExpiry:
            // Four bare digits after an American Express number are its four-digit code to any reader:
            // its expiry is read with a cue.
            trailing =
                CorpusNumbers.isAmex(card)
                ? pick([["expiry", "oh", "nine", "twenty", "eight"], ["and", "it", "expires", "twelve", "twenty", "six"]])
                : pick([
                    ["oh", "four", "twenty", "seven"], ["expiry", "oh", "nine", "twenty", "eight"],
                    ["and", "it", "expires", "twelve", "twenty", "six"], ["0427"], ["zero", "three", "two", "nine"]
                ])
        case .withCode:
            code = CorpusNumbers.randomDigits(CorpusNumbers.isAmex(card) ? 4 : 3, using: &rng)
            trailing = renderer.render(code, pick([.digits, .groupedNumerals]))
        default: break
        }
        let start = read(
            card, layout: CorpusNumbers.layout(of: card), spelling: spelling, noise: noise, by: "external",
            leadIn: leadIn, trailing: trailing, into: &conversation
        ) { codeStart = $0 }
        expected.append(ExpectedFinding(type: .pciMidCapture, participant: "external", offsetMs: start))
        if let codeStart, !code.isEmpty {
            expected.append(ExpectedFinding(type: .pciCvvCapture, participant: "external", offsetMs: codeStart))
        }
        if pattern == .readBack {
            let back = read(
                card, layout: CorpusNumbers.layout(of: card), spelling: pick([.digits, .groupedNumerals, .pairs]),
                noise: .none, by: "internal", leadIn: ["let", "me", "read", "that", "back,"],
                trailing: ["is", "that", "right?"], into: &conversation)
            expected.append(ExpectedFinding(type: .pciMidCapture, participant: "internal", offsetMs: back))
        }
        conversation.say("internal", ["thank", "you,", "one", "moment"])
        add(.card, "\(pattern.rawValue) · \(spelling.rawValue) · \(noise.rawValue) · test card \(card)", conversation, expected)
    }

    static let codePrompts = [
        "and the three digit security code on the back", "what's the CVV", "and the three numbers on the back please",
        "and the CVC?", "and finally the verification code", "can I have the security code",
        "the last three digits on the back of the card please"
    ]

    mutating func codePositives(repetitions: Int) {
        let spellings: [Spelling] = [.digits, .groupedNumerals, .pairs, .repeats]
        for (s, spelling) in spellings.enumerated() {
            for (p, prompt) in Self.codePrompts.enumerated() {
                for repetition in 0..<repetitions {
                    let timed = (s + p + repetition) % 2 == 0
                    var conversation = ConversationBuilder(timed: timed)
                    let card = CorpusNumbers.card(using: &rng)
                    conversation.say("internal", pick(Self.cardPrompts).split(separator: " ").map(String.init))
                    let cardStart = read(
                        card, layout: CorpusNumbers.layout(of: card), spelling: pick([.digits, .groupedNumerals]),
                        noise: .none, by: "external", leadIn: pick(Self.leadIns), into: &conversation)
                    if repetition == 1 {
                        conversation.say("internal", ["and", "the", "expiry?"])
                        conversation.say("external", ["oh", "five", "twenty", "nine"])
                    }
                    let amex = CorpusNumbers.isAmex(card)
                    conversation.say(
                        "internal",
                        (amex ? "and the four digit code on the front" : prompt)
                            .split(separator: " ").map(String.init))
                    if repetition == 2 { conversation.say("external", ["one", "second"]) }
                    let code = CorpusNumbers.randomDigits(amex ? 4 : 3, using: &rng)
                    let noise: Noise = p % 3 == 0 ? .fillers : .none
                    let start = read(
                        code, layout: [code.count], spelling: spelling, noise: noise, by: "external",
                        leadIn: pick([[], ["it's"], ["um"], ["that's"]]), into: &conversation)
                    conversation.say("internal", ["lovely,", "thank", "you"])
                    add(
                        .securityCode,
                        "asked · \(spelling.rawValue)\(repetition == 1 ? " · after expiry" : "")"
                            + "\(repetition == 2 ? " · after a pause" : "")", conversation,
                        [
                            ExpectedFinding(type: .pciMidCapture, participant: "external", offsetMs: cardStart),
                            ExpectedFinding(type: .pciCvvCapture, participant: "external", offsetMs: start)
                        ])
                }
            }
        }
    }

    static let ssnPrompts = [
        "can I have your social security number", "and what's your social", "I'll need your SSN to verify",
        "could you confirm your social security number please", "for verification, your social please",
        "what is the social security number on the account"
    ]

    enum SSNPattern: String, CaseIterable { case prompted, promptedAfterHold, volunteered }

    mutating func ssnPositives(repetitions: Int) {
        for (s, spelling) in Spelling.allCases.enumerated() {
            for (p, pattern) in SSNPattern.allCases.enumerated() {
                for repetition in 0..<repetitions {
                    let noises: [Noise] = [.none, .fillers, .punctuation, .correction, .backChannels, .oddSplit, .lowConfidence]
                    let noise = noises[(s + 2 * p + repetition) % noises.count]
                    var conversation = ConversationBuilder(timed: noise == .lowConfidence || (s + repetition) % 2 == 1)
                    var leadIn = pick(Self.leadIns)
                    switch pattern {
                    case .prompted:
                        conversation.say("internal", pick(Self.ssnPrompts).split(separator: " ").map(String.init))
                    case .promptedAfterHold:
                        conversation.say("internal", pick(Self.ssnPrompts).split(separator: " ").map(String.init))
                        conversation.say("external", ["just", "a", "second"])
                        conversation.say("internal", ["sure"])
                    case .volunteered:
                        conversation.say("internal", ["how", "can", "I", "help", "you", "today?"])
                        leadIn = pick([
                            ["my", "social", "is"], ["my", "social", "security", "number", "is"],
                            ["my", "SSN", "is"], ["I", "gave", "you", "my", "social", "already,", "it's"]
                        ])
                    }
                    let ssn = CorpusNumbers.ssn(using: &rng)
                    let start = read(
                        ssn, layout: [3, 2, 4], spelling: spelling, noise: noise, by: "external",
                        leadIn: leadIn, into: &conversation)
                    conversation.say("internal", ["thanks,", "that's", "verified"])
                    add(
                        .ssn, "\(pattern.rawValue) · \(spelling.rawValue) · \(noise.rawValue)", conversation,
                        [ExpectedFinding(type: .ssnDisclosure, participant: "external", offsetMs: start)])
                }
            }
        }
        // Written the way an SSN is printed, with or without being asked.
        for index in 0..<12 {
            var conversation = ConversationBuilder(timed: index % 2 == 0)
            if index % 3 == 0 { conversation.say("internal", ["what's", "your", "social?"]) }
            let ssn = CorpusNumbers.ssn(using: &rng)
            let written = "\(ssn.prefix(3))-\(ssn.dropFirst(3).prefix(2))-\(ssn.suffix(4))"
            let lead = pick([["it's"], ["the", "number", "is"], ["okay,"]])
            let start = conversation.say("external", lead + [written], mark: lead.count)
            add(
                .ssn, "\(index % 3 == 0 ? "prompted" : "unprompted") · written AAA-GG-SSSS", conversation,
                [ExpectedFinding(type: .ssnDisclosure, participant: "external", offsetMs: start)])
        }
    }
}
