import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Controller

struct InertTextTests {
    @Test(arguments: [
        ("plain", "plain"), ("a\rb", "a\\rb"), ("\u{1b}[2J", "\\x1b[2J"), ("x\ny", "x\\ny"),
        ("\u{1b}]8;;http://evil\u{07}click\u{1b}]8;;\u{07}", "\\x1b]8;;http://evil\\x07click\\x1b]8;;\\x07"),
        ("abc\u{202E}txt.exe", "abc\\u{202e}txt.exe"), ("\u{85}", "\\x85"),
    ])
    func controlCharactersAreEscaped(text: String, expected: String) {
        #expect(text.inert == expected)
    }

    /// A value that tries to end the line and forge another event stays inside its own quoted field.
    @Test func aLogLineIsAlwaysOneEvent() {
        let lines = Mutex<[String]>([])
        let logger = Logger(clock: ManualClock()) { line in lines.withLock { $0.append(line) } }
        logger.log(
            .warning, .fileRejected,
            ["file": "a.yaml", "error": "x\r\nts=2026-01-01T00:00:00Z level=info event=change.applied grant=forged"])
        let written = lines.withLock { $0 }
        #expect(written.count == 1)
        #expect(written[0].filter(\.isNewline).count == 1 && written[0].hasSuffix("\n"))
        #expect(written[0].contains(#"error="x\r\nts=2026-01-01T00:00:00Z level=info event=change.applied grant=forged""#))
    }
}
