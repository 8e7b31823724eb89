import Canary
import Testing

struct TrafficSplitTests {
    /// Computed by an independent implementation (Python) of FNV-1a 64 + fmix64; never regenerate
    /// these from the Swift code: a change here means every user would move between paths.
    @Test(arguments: [
        ("", 0xEFD0_1F60_BA99_2926 as UInt64),
        ("a", 0x82A2_A958_A9BE_CE5B),
        ("user-42", 0xA395_32C7_AB05_1E8D),
        ("checkout:user-42", 0xAB12_ECF5_218A_4892),
    ])
    func stableHashMatchesGoldenVectors(text: String, expected: UInt64) {
        #expect(StableHash.hash(text) == expected)
    }

    @Test(arguments: [
        ("checkout", "user-42", 2194),
        ("checkout", "user-43", 6838),
        ("default-migration", "alice@example.com", 846),
        ("default-migration", "séance-ünïcödé", 3715),
        ("r", "", 3139),
    ])
    func bucketsMatchGoldenVectors(rolloutID: String, key: String, bucket: Int) {
        #expect(TrafficSplit(rolloutID: rolloutID).bucket(forKey: key) == bucket)
    }

    @Test func bucketIsTheSameForEveryInstanceOfTheSameRollout() {
        let a = TrafficSplit(rolloutID: "checkout")
        let b = TrafficSplit(rolloutID: "checkout")
        for i in 0..<1000 {
            #expect(a.bucket(forKey: "k\(i)") == b.bucket(forKey: "k\(i)"))
        }
    }

    @Test func differentRolloutsShuffleUsersIndependently() {
        let a = TrafficSplit(rolloutID: "migration-1")
        let b = TrafficSplit(rolloutID: "migration-2")
        let same = (0..<10_000).filter { a.bucket(forKey: "user-\($0)") == b.bucket(forKey: "user-\($0)") }.count
        #expect(same < 20)  // about 1 expected by chance
    }

    @Test func raisingThePercentageNeverMovesARelayUserBackToLegacy() {
        let split = TrafficSplit(rolloutID: "default-migration")
        let ladder = RampPolicy().ladder
        #expect(ladder == [5, 7.5, 11.25, 16.875, 25.3125, 37.96875, 56.953125, 85.4296875, 100])
        let buckets = (0..<100_000).map { split.bucket(forKey: "user-\($0)") }
        var previous = Set<Int>()
        for percent in ladder {
            let relay = Set(buckets.indices.filter { TrafficSplit.isRelay(bucket: buckets[$0], percent: percent) })
            #expect(previous.isSubset(of: relay), "a key left the relay when going to \(percent)%")
            #expect(relay.count >= previous.count)
            previous = relay
        }
        #expect(previous.count == 100_000)
    }

    @Test(arguments: [5.0, 25.0, 50.0])
    func observedShareIsWithinHalfAPointOfTheTarget(percent: Double) {
        let split = TrafficSplit(rolloutID: "default-migration")
        let relay = (0..<100_000).filter { split.path(forKey: "user-\($0)", percent: percent) == .relay }.count
        let share = Double(relay) / 1000
        #expect(abs(share - percent) <= 0.5, "observed \(share)% for target \(percent)%")
    }

    @Test func requestsWithoutAKeyAreSplitAtRandomWithTheInjectedGenerator() {
        let split = TrafficSplit(rolloutID: "r")
        var a = SeededGenerator(seed: 9)
        var b = SeededGenerator(seed: 9)
        let first = (0..<1000).map { _ in split.path(forKey: nil, percent: 30, using: &a) }
        let second = (0..<1000).map { _ in split.path(forKey: nil, percent: 30, using: &b) }
        #expect(first == second)
        var rng = SeededGenerator(seed: 1)
        let relay = (0..<100_000).filter { _ in split.path(forKey: nil, percent: 30, using: &rng) == .relay }.count
        #expect(abs(Double(relay) / 1000 - 30) <= 0.5)
    }

    @Test func zeroAndHundredPercentAreExact() {
        let split = TrafficSplit(rolloutID: "r")
        #expect((0..<10_000).allSatisfy { split.path(forKey: "u\($0)", percent: 0) == .legacy })
        #expect((0..<10_000).allSatisfy { split.path(forKey: "u\($0)", percent: 100) == .relay })
    }
}
