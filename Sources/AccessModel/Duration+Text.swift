/// Grant and policy durations: `<digits><unit>` runs with units d, h, m, s in that order, each at most once.
extension Duration {
    private static let units: [(symbol: UInt8, seconds: Int64)] = [
        (UInt8(ascii: "d"), 86_400), (UInt8(ascii: "h"), 3_600), (UInt8(ascii: "m"), 60), (UInt8(ascii: "s"), 1),
    ]
    /// Six digits per unit keeps every accepted value far from overflow and matches the CRD pattern.
    private static let maxDigits = 6

    /// Parses `4h`, `1h30m`, `2d`; nil for anything else, including zero and negative values.
    package init?(text: String) {
        var total: Int64 = 0
        var nextUnit = 0
        var digits: Int64 = 0
        var digitCount = 0
        for byte in text.utf8 {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digitCount += 1
                guard digitCount <= Self.maxDigits else { return nil }
                digits = digits * 10 + Int64(byte - UInt8(ascii: "0"))
                continue
            }
            guard digitCount > 0,
                let unit = Self.units[nextUnit...].firstIndex(where: { $0.symbol == byte })
            else { return nil }
            total += digits * Self.units[unit].seconds
            nextUnit = unit + 1
            digits = 0
            digitCount = 0
        }
        guard digitCount == 0, nextUnit > 0, total > 0 else { return nil }
        self = .seconds(total)
    }

    /// Whole seconds, the only precision grant windows use.
    package var wholeSeconds: Int64 { components.seconds }

    /// The shortest text that parses back to the same value: `1h30m`, `2d`, `45s`.
    package var text: String {
        var remaining = wholeSeconds
        guard remaining > 0 else { return "0s" }
        var text = ""
        for unit in Self.units where remaining >= unit.seconds {
            text += "\(remaining / unit.seconds)" + String(UnicodeScalar(unit.symbol))
            remaining %= unit.seconds
        }
        return text
    }
}
