/// How a grant names one Grafana data source or folder: by uid or name (title), or explicitly by one of them with
/// a `uid:` or `name:` (`title:` for folders) prefix, for when one object's name is another's uid.
package struct ObjectReference: Sendable, Equatable {
    package enum Form: Sendable, Equatable {
        /// Matches a uid or a name; ambiguous when those are two different objects.
        case uidOrName
        case uid
        case name
    }

    package var form: Form
    package var value: String

    /// `uid:abc` → uid abc; `name:prod-logs` or `title:Production` → that name; anything else as written.
    package init(_ text: String) {
        for (prefix, form) in [("uid:", Form.uid), ("name:", .name), ("title:", .name)] where text.hasPrefix(prefix) {
            self.form = form
            value = String(text.dropFirst(prefix.count))
            return
        }
        form = .uidOrName
        value = text
    }

    /// Why `text` cannot name one Grafana object as a single API path segment, or nil when it can.
    package static func problem(with text: String) -> String? {
        let value = ObjectReference(text).value
        if value.isEmpty { return "names no object after its prefix" }
        if value == "." || value == ".." || value.contains("/") {
            return "names one object by its uid or name, which is a single path segment: \".\", \"..\" and \"/\" "
                + "cannot be one"
        }
        return nil
    }
}
