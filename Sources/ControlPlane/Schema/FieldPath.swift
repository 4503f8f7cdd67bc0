/// A field path as kube-apiserver prints it: `spec.items[2].name`, `spec.labels[key]`.
struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    private var text: String

    static let root = FieldPath(text: "")

    func child(_ name: String) -> FieldPath { FieldPath(text: text.isEmpty ? name : "\(text).\(name)") }
    func index(_ i: Int) -> FieldPath { FieldPath(text: "\(text)[\(i)]") }
    func key(_ k: String) -> FieldPath { FieldPath(text: "\(text)[\(k)]") }

    var isRoot: Bool { text.isEmpty }
    var description: String { text }
}
