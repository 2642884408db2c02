/// Kubernetes DNS-1123 subdomain names, the rule for `metadata.name` and references to it.
package enum ResourceName {
    package static let maxLength = 253

    package static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
        return bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).allSatisfy(isLabel)
    }

    /// DNS-1123 label: what `metadata.namespace` must be.
    package static func isLabel(_ name: String) -> Bool {
        name.utf8.count <= 63 && isLabel(Array(name.utf8)[...])
    }

    private static func isLabel(_ label: ArraySlice<UInt8>) -> Bool {
        guard let first = label.first, let last = label.last, isAlphanumeric(first), isAlphanumeric(last) else {
            return false
        }
        return label.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
