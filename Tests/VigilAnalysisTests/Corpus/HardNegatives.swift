import VigilAnalysis
import VigilModels

/// Hard negatives: numbers a naive rule would flag and a reviewer would not — a Luhn-valid number
/// given as an order number, phone numbers, amounts, dates, the last four digits, nine digits that are
/// not an SSN, codes without a card. None may produce a finding under the default policy.
extension SpokenCorpus {
    private mutating func negative(
        _ rule: CorpusCase.Rule, _ family: String, timed: Bool,
        _ build: (inout SpokenCorpus, inout ConversationBuilder) -> Void
    ) {
        var conversation = ConversationBuilder(timed: timed)
        build(&self, &conversation)
        conversation.say("internal", ["okay,", "thank", "you"])
        add(rule, family, negative: true, conversation, [])
    }

    private static func words(_ text: String) -> [String] { text.split(separator: " ").map(String.init) }

    /// A 16-digit number failing Luhn that holds no card of any length anywhere inside it.
    private mutating func cardLikeNonCard() -> String {
        while true {
            let number = CorpusNumbers.card(using: &rng)
            let digits = Array(number)
            let index = Int.random(in: 4..<digits.count, using: &rng)
            var changed = digits
            changed[index] = Character(String((Int(String(digits[index]))! + Int.random(in: 1...9, using: &rng)) % 10))
            let candidate = String(changed)
            if !CorpusNumbers.holdsACard(candidate) { return candidate }
        }
    }

    mutating func cardNegatives() {
        // A valid card number given in answer to a non-payment question (the default policy's cues).
        let cues = [
            "what's your order number", "can I have the tracking number", "do you have a reference number",
            "what's the confirmation number", "and the policy number?", "what's your member number",
            "the claim number please", "which invoice number is it", "what's the gift card number",
            "and your booking number", "can I get the serial number off the device", "your customer number please"
        ]
        let spellings: [Spelling] = [.digits, .groupedNumerals, .oneNumeral, .pairs]
        for (c, cue) in cues.enumerated() {
            for repetition in 0..<2 {
                let spelling = spellings[(c + repetition) % spellings.count]
                negative(
                    .card, "Luhn-valid as \(cue.split(separator: " ").suffix(2).joined(separator: " ")) · \(spelling.rawValue)",
                    timed: repetition == 0
                ) { corpus, conversation in
                    conversation.say("internal", Self.words(cue))
                    let number = CorpusNumbers.card(using: &corpus.rng)
                    corpus.read(
                        number, layout: CorpusNumbers.layout(of: number), spelling: spelling, noise: .none,
                        by: "external", leadIn: corpus.pick(Self.leadIns), into: &conversation)
                }
            }
        }
        // A card number misread (fails Luhn, no card inside) in card context.
        for index in 0..<12 {
            let spelling = Spelling.allCases[index % Spelling.allCases.count]
            negative(.card, "card context, fails Luhn · \(spelling.rawValue)", timed: index % 2 == 0) { corpus, conversation in
                conversation.say("internal", Self.words(corpus.pick(Self.cardPrompts)))
                let number = corpus.cardLikeNonCard()
                corpus.read(
                    number, layout: CorpusNumbers.layout(of: number), spelling: spelling, noise: index % 3 == 0 ? .fillers : .none,
                    by: "external", leadIn: corpus.pick(Self.leadIns), into: &conversation)
            }
        }
        // Long numbers without card context (a card would be found; these are not cards).
        for index in 0..<8 {
            negative(.card, "no context, fails Luhn", timed: index % 2 == 1) { corpus, conversation in
                conversation.say("internal", ["how", "can", "I", "help?"])
                let number = corpus.cardLikeNonCard()
                corpus.read(
                    number, layout: CorpusNumbers.layout(of: number), spelling: index % 2 == 0 ? .digits : .groupedNumerals,
                    noise: .none, by: "external", leadIn: ["I'm", "calling", "about", "number"], into: &conversation)
            }
        }
        let fixed: [(String, [String], [String])] = [
            ("phone", ["what's", "the", "best", "phone", "number", "for", "you"], ["it's", "415", "555", "0132"]),
            ("phone", ["can", "I", "take", "a", "phone", "number?"], Self.words("oh seven seven double oh nine double oh one two three")),
            ("phone", ["and", "your", "phone", "number"], Self.words("four one five, five five five, oh one three two")),
            ("phone", ["your", "mobile", "phone", "number"], ["+1", "(415)", "555-0132"]),
            ("phone", ["the", "phone", "number", "on", "file"], Self.words("one eight hundred five five five one two one two")),
            ("amount", ["how", "much", "was", "it?"], Self.words("it was $4,111.11 on the card")),
            ("amount", ["what", "was", "the", "amount"], Self.words("four thousand one hundred and eleven dollars")),
            ("amount", ["and", "the", "total?"], Self.words("one thousand two hundred and fifty pounds")),
            ("amount", ["the", "balance", "on", "the", "card"], Self.words("it's 5,555.55 I think")),
            ("amount", ["how", "much", "would", "you", "like", "to", "pay", "by", "card"], Self.words("three hundred dollars")),
            ("amount", ["your", "card", "was", "charged"], Self.words("twenty seven fifty nine dollars, then 41.11")),
            ("date", ["when", "was", "that?"], Self.words("the fourteenth of march twenty twenty four")),
            ("date", ["what", "date"], Self.words("12/03/2026 at 10:30")),
            ("date", ["and", "the", "expiry", "date?"], Self.words("oh four twenty seven")),
            ("date", ["the", "expiration", "on", "the", "card?"], Self.words("twelve slash twenty nine")),
            ("date", ["can", "you", "confirm", "your", "date", "of", "birth"], Self.words("oh four twelve nineteen eighty five")),
            ("date", ["date", "of", "birth", "please"], Self.words("the third of may nineteen ninety")),
            ("time", ["what", "time", "suits"], Self.words("about 10:30 or half past eleven, 11:45 am")),
            ("last four", ["can", "you", "confirm", "the", "last", "four", "of", "the", "card"], Self.words("four four four four")),
            ("last four", ["which", "card?"], Self.words("the one ending in one one one one")),
            ("last four", ["I", "see", "a", "card", "ending", "in", "4242"], Self.words("yes that's the one")),
            ("zip", ["and", "the", "billing", "zip", "code"], Self.words("nine oh two one oh")),
            ("zip", ["your", "postcode"], Self.words("SW1A 1AA")),
            ("extension", ["you", "can", "reach", "me", "on", "extension"], Self.words("four one one one")),
            ("menu", ["for", "billing", "press", "one,", "for", "card", "payments", "press", "two"], ["two"]),
            ("pin", ["never", "tell", "anyone", "your", "pin"], Self.words("okay, I won't")),
            ("account", ["the", "account", "number", "please"], Self.words("4111 1111 1111 1111")),
            ("account", ["your", "bank", "routing", "number"], Self.words("0 2 1 0 0 0 0 2 1")),
            ("quantity", ["how", "many", "did", "you", "order?"], Self.words("sixteen hundred items, four thousand one hundred in total")),
            ("promo", ["do", "you", "have", "a", "promo", "code"], Self.words("4111 1111 1111 1111"))
        ]
        for (index, (family, question, answer)) in fixed.enumerated() {
            for timed in [false, true] {
                negative(.card, family, timed: timed != (index % 2 == 0)) { _, conversation in
                    conversation.say("internal", question)
                    conversation.say("external", answer)
                }
            }
        }
    }

    mutating func ssnNegatives() {
        // Nine digits without an SSN cue.
        let contexts: [[String]] = [
            ["my", "account", "number", "is"], ["the", "claim", "number", "is"],
            ["it's"], ["I", "think", "it's"], ["the", "order", "was"], ["the", "case", "number", "is"]
        ]
        for index in 0..<12 {
            negative(.ssn, "nine digits without an SSN cue", timed: index % 2 == 0) { corpus, conversation in
                conversation.say("internal", ["how", "can", "I", "help?"])
                let number = CorpusNumbers.ssn(using: &corpus.rng)
                corpus.read(
                    number, layout: [3, 2, 4], spelling: index % 3 == 0 ? .oneNumeral : .digits, noise: .none,
                    by: "external", leadIn: contexts[index % contexts.count], into: &conversation)
            }
        }
        // Not an SSN after the question: impossible areas, groups and serials, and the published samples.
        let impossible = [
            "000123456", "666123456", "912345678", "123004567", "123450000", "078051120",
            "219099999", "123456789", "999999999", "987654321"
        ]
        for (index, number) in impossible.enumerated() {
            negative(.ssn, "SSN asked, not a possible SSN", timed: index % 2 == 1) { corpus, conversation in
                conversation.say("internal", Self.words(corpus.pick(Self.ssnPrompts)))
                corpus.read(
                    number, layout: [3, 2, 4], spelling: index % 2 == 0 ? .digits : .groupedNumerals, noise: .none,
                    by: "external", leadIn: ["it's"], into: &conversation)
            }
        }
        // Only the last four.
        for index in 0..<6 {
            negative(.ssn, "last four of the social", timed: index % 2 == 0) { corpus, conversation in
                conversation.say("internal", ["just", "the", "last", "four", "of", "your", "social"])
                corpus.read(
                    CorpusNumbers.format4(Int.random(in: 1...9999, using: &corpus.rng)), layout: [4],
                    spelling: index % 2 == 0 ? .digits : .pairs, noise: .none, by: "external",
                    leadIn: ["it's"], into: &conversation)
            }
        }
        // Written like an SSN, given as another kind of number.
        for (index, cue) in ["my case number is", "the reference number is", "ticket number", "invoice number"].enumerated() {
            negative(.ssn, "written AAA-GG-SSSS as \(cue)", timed: index % 2 == 0) { corpus, conversation in
                let ssn = CorpusNumbers.ssn(using: &corpus.rng)
                conversation.say("external", Self.words(cue) + ["\(ssn.prefix(3))-\(ssn.dropFirst(3).prefix(2))-\(ssn.suffix(4))"])
            }
        }
    }

    mutating func codeNegatives() {
        // The last four of the card after the card: not a code.
        for index in 0..<8 {
            negative(.securityCode, "last four after the card", timed: index % 2 == 0) { corpus, conversation in
                conversation.say("internal", ["can", "you", "confirm", "the", "last", "four", "digits", "of", "the", "card"])
                corpus.read(
                    CorpusNumbers.format4(Int.random(in: 0...9999, using: &corpus.rng)), layout: [4],
                    spelling: index % 2 == 0 ? .digits : .groupedNumerals, noise: .none, by: "external",
                    leadIn: corpus.pick(Self.leadIns), into: &conversation)
            }
        }
        // Three digits without a card or a code question.
        let threes: [([String], [String])] = [
            (["which", "room", "are", "you", "in?"], ["three", "oh", "five"]),
            (["what's", "your", "extension"], ["it's", "two", "four", "six"]),
            (["how", "can", "I", "help?"], Self.words("I'm calling about the 737 flight")),
            (["how", "many", "days", "ago?"], Self.words("about three hundred")),
            (["what's", "the", "area", "code"], Self.words("four one five")),
            (["which", "option", "did", "you", "pick"], Self.words("one two three")),
            (["what", "flat", "number"], Self.words("one one two")),
            (["and", "the", "house", "number?"], Self.words("it's 221"))
        ]
        for (index, (question, answer)) in threes.enumerated() {
            for timed in [false, true] {
                negative(.securityCode, "three digits, no card", timed: timed != (index % 2 == 0)) { _, conversation in
                    conversation.say("internal", question)
                    conversation.say("external", answer)
                }
            }
        }
        // A code question answered with something else.
        for index in 0..<6 {
            negative(.securityCode, "code asked, no code given", timed: index % 2 == 0) { corpus, conversation in
                conversation.say("internal", Self.words(corpus.pick(Self.codePrompts)))
                conversation.say(
                    "external",
                    Self.words(
                        corpus.pick([
                            "sorry, I don't have the card with me",
                            "I'd rather not say that over the phone",
                            "hang on, which one is that?",
                            "can I call you back in ten minutes"
                        ])))
            }
        }
    }
}
