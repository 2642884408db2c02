extension String {
    /// The text with control characters (C0, DEL, C1) and bidirectional controls escaped (`\r`, `\x1b`, `\u{202E}`),
    /// so a value from a file or from Grafana printed on a terminal or in a log is always one line, moves no cursor
    /// and makes no link. Backslashes are left alone: callers that quote escape them first.
    package var inert: String {
        guard unicodeScalars.contains(where: Self.isHazard) else { return self }
        var result = ""
        for scalar in unicodeScalars {
            guard Self.isHazard(scalar) else {
                result.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x100:
                let hex = String(scalar.value, radix: 16)
                result += "\\x" + (hex.count < 2 ? "0" : "") + hex
            default: result += "\\u{" + String(scalar.value, radix: 16) + "}"
            }
        }
        return result
    }

    private static func isHazard(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        // Marks and embeddings, overrides and isolates: they reorder what a reader sees.
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        // Line and paragraph separators break lines in some viewers.
        case 0x2028, 0x2029: true
        default: false
        }
    }
}
