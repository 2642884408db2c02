import Metrics

/// The metric families the controller writes: controller-runtime's names, so existing dashboards read them, and
/// grafana-jit's own. Labels name instances, orgs, resources and outcomes, never users.
package struct ControllerMetrics: Sendable {
    /// controller-runtime's `controller` label: the kind reconciled.
    static let controller = "accessgrant"
    /// client-go's workqueue `name` label for the Grafana write queue.
    static let queue = "permissions"

    package let registry: MetricsRegistry
    let reconciles: Counter
    let reconcileErrors: Counter
    let reconcileTime: Histogram
    let queueDepth: Gauge
    let queueAdds: Counter
    let queueRetries: Counter
    let queueDuration: Histogram
    let workDuration: Histogram
    package let grafanaRequests: Counter
    package let grafanaRequestDuration: Histogram
    let grants: Gauge
    let permissionChanges: Counter
    let expiryLateness: Histogram
    let overdueRevocations: Gauge
    let ledgerEntries: Gauge
    let lastSuccessfulPass: Gauge
    let grafanaUp: Gauge
    package let inotifyOverflows: Counter
    let standingAccess: Gauge
    let notifications: Counter

    package init(registry: MetricsRegistry = MetricsRegistry(), version: String = "") {
        self.registry = registry
        let seconds = Histogram.durationBuckets
        reconciles = registry.counter(
            "controller_runtime_reconcile_total", "Total number of reconciliations per controller",
            labels: ["controller", "result"])
        reconcileErrors = registry.counter(
            "controller_runtime_reconcile_errors_total", "Total number of reconciliation errors per controller",
            labels: ["controller"])
        reconcileTime = registry.histogram(
            "controller_runtime_reconcile_time_seconds", "Length of time per reconciliation per controller",
            labels: ["controller"], buckets: seconds)
        queueDepth = registry.gauge("workqueue_depth", "Current depth of workqueue", labels: ["name"])
        queueAdds = registry.counter(
            "workqueue_adds_total", "Total number of adds handled by workqueue", labels: ["name"])
        queueRetries = registry.counter(
            "workqueue_retries_total", "Total number of retries handled by workqueue", labels: ["name"])
        queueDuration = registry.histogram(
            "workqueue_queue_duration_seconds", "How long in seconds an item stays in workqueue before being requested",
            labels: ["name"], buckets: seconds)
        workDuration = registry.histogram(
            "workqueue_work_duration_seconds", "How long in seconds processing an item from workqueue takes",
            labels: ["name"], buckets: seconds)
        grafanaRequests = registry.counter(
            "grafana_jit_grafana_requests_total",
            "Grafana API requests by method and HTTP status (error: no answer)", labels: ["method", "code"])
        grafanaRequestDuration = registry.histogram(
            "grafana_jit_grafana_request_duration_seconds", "Grafana API request duration in seconds",
            labels: ["method"], buckets: seconds)
        grants = registry.gauge(
            "grafana_jit_grants", "Grants by phase after the last pass", labels: ["grafana", "org", "phase"])
        permissionChanges = registry.counter(
            "grafana_jit_permission_changes_total", "Permission changes written to Grafana by kind and outcome",
            labels: ["kind", "outcome"])
        expiryLateness = registry.histogram(
            "grafana_jit_expiry_lateness_seconds",
            "Seconds between a grant's end and the confirmed revocation of its access",
            buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600])
        overdueRevocations = registry.gauge(
            "grafana_jit_overdue_revocations",
            "Access the controller granted whose grants have all ended or gone but which is still in Grafana",
            labels: ["grafana", "org"])
        ledgerEntries = registry.gauge(
            "grafana_jit_ledger_entries", "Bindings recorded in the ledger", labels: ["grafana", "org"])
        lastSuccessfulPass = registry.gauge(
            "grafana_jit_last_successful_pass_timestamp_seconds",
            "Unix time of the last pass that converged", labels: ["grafana", "org"])
        grafanaUp = registry.gauge(
            "grafana_jit_grafana_up", "1 when the last pass reached Grafana, else 0", labels: ["grafana", "org"])
        inotifyOverflows = registry.counter(
            "grafana_jit_inotify_overflows_total", "inotify queue overflows (each forces a full rescan)")
        standingAccess = registry.gauge(
            "grafana_jit_standing_access_entries",
            "Access entries not granted by grafana-jit and not built in, per resource, at the last discovery",
            labels: ["grafana", "org", "resource_kind", "resource"])
        notifications = registry.counter(
            "grafana_jit_notifications_total", "Webhook notifications by event and outcome",
            labels: ["event", "outcome"])
        registry.gauge("grafana_jit_build_info", "grafana-jit version", labels: ["version"]).set(1, version)
    }
}
