#!/usr/bin/env python3
"""Writes the seed corpora under Fuzz/Corpus/<harness>/ (committed; run again after changing it).

Seeds are small valid inputs of each shape, so libFuzzer starts from the accepted paths; the
multi-field harnesses (webhook-receiver, audiohook-signature) join fields with 0xFF after a selector
byte, as their files describe.
"""
import json, os, re, struct, math

root = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(root)
SEP = b"\xff"

def write(harness, name, data):
    directory = os.path.join(root, "Corpus", harness)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

def fixture(path):
    with open(os.path.join(repo, path), "rb") as f:
        return f.read()

events = {n: open(os.path.join(root, "Corpus", "event-decoder", n), "rb").read()
          for n in sorted(os.listdir(os.path.join(root, "Corpus", "event-decoder")))}
for name, body in events.items():
    write("webhook-receiver", "signed-" + name, b"\x01" + body + SEP + b"msg_1" + SEP)
    write("webhook-receiver", "unsigned-" + name, b"\x00" + body + SEP + b"msg_1" + SEP
          + b"webhook-id:msg_1\nwebhook-timestamp:1780000000\nwebhook-signature:v1,AAAA")

verdict = {"recordingId": "abcdefab-cdef-4abc-8def-abcdefabcdef", "verdict": "VIOLATION_DETECTED",
           "violationType": "PCI_MID_CAPTURE", "confidenceScore": 0.94, "timestampOffsetMs": 124500,
           "evidenceSnippet": "https://evidence.example.com/segments/masked-7f3a",
           "recommendedAction": "ROUTE_TO_COMPLIANCE_QUEUE", "correlationId": "fuzz-correlation-id"}
compact = json.dumps(verdict, separators=(",", ":")).encode()
write("engine-reply", "verdict-200", b"\x40" + compact)
write("engine-reply", "accepted-202", b"\x43" + b'{"expectedBy":"2026-05-01T10:05:20Z"}')
write("engine-reply", "error-500", b"\x47" + fixture("Tests/VigilModelsTests/Fixtures/error_429.json"))
write("verdict-callback", "verdict", b"\x00" + compact)
write("verdict-callback", "inconclusive", b"\x00" + compact.replace(b"VIOLATION_DETECTED", b"INCONCLUSIVE"))

policy = re.search(r'defaultPolicyJSON = """\n(.*?)\n\s*"""', open(os.path.join(repo, "Sources/VigilVerdict/Policy/VerdictPolicyLoading.swift")).read(), re.S)
write("verdict-policy", "default", "\n".join(line.strip() for line in policy.group(1).splitlines()))
write("analysis-policy", "windows", '{"promptWindowSeconds": 20, "promptWindowTurns": 3}')
write("analysis-policy", "disclosure", '{"requiredDisclosures": [{"name": "recording", "phrases": ["this call is recorded"], '
      '"withinSeconds": 30, "participant": "agent"}], "prohibitedPhrases": ["read me your card"], "dtmfDigitGapSeconds": 3}')
write("remediation-flow", "seed", fixture("Tests/VigilRemediationTests/Fixtures/seed_flow.json"))

def wav(tag, rate, channels, frames, bits, extensible=False, extra=b"", odd=False):
    block = channels * bits // 8
    if tag == 1:
        data = b"".join(struct.pack("<h", int(12000 * math.sin(i / 3.0 + c))) for i in range(frames) for c in range(channels))
    else:
        data = bytes((i * 37 + c) & 0xFF for i in range(frames) for c in range(channels))
    if extensible:
        fmt = struct.pack("<HHIIHHHHI", 0xFFFE, channels, rate, rate * block, block, bits, 22, bits, (1 << channels) - 1) \
            + struct.pack("<H", tag) + b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
    else:
        fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits)
    chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt + extra
    if odd:
        chunks += b"junk" + struct.pack("<I", 3) + b"abc\x00"
    chunks += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks

write("wav-stream", "pcm16-mono-8k", wav(1, 8000, 1, 64, 16))
write("wav-stream", "ulaw-stereo-8k", wav(7, 8000, 2, 64, 8, odd=True))
write("wav-stream", "alaw-mono-16k", wav(6, 16000, 1, 48, 8, extra=b"LIST" + struct.pack("<I", 4) + b"INFO"))
write("wav-stream", "extensible-pcm16", wav(1, 8000, 2, 32, 16, extensible=True))
write("wav-stream", "streaming-size", wav(7, 8000, 1, 40, 8)[:-40 - 4] + b"\xff\xff\xff\xff" + bytes(40))

write("sta-transcript", "fixture", fixture("Tests/VigilModelsTests/Fixtures/sta_transcript.json"))

write("json-sanitizer", "card-and-ssn", '{"note":"card 4111 1111 1111 1111, ssn 123-45-6789","card":4111111111111111,'
      '"phone":"+14155550123","nested":[{"email":"jane.doe@example.com"}],"ok":true,"n":-0.5e3}')
write("json-sanitizer", "event", events["seed.json"])
write("json-sanitizer", "escapes", '{"a\\u0041":"\\u0034111111111111111","b":"\\ud83d\\ude00 five five five"}')

for name, text in {
    "spoken-card": "my card is four one one one, uh, one one one one double one triple one one one one one",
    "teens": "it's twenty-one oh five, nineteen eighty four, oh I see",
    "mixed": "4111 one one one 1111 one one one one; call me at five five five, oh one two three",
}.items():
    write("spoken-digits", name, text)

for name, text in {"seconds": "120", "imf": "Sun, 06 Nov 1994 08:49:37 GMT",
                   "rfc850": "Sunday, 06-Nov-94 08:49:37 GMT", "asctime": "Sun Nov  6 08:49:37 1994"}.items():
    write("retry-after", name, text)

for name, text in {"padded": "Zm9vYmFy", "two": "Zm8=", "url": "-_-_", "hex": "DEADbeef00", "secret": "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}.items():
    write("base64-hex", name, text)

opening = ('{"version":"2","id":"30b0e395-84d3-4570-ac13-9a62d8f514c0","type":"open","seq":1,"serverseq":0,"position":"PT0S",'
           '"parameters":{"organizationId":"d7934305-0972-4844-938e-9060eef73d05","conversationId":"090eaa2f-72fa-480a-83e0-8667ff89c0ec",'
           '"participant":{"id":"883efee8-3d6c-4537-b500-6d7ca4b92fa0","ani":"+15551234567","aniName":"John Doe","dnis":"+15557654321"},'
           '"media":[{"type":"audio","format":"PCMU","channels":["external","internal"],"rate":8000}],"language":"en-US"}}')
write("audiohook-message", "open", opening)
write("audiohook-message", "ping", '{"version":"2","id":"30b0e395-84d3-4570-ac13-9a62d8f514c0","seq":2,"serverseq":1,"position":"PT1.5S","type":"ping","parameters":{"rtt":"PT0.05S"}}')
write("audiohook-message", "close", '{"version":"2","id":"30b0e395-84d3-4570-ac13-9a62d8f514c0","seq":3,"serverseq":2,"position":"PT9S","type":"close","parameters":{"reason":"end"}}')
write("audiohook-message", "pong", '{"version":"2","id":"30b0e395-84d3-4570-ac13-9a62d8f514c0","seq":1,"clientseq":2,"type":"pong","parameters":{}}')

fields = [b"/api/v1/voicebiometrics/ws", b"audiohook.example.com", b"d7934305-0972-4844-938e-9060eef73d05",
          b"e160e428-53e2-487c-977d-96989bf5c99d", b"30b0e395-84d3-4570-ac13-9a62d8f514c0", b"VGhpc0lzQU5vbmNl"]
write("audiohook-signature", "signed", b"\x00" + SEP.join(fields + [b""]))
write("audiohook-signature", "raw", b"\x01" + SEP.join(fields + [b"signature-input:sig1=(\"@request-target\");keyid=\"fuzz-api-key\"\nsignature:sig1=:AAAA:"]))
