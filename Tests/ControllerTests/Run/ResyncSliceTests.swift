import Testing

@testable import Controller

/// A key's resync slice: every key in exactly one, by its own name alone, the same in every process.
struct ResyncSliceTests {
    let keys: [Binding.Resource] =
        (0..<60).map { .dataSource("ds-\($0)") } + (0..<20).map { .folder("folder-\($0)") } + (1...30).map { .team($0) }
        + [.orgRole]

    @Test(arguments: 1...8)
    func everyKeyIsInExactlyOneSlice(count: Int) {
        let slices = (0..<count).map { ResyncSlice(index: $0, count: count) }
        for key in keys {
            #expect(slices.filter { $0.contains(key) }.count == 1, "\(key)")
        }
    }

    @Test func theKeysAreSpreadOverEverySlice() {
        for index in 0..<ResyncSlice.maximumCount {
            let slice = ResyncSlice(index: index, count: ResyncSlice.maximumCount)
            #expect(keys.filter(slice.contains).count > keys.count / 8, "slice \(index)")
        }
    }

    /// Pinned values: a hash seeded per process (`Hasher`) would move keys between slices at every restart.
    @Test(arguments: [
        (Binding.Resource.dataSource("loki-prod"), 2), (.dataSource("prom-prod"), 3), (.team(1), 0), (.orgRole, 1),
        (.folder("prod"), 3),
    ])
    func aKeysSliceDependsOnItsNameAlone(key: Binding.Resource, index: Int) {
        #expect(ResyncSlice.index(of: key, among: 4) == index)
        #expect(ResyncSlice(index: index, count: 4).contains(key))
    }

    @Test func oneSliceHoldsEveryKey() {
        #expect(keys.allSatisfy(ResyncSlice.all.contains))
    }

    @Test(arguments: [(0.5, 1), (1, 1), (2, 2), (3, 3), (4, 4), (15, 4), (60, 4), (3_600, 4)])
    func anIntervalIsSpreadOverAtMostFourStepsOfASecondOrMore(seconds: Double, count: Int) {
        #expect(ResyncSlice.count(over: .seconds(seconds)) == count)
    }
}
