import Foundation
import FuzzChecks
import Testing

/// Every committed fuzz input (the seed corpus and each crash the fuzzer found, in
/// `Tests/Fuzz/Corpus/<target>/`) through the properties the fuzzer checks, on every `swift test`.
@Suite struct FuzzCorpusTests {
    static let corpus: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<2 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("Fuzz/Corpus").path
    }()

    static func inputs(_ target: String) throws -> [(name: String, bytes: [UInt8])] {
        let folder = corpus + "/" + target
        return try FileManager.default.contentsOfDirectory(atPath: folder).sorted().map { name in
            (name, Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))))
        }
    }

    @Test(arguments: FuzzChecks.targets.keys.sorted())
    func everyCorpusInputHoldsItsProperties(target: String) throws {
        let inputs = try Self.inputs(target)
        #expect(inputs.count >= 3, "the seed corpus of \(target) is missing")
        let check = try #require(FuzzChecks.targets[target])
        for input in inputs {
            #expect(check(input.bytes) == [], "\(target)/\(input.name)")
        }
    }
}
