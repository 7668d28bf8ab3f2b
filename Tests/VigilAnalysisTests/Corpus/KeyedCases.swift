import VigilAnalysis
import VigilCore
import VigilModels
import VigilRedaction

/// The keyed half of the corpus: digit events as the DTMF receiver reports them (varied press and gap
/// lengths, quality), with the card alone or with a menu choice, a PIN, an expiry and a code around it.
struct KeyedCorpus {
    var rng: SplitMix64
    private(set) var cases: [CorpusCase] = []

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    /// What the caller keys, piece by piece: digits, and pauses (ms) between pieces.
    enum Piece {
        case digits(String, ExpectedType?)
        case pause(Int)
    }

    enum ExpectedType { case card, code, ssn }

    /// Key events for `pieces` starting at 1.5 s, each press 45–150 ms, gaps 50–400 ms (a person keying).
    private mutating func keyed(_ pieces: [Piece], channel: Int) -> ([DTMFDigitEvent], [ExpectedFinding]) {
        var events: [DTMFDigitEvent] = []
        var expected: [ExpectedFinding] = []
        var ms = 1500
        let participant = channel == 0 ? "external" : "internal"
        for piece in pieces {
            switch piece {
            case .pause(let pause):
                ms += pause
            case .digits(let keys, let type):
                if let type {
                    let finding: ViolationType =
                        switch type {
                        case .card: .pciMidCapture
                        case .code: .pciCvvCapture
                        case .ssn: .ssnDisclosure
                        }
                    expected.append(ExpectedFinding(type: finding, participant: participant, offsetMs: ms))
                }
                for key in keys {
                    let on = Int.random(in: 45...150, using: &rng)
                    let quality = DTMFSignalQuality(
                        lowLevelDBm0: Double.random(in: -25 ... -5, using: &rng), highLevelDBm0: Double.random(in: -25 ... -5, using: &rng),
                        twistDB: Double.random(in: -4...4, using: &rng), toneToTotalRatio: Double.random(in: 0.8...0.99, using: &rng),
                        snrDB: Double.random(in: 12...40, using: &rng), lowFrequencyDeviation: 0, highFrequencyDeviation: 0,
                        validWindows: on / 10)
                    events.append(
                        DTMFDigitEvent(
                            digit: DTMFDigit(character: key)!, channel: channel, startSample: ms * 8,
                            endSample: (ms + on) * 8, sampleRate: 8000, quality: quality))
                    ms += on + Int.random(in: 50...400, using: &rng)
                }
            }
        }
        return (events, expected)
    }

    private mutating func add(_ rule: CorpusCase.Rule, _ family: String, negative: Bool = false, _ pieces: [Piece]) {
        let channel = Int.random(in: 0...9, using: &rng) == 0 ? 1 : 0
        let (events, expected) = keyed(pieces, channel: channel)
        let text = pieces.map { piece -> String in
            switch piece {
            case .digits(let keys, _): keys
            case .pause(let ms): "(\(ms) ms)"
            }
        }.joined(separator: " ")
        cases.append(
            CorpusCase(
                id: "\(negative ? "neg" : "pos")-keyed-\(cases.count)", rule: rule, family: family,
                hardNegative: negative, expected: expected, document: nil,
                keyed: events, transcript: "keyed on channel \(channel): \(text)"))
    }

    private mutating func card() -> String { CorpusNumbers.card(using: &rng) }
    private mutating func digits(_ count: Int) -> String { CorpusNumbers.randomDigits(count, using: &rng) }
    private mutating func expiry() -> String {
        CorpusNumbers.format2(Int.random(in: 1...12, using: &rng)) + String(Int.random(in: 26...35, using: &rng))
    }
    private mutating func menu() -> String { String(Int.random(in: 1...9, using: &rng)) + (Bool.random(using: &rng) ? "" : "1") }

    mutating func positives() {
        for _ in 0..<16 { add(.keyedCard, "card alone", [.digits(card(), .card)]) }
        for _ in 0..<12 {
            let number = card()
            add(.keyedCard, "menu choice, card", [.digits(menu(), nil), .digits(number, .card)])
        }
        for _ in 0..<12 {
            let number = card()
            // The code (or PIN) keyed straight after the card.
            let pieces: [Piece] = [.digits(number, .card), .digits(digits(CorpusNumbers.isAmex(number) ? 4 : 3), .code)]
            add(.keyedCode, "card, code without a pause", pieces)
        }
        for _ in 0..<10 {
            let number = card(), menu = menu()
            add(
                .keyedCode, "menu choice, card, PIN without a pause",
                [.digits(menu, nil), .digits(number, .card), .digits(digits(4), .code)])
        }
        for _ in 0..<10 {
            let number = card(), expiry = expiry()
            add(
                .keyedCode, "card, expiry, code without a pause",
                [.digits(number, .card), .digits(expiry, nil), .digits(digits(CorpusNumbers.isAmex(number) ? 4 : 3), .code)])
        }
        for _ in 0..<10 {
            let number = card()
            add(
                .keyedCode, "card, pause, code",
                [.digits(number, .card), .pause(Int.random(in: 2500...20000, using: &rng)), .digits(digits(3), .code)])
        }
        for _ in 0..<10 { add(.keyedSSN, "SSN", [.digits(CorpusNumbers.ssn(using: &rng), .ssn)]) }
    }

    mutating func negatives() {
        for _ in 0..<10 {
            var number = digits(16)
            while CorpusNumbers.holdsACard(number) || PaymentCard.isValid(Array(number.utf8)) { number = digits(16) }
            add(.keyedCard, "16 digits, no card inside", negative: true, [.digits(number, nil)])
        }
        for _ in 0..<8 {
            add(
                .keyedCard, "phone number", negative: true,
                [.digits(["1", ""][Int.random(in: 0...1, using: &rng)] + String(Int.random(in: 201...989, using: &rng)) + digits(7), nil)])
        }
        for _ in 0..<6 {
            add(
                .keyedCard, "date of birth", negative: true,
                [
                    .digits(
                        CorpusNumbers.format2(Int.random(in: 1...12, using: &rng)) + CorpusNumbers.format2(Int.random(in: 1...28, using: &rng))
                            + String(Int.random(in: 1940...2005, using: &rng)), nil)
                ])
        }
        for _ in 0..<8 { add(.keyedCode, "PIN alone, no card", negative: true, [.digits(digits(4), nil)]) }
        for _ in 0..<6 { add(.keyedCode, "menu choices", negative: true, [.digits(menu(), nil), .pause(3000), .digits(menu(), nil)]) }
        for _ in 0..<6 {
            // A code keyed long after the card (outside the 30 s window).
            add(
                .keyedCode, "three digits 40 s after the card", negative: true,
                [.digits(card(), .card), .pause(40000), .digits(digits(3), nil)])
        }
        for number in ["000123456", "666123456", "912345678", "123450000", "078051120", "123456789"] {
            add(.keyedSSN, "nine digits, not a possible SSN", negative: true, [.digits(number, nil)])
        }
    }
}
