import FederationAPI
import FederationCore
import Testing

/// The fencing-marker report a Pull member's agent puts on its Datacenter.
struct MarkerReportTests {
    @Test func roundTripsAMarkerAndThePlaceholder() {
        for marker in [FencingMarker(policy: "global", primary: "us-east", epoch: 7), FencingMarker(policy: "", primary: "", epoch: 0)] {
            let annotations = [MarkerReport.annotation: MarkerReport.value(of: marker)]
            let read = MarkerReport.marker(of: "edge", annotations: annotations)
            #expect(read == MemberMarker(datacenter: "edge", marker: marker, resourceVersion: nil))
        }
        #expect(MarkerReport.value(of: FencingMarker(policy: "global", primary: "us-east", epoch: 7)) == "global/us-east/7")
    }

    @Test(arguments: [nil, "", "global/us-east", "global/us-east/x", "global/us-east/-1", "a/b/c/1"])
    func malformedOrMissingReportsAreUnknown(_ text: String?) {
        let annotations = text.map { [MarkerReport.annotation: $0] }
        #expect(MarkerReport.marker(of: "edge", annotations: annotations) == nil)
    }
}
