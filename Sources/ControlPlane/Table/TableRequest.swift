/// A client asking for `meta.k8s.io` Table output (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`).
struct TableRequest: Sendable {
    /// `meta.k8s.io/v1` or `meta.k8s.io/v1beta1`, whichever the client listed first.
    var apiVersion: String

    /// Reads an Accept header; nil when no Table form is acceptable.
    init?(accept: String?) {
        guard let accept else { return nil }
        for part in accept.split(separator: ",") {
            let params = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard params.contains("as=Table"), params.contains("g=meta.k8s.io") || !params.contains(where: { $0.hasPrefix("g=") }) else { continue }
            apiVersion = params.contains("v=v1beta1") ? "meta.k8s.io/v1beta1" : "meta.k8s.io/v1"
            return
        }
        return nil
    }
}
