import AccessModel
import Foundation

/// `--format json`: the review as one JSON document, keys sorted, times RFC 3339 in UTC, durations in seconds.
package enum ReviewJSON {
    package static func render(_ review: AccessReview) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.rfc3339)
        }
        // Strings, numbers, booleans and dates only: encoding cannot fail, the empty object is only a guard.
        let data = (try? encoder.encode(review)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
