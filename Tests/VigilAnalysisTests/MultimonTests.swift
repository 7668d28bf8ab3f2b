import Foundation
import Testing
import VigilAnalysis

/// Compares with multimon-ng (GPL; run as an external program, never linked) on the same generated
/// files, when it is installed. `-t wav` makes multimon-ng read the WAV through sox, so sox is needed
/// too; without either, the test is skipped and the suite still passes.
enum Multimon {
    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var available: Bool { executable("multimon-ng") != nil && executable("sox") != nil }

    /// The digits multimon-ng reports for a WAV file.
    static func decode(wav: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-mm-\(UInt64.random(in: 0...UInt64.max)).wav").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = FileManager.default.createFile(atPath: path, contents: Data(wav))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable("multimon-ng")!)
        process.arguments = ["-q", "-c", "-a", "DTMF", "-t", "wav", path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        return String(
            text.split(separator: "\n").compactMap { line -> Character? in
                guard line.hasPrefix("DTMF: ") else { return nil }
                return line.dropFirst(6).first
            })
    }
}

@Suite("Comparison with multimon-ng", .enabled(if: Multimon.available, "multimon-ng and sox not installed"))
struct MultimonTests {
    func wav(_ samples: [Float]) -> [UInt8] {
        WAVEncoder.encode([samples], format: AudioFormat(encoding: .muLaw, sampleRate: 8000, channelCount: 1))
    }

    func ours(_ wav: [UInt8]) throws -> String {
        var scanner = DTMFScanner()
        return keys(try scanner.consumeWAV(wav) + scanner.finish())
    }

    @Test func bothDecodeCleanDigitStringsIdentically() throws {
        let synth = DTMFSynthesizer(sampleRate: 8000)
        for (keysPressed, on) in [(allKeys, 60.0), ("4111111111111111", 60), ("0123456789", 45)] {
            let file = wav(synth.sequence(keysPressed, onMilliseconds: on, offMilliseconds: on, leadingMilliseconds: 200))
            let theirs = try Multimon.decode(wav: file)
            #expect(try ours(file) == keysPressed)
            #expect(theirs == keysPressed, "multimon-ng: \(theirs)")
        }
    }

    @Test func bothStayQuietOnTalkOffMaterial() throws {
        let file = wav(TalkOffSignals.speech(seconds: 20, seed: 11) + TalkOffSignals.music(seconds: 10, seed: 12))
        #expect(try ours(file) == "")
        // multimon-ng's count is recorded, not asserted: it is a different receiver with its own limits.
        let theirs = try Multimon.decode(wav: file)
        print("multimon-ng talk-off digits on 30 s: \(theirs.count)")
    }

    @Test func limitCasesAgreeOrWeAreStricterWhereRequired() throws {
        let synth = DTMFSynthesizer(sampleRate: 8000)
        // Must-accept cases: both receivers should find all ten presses.
        let accept = [
            DTMFSynthesizer.Press(.five, onMilliseconds: 50, offMilliseconds: 50, lowOffset: 0.015),
            .init(.nine, onMilliseconds: 50, offMilliseconds: 50, highOffset: -0.015),
            .init(.one, onMilliseconds: 50, offMilliseconds: 50, levelDBm0: -30),
            .init(.d, onMilliseconds: 50, offMilliseconds: 50, twistDB: -4)
        ]
        for press in accept {
            let file = wav(synth.sequence(Array(repeating: press, count: 10), leadingMilliseconds: 100))
            #expect(try ours(file) == String(repeating: press.digit.rawValue, count: 10), "\(press)")
            let theirs = try Multimon.decode(wav: file)
            print(
                "multimon-ng on \(press.digit) (offsets \(press.lowOffset)/\(press.highOffset), level \(press.levelDBm0), twist \(press.twistDB)): \(theirs.count)/10"
            )
        }
        // Must-reject: 3.5 % off. We reject; multimon-ng's answer is printed for the record.
        let reject = DTMFSynthesizer.Press(.five, onMilliseconds: 50, offMilliseconds: 50, lowOffset: 0.035)
        let file = wav(synth.sequence(Array(repeating: reject, count: 10), leadingMilliseconds: 100))
        #expect(try ours(file) == "")
        print("multimon-ng on 5 with the low tone +3.5 %: \(try Multimon.decode(wav: file).count)/10")
    }
}
