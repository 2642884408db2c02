/// FNV-1a over bytes: the same value in every process, unlike `Hasher`, so what is named or placed by it (a
/// last-valid copy's file name, a key's resync slice, a finding's fingerprint) stays put across restarts.
package enum StableHash {
    package static func of(_ bytes: some Sequence<UInt8>) -> UInt64 {
        bytes.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}
