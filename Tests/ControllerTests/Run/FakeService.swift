@testable import Controller

/// What fake services did, in order.
actor Journal {
    private(set) var entries: [String] = []

    func note(_ entry: String) {
        entries.append(entry)
    }
}

/// A service that notes its start, the stop request and its end. Asked to stop, it ends at once, or, as a loop with
/// a pass in progress, only once the test calls `finishWork()`.
actor FakeService: Service {
    let name: String
    private let journal: Journal
    private let asked = StopRequest()
    private let workFinished = StopRequest()

    init(_ name: String, journal: Journal, endsWhenAsked: Bool = true) async {
        self.name = name
        self.journal = journal
        if endsWhenAsked { await workFinished.request() }
    }

    func run() async {
        await journal.note("\(name) started")
        await asked.wait()
        await workFinished.wait()
        await journal.note("\(name) ended")
    }

    func stop() async {
        await journal.note("\(name) asked")
        await asked.request()
    }

    func finishWork() async {
        await workFinished.request()
    }
}
