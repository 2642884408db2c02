/// A loop is a service: stopping it finishes the pass in progress, and `run` returns before starting another.
extension ControllerLoop: Service {
    package func stop() async {
        requestStop()
    }
}
