import Foundation

/// Keeps one status file per grant in `STATE/status/`, written atomically when it changes.
package actor StatusStore {
    private let directory: String
    private let fileSystem: any FileSystem
    private var known: [String: GrantStatus] = [:]

    package init(stateDirectory: String, fileSystem: any FileSystem) {
        directory = stateDirectory + "/status"
        self.fileSystem = fileSystem
    }

    /// Every status on disk, by grant name; unreadable files are skipped (status is a report, not a source of truth).
    package func load() -> [String: GrantStatus] {
        // A missing status folder just means no pass has run yet.
        guard let entries = try? fileSystem.entries(of: directory) else { return [:] }
        for entry in entries where entry.name.hasSuffix(".json") {
            // Status is rewritten by every pass: an unreadable file only loses the previous conditions.
            guard
                let bytes = try? fileSystem.contents(
                    of: directory + "/" + entry.name, limit: 1 << 20, followingLinks: false),
                let status = try? StateJSON.decoder.decode(GrantStatus.self, from: Data(bytes))
            else { continue }
            known[status.name] = status
        }
        return known
    }

    package func save(_ statuses: [GrantStatus]) throws(FileSystemError) {
        try fileSystem.createDirectory(directory)
        for status in statuses.map(\.asStored) where known[status.name] != status {
            // A status is plain strings, numbers and dates: encoding it cannot fail.
            let data = (try? StateJSON.encoder.encode(status)) ?? Data()
            try fileSystem.replace(Array(data) + [0x0A], at: directory + "/" + status.name + ".json")
            known[status.name] = status
        }
    }
}

extension GrantStatus {
    /// The status as its file reads back: dates in whole seconds, as ISO 8601 writes them. Comparing this, not the
    /// in-memory value, is what keeps an unchanged status from being rewritten after every restart.
    var asStored: GrantStatus {
        func seconds(_ date: Date?) -> Date? {
            date.map { Date(timeIntervalSince1970: $0.timeIntervalSince1970.rounded(.down)) }
        }
        var stored = self
        stored.activatedAt = seconds(activatedAt)
        stored.startsAt = seconds(startsAt)
        stored.expiresAt = seconds(expiresAt)
        stored.expiryNoticeAt = seconds(expiryNoticeAt)
        for index in stored.conditions.indices {
            stored.conditions[index].lastTransitionTime =
                seconds(conditions[index].lastTransitionTime) ?? conditions[index].lastTransitionTime
        }
        return stored
    }
}
