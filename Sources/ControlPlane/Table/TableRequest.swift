/// A client asking for `meta.k8s.io` Table output (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`).
struct TableRequest: Sendable {
    /// `meta.k8s.io/v1` or `meta.k8s.io/v1beta1`, whichever the client listed first.
    var apiVersion: String
    /// What each row carries as its `object` (`?includeObject=`): kubectl asks for `Object` to sort
    /// or filter on fields outside metadata (`--sort-by=.status.phase`).
    var includeObject: IncludeObject = .metadata

    /// `includeObject` values, as kube-apiserver reads them.
    enum IncludeObject: String, Sendable {
        /// No object in the rows.
        case none = "None"
        /// A PartialObjectMetadata (the default).
        case metadata = "Metadata"
        /// The whole object.
        case object = "Object"
    }

    /// Reads the Accept header and the `includeObject` parameter; nil when no Table form is acceptable.
    /// An `includeObject` value kube-apiserver does not know is a 400.
    init?(accept: String?, includeObject: String?) throws {
        self.init(accept: accept)
        guard let includeObject, !includeObject.isEmpty else { return }
        guard let value = IncludeObject(rawValue: includeObject) else {
            throw APIError.badRequest("includeObject: Unsupported value: \"\(includeObject)\": supported values: \"Metadata\", \"None\", \"Object\"")
        }
        self.includeObject = value
    }

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
