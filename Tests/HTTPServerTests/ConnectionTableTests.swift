import Testing

@testable import HTTPServer

struct ConnectionTableTests {
    let start = ContinuousClock.now

    @Test func admitsUpToItsCapacity() {
        var table = ConnectionTable(capacity: 2)
        #expect(table.admit(10, at: start) == .admitted)
        #expect(table.admit(11, at: start) == .admitted)
        #expect(Set(table.descriptors) == [10, 11])
    }

    @Test func whenFullTheConnectionWaitingLongestMakesRoom() {
        var table = ConnectionTable(capacity: 3)
        _ = table.admit(10, at: start + .seconds(2))
        _ = table.admit(11, at: start + .seconds(1))
        _ = table.admit(12, at: start + .seconds(3))
        #expect(table.admit(13, at: start + .seconds(4)) == .admittedInPlace(of: 11))
        #expect(Set(table.descriptors) == [10, 12, 13])
    }

    @Test func aConnectionAnsweringARequestIsNeverReplaced() {
        var table = ConnectionTable(capacity: 2)
        _ = table.admit(10, at: start)
        _ = table.admit(11, at: start + .seconds(1))
        table.markResponding(10)
        #expect(table.admit(12, at: start + .seconds(2)) == .admittedInPlace(of: 11))
        table.markResponding(12)
        #expect(table.admit(13, at: start + .seconds(3)) == .refused)
        table.markWaiting(10, since: start + .seconds(4))
        #expect(table.admit(13, at: start + .seconds(5)) == .admittedInPlace(of: 10))
    }

    @Test func aRemovedConnectionFreesItsPlace() {
        var table = ConnectionTable(capacity: 1)
        _ = table.admit(10, at: start)
        table.remove(10)
        table.markResponding(10)
        #expect(table.admit(11, at: start) == .admitted)
        #expect(table.descriptors == [11])
    }
}
