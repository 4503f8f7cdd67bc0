import FederationAPI
import Foundation
import Testing

/// `metav1.Time` and `metav1.MicroTime` text, as the API server writes and reads it.
struct TimeTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let seconds: Double
        let text: String
        var testDescription: String { text }
    }

    static let kubeTimes: [Case] = [
        Case(seconds: 0, text: "1970-01-01T00:00:00Z"),
        Case(seconds: 951_782_400, text: "2000-02-29T00:00:00Z"),
        Case(seconds: 1_700_000_000, text: "2023-11-14T22:13:20Z"),
        Case(seconds: 1_700_000_000.999, text: "2023-11-14T22:13:20Z"),
        Case(seconds: -1, text: "1969-12-31T23:59:59Z"),
        Case(seconds: 4_102_444_799, text: "2099-12-31T23:59:59Z"),
    ]

    @Test(arguments: kubeTimes)
    func kubeTimeFormatsToTheSecond(_ c: Case) {
        #expect(KubeTime(Date(timeIntervalSince1970: c.seconds)).description == c.text)
    }

    @Test(arguments: [
        ("2023-11-14T22:13:20Z", 1_700_000_000.0),
        ("2023-11-14t22:13:20z", 1_700_000_000.0),
        ("2023-11-14T23:13:20+01:00", 1_700_000_000.0),
        ("2023-11-14T20:43:20-01:30", 1_700_000_000.0),
        ("2023-11-14T22:13:20.5Z", 1_700_000_000.5),
        ("2000-02-29T00:00:00Z", 951_782_400.0),
    ])
    func rfc3339Parses(_ text: String, _ seconds: Double) throws {
        let date = try #require(RFC3339.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 1e-6)
    }

    @Test(arguments: ["", "2023-11-14", "2023-11-14T22:13:20", "2023-13-01T00:00:00Z", "2023-11-14T22:13:20.Z", "2023-11-14T22:13:20Zjunk", "2023-11-14 22:13:20Z"])
    func rfc3339RejectsMalformedText(_ text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test func kubeTimeDropsFractionsAndRoundTripsThroughJSON() throws {
        let t = KubeTime(Date(timeIntervalSince1970: 1_700_000_000.75))
        #expect(t.date.timeIntervalSince1970 == 1_700_000_000)
        #expect(try JSONValue(encoding: t) == "2023-11-14T22:13:20Z")
        #expect(try JSONValue.string("2023-11-14T22:13:20Z").decode(KubeTime.self) == t)
        #expect(KubeTime(rfc3339: "2023-11-14T22:13:20.9Z") == t)
        #expect(KubeTime(rfc3339: "yesterday") == nil)
        #expect(throws: DecodingError.self) { try JSONValue.string("not a time").decode(KubeTime.self) }
    }

    @Test func microTimeHasSixFractionDigits() throws {
        let t = MicroTime(Date(timeIntervalSince1970: 1_700_000_000.5))
        #expect(t.description == "2023-11-14T22:13:20.500000Z")
        #expect(try JSONValue(encoding: t) == "2023-11-14T22:13:20.500000Z")
        #expect(MicroTime(Date(timeIntervalSince1970: 1_700_000_000.123456)).description == "2023-11-14T22:13:20.123456Z")
    }

    @Test func timesOrderByInstant() {
        #expect(KubeTime(Date(timeIntervalSince1970: 1)) < KubeTime(Date(timeIntervalSince1970: 2)))
        #expect(MicroTime(Date(timeIntervalSince1970: 1.5)) > MicroTime(Date(timeIntervalSince1970: 1)))
    }

    /// Every microsecond written by the API server must read back and print identically, even
    /// when the binary fraction sits a hair below the microsecond it was written as.
    @Test func microTimeRoundTripsEveryMicrosecond() throws {
        let texts = ["2023-11-14T22:13:20.000001Z", "2023-11-14T22:13:20.123457Z", "2026-11-21T05:31:06.999999Z"]
        for text in texts {
            let t = try JSONValue.string(text).decode(MicroTime.self)
            #expect(t.description == text)
        }
        #expect(MicroTime(Date(timeIntervalSince1970: 1.000001)) > MicroTime(Date(timeIntervalSince1970: 1)))
        #expect(MicroTime(Date(timeIntervalSince1970: 1.9999996)).description == "1970-01-01T00:00:02.000000Z")
    }
}
