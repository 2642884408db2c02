import Synchronization

/// What `/readyz` reports: ready once every controller has completed a pass and its last pass reached Grafana.
package final class Readiness: Sendable {
    private struct State {
        var completed = false
        var reachedGrafana = false
    }

    private let states = Mutex<[String: State]>([:])

    package init() {}

    /// One controller's slot, named by the instance and org it governs; not ready until its first pass.
    package func entry(named name: String) -> Entry {
        states.withLock { $0[name] = State() }
        return Entry(readiness: self, name: name)
    }

    /// Ready, or the reason not, naming each controller that holds it back.
    package var status: (ready: Bool, reason: String) {
        let states = states.withLock { $0 }
        var reasons: [String] = []
        for name in states.keys.sorted() {
            guard let state = states[name] else { continue }
            if !state.completed {
                reasons.append("\(name): first pass not completed")
            } else if !state.reachedGrafana {
                reasons.append("\(name): Grafana not reachable in the last pass")
            }
        }
        return reasons.isEmpty ? (true, "ok") : (false, reasons.joined(separator: "; "))
    }

    package struct Entry: Sendable {
        let readiness: Readiness
        let name: String

        func passCompleted(reachedGrafana: Bool) {
            readiness.states.withLock { $0[name] = State(completed: true, reachedGrafana: reachedGrafana) }
        }
    }
}
