/// How a client trusts servers and proves itself: for Grafana, OnCall, Incident and webhook receivers alike.
package struct TLSSettings: Sendable, Equatable {
    /// A PEM bundle of CA certificates to trust.
    package var caFile: String?
    /// With `caFile`: trust only it, not the system's store as well.
    package var caFileOnly = false
    /// Mutual TLS: this PEM certificate and its key.
    package var clientCertificate: String?
    package var clientKey: String?
    /// Accept any certificate (for test servers only; the controller warns while it is on).
    package var skipsVerification = false

    package init() {}
}
