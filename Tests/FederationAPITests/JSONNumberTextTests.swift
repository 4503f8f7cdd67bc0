import FederationAPI
import Foundation
import Testing

/// Floats are written as Kubernetes' Go servers write a float64, and read back as Kubernetes reads JSON.
struct JSONNumberTextTests {
    @Test(arguments: [
        (1000.0, "1000"), (1.0, "1"), (-0.0, "-0"), (0.0, "0"), (1.5, "1.5"), (-0.25, "-0.25"), (0.1, "0.1"),
        (1e15, "1000000000000000"), (1e20, "100000000000000000000"), (1e21, "1e+21"), (9.223372036854775808e18, "9223372036854776000"),
        (1.5e-7, "1.5e-7"), (1e-6, "0.000001"), (0.000015, "0.000015"), (1e300, "1e+300"), (3.4e38, "3.4e+38"),
        (123456.789, "123456.789"), (5e-324, "5e-324"), (Double.nan, "null"), (Double.infinity, "null"),
    ])
    func formatsLikeGo(_ value: Double, _ expected: String) {
        #expect(JSONNumberText.format(value) == expected)
    }

    @Test(arguments: [
        (1000.0, JSONValue.int(1000)), (1.0, .int(1)), (-250.0, .int(-250)), (1.5, .double(1.5)),
        (9.223372036854775808e18, .double(9.223372036854775808e18)), (9.2e18, .int(9_200_000_000_000_000_000)), (1e21, .double(1e21)),
    ])
    func readsBackAsKubernetesDoes(_ value: Double, _ expected: JSONValue) {
        #expect(JSONNumberText.kubernetesReading(value) == expected)
    }

    @Test func everyWrittenFloatReadsBackToTheSameValue() throws {
        var random = Double(0.123456789)
        for _ in 0..<2000 {
            random = (random * 7919.123).truncatingRemainder(dividingBy: 1e7) + 0.000_001
            for value in [random, random * 1e-9, random * 1e12, -random * 1e25, random.rounded()] {
                let text = JSONNumberText.format(value)
                #expect(Double(text) == value, "\(value) written as \(text)")
                #expect(try CompactJSON.decode(CompactJSON.encode(.double(value))) == JSONNumberText.kubernetesReading(value))
            }
        }
    }
}
