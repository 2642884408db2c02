import Foundation
import HTTPClient

/// `--ca-file`, `--ca-file-only`, `--client-cert`, `--client-key` and `--insecure-skip-verify`: how grafana-jit
/// trusts Grafana, OnCall, Incident and webhook receivers, and proves itself to them (mutual TLS).
enum TLSOptions {
    static let specs: [OptionSpec] = [
        .value(
            "ca-file", "PATH", environment: "GRAFANA_JIT_CA_FILE",
            help: "PEM bundle of CA certificates to trust, besides the system's store (a private CA)."),
        .flag(
            "ca-file-only", environment: "GRAFANA_JIT_CA_FILE_ONLY",
            help: "Trust only --ca-file, not the system's store as well."),
        .value(
            "client-cert", "PATH", environment: "GRAFANA_JIT_CLIENT_CERT",
            help: "PEM client certificate for mutual TLS (with --client-key)."),
        .value(
            "client-key", "PATH", environment: "GRAFANA_JIT_CLIENT_KEY",
            help: "Its private key; must not be readable by group or others."),
        .flag(
            "insecure-skip-verify", environment: "GRAFANA_JIT_INSECURE_SKIP_VERIFY",
            help: "Accept any server certificate (test servers only; warned about at start and on every pass)."),
    ]

    static func settings(_ arguments: ParsedArguments) throws(UsageError) -> TLSSettings {
        try settings(
            caFile: arguments.value("ca-file"), caFileOnly: arguments.flag("ca-file-only"),
            clientCertificate: arguments.value("client-cert"), clientKey: arguments.value("client-key"),
            skipsVerification: arguments.flag("insecure-skip-verify"), naming: { "--" + $0 })
    }

    /// Checks the combination and the files; `naming` turns a setting's name into how the user wrote it (an option,
    /// or a configuration field).
    static func settings(
        caFile: String?, caFileOnly: Bool, clientCertificate: String?, clientKey: String?, skipsVerification: Bool,
        naming: (String) -> String
    ) throws(UsageError) -> TLSSettings {
        var tls = TLSSettings()
        if skipsVerification, caFile != nil {
            throw .conflictingOptions(
                naming("insecure-skip-verify"), with: naming("ca-file"),
                why: "a CA file is for verifying certificates, which the other turns off")
        }
        if caFileOnly, caFile == nil {
            throw .missingArgument(naming("ca-file") + " (for " + naming("ca-file-only") + ")", command: "run")
        }
        guard (clientCertificate == nil) == (clientKey == nil) else {
            throw .missingArgument(
                naming("client-cert") + " and " + naming("client-key") + " together", command: "run")
        }
        for (name, path) in [("ca-file", caFile), ("client-cert", clientCertificate), ("client-key", clientKey)] {
            guard let path else { continue }
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw .invalidValue(
                    option: naming(name).trimmingPrefix("--"), value: path, expected: "a readable PEM file")
            }
        }
        // The file was just found readable; a mode that cannot be read (a file system without modes) is not checked.
        if let clientKey,
            let mode = try? FileManager.default.attributesOfItem(atPath: clientKey)[.posixPermissions] as? Int,
            mode & 0o077 != 0
        {
            throw .invalidValue(
                option: naming("client-key").trimmingPrefix("--"), value: clientKey,
                expected: "a key file readable by its owner only (mode \(String(mode, radix: 8)); chmod 600 it)")
        }
        tls.caFile = caFile
        tls.caFileOnly = caFileOnly
        tls.clientCertificate = clientCertificate
        tls.clientKey = clientKey
        tls.skipsVerification = skipsVerification
        return tls
    }
}

extension String {
    fileprivate func trimmingPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}
