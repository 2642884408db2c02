import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Controller

struct LoggerTests {
    private func line(_ format: Logger.Format, _ fields: [String: String]) -> String {
        let lines = Mutex<[String]>([])
        Logger(format: format, clock: ManualClock()) { line in lines.withLock { $0.append(line) } }
            .log(.info, .passCompleted, fields)
        return lines.withLock { $0.joined() }
    }

    @Test func jsonCarriesCountsAsNumbersAndSlashesAsWritten() throws {
        let text = line(.json, ["applied": "3", "failed": "0", "file": "grants/a.yaml", "grant": "123"])
        #expect(text.contains(#""applied":3"#) && text.contains(#""failed":0"#), "\(text)")
        #expect(text.contains(#""file":"grants/a.yaml""#), "\(text)")
        // A name that looks like a number stays a string: only count fields are numbers.
        #expect(text.contains(#""grant":"123""#), "\(text)")
        #expect(text.hasSuffix("}\n"))
    }

    @Test func textQuotesWhatWouldSplitAField() {
        let text = line(.text, ["message": "two words", "file": "a=b.yaml", "applied": "3"])
        #expect(text.contains(#"message="two words""#) && text.contains(#"file="a=b.yaml""#), "\(text)")
        #expect(text.contains(" applied=3 "), "\(text)")
    }
}
