import ConcordTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The review kinds with the real kubectl: discovery lists them, and `kubectl create -f` posts a
/// TokenReview, a SubjectAccessReview and a LocalSubjectAccessReview and prints the answers.
@Suite(.serialized) struct ReviewKubectlTests {
    @Test func kubectlCreatesReviewsAndReadsTheirAnswers() async throws {
        let dir = try makeTempDirectory("kubectl-reviews")
        defer { removeTestDirectory(dir) }
        let server = try await ServerProcess.start(dataDir: dir.appendingPathComponent("data"))
        defer { server.process.signal(SIGKILL) }
        let k = try Kubectl(kubeconfig: server.kubeconfig)

        let resources = try await k("api-resources", "--api-group=authorization.k8s.io", "-o", "name")
        #expect(resources.stdout.split(separator: "\n").sorted() == [
            "localsubjectaccessreviews.authorization.k8s.io", "selfsubjectaccessreviews.authorization.k8s.io",
            "selfsubjectrulesreviews.authorization.k8s.io", "subjectaccessreviews.authorization.k8s.io",
        ], "\(resources.stdout)\(resources.stderr)")

        #expect(try await k("create", "serviceaccount", "robot").succeeded)
        let token = try await k("create", "token", "robot").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let tokenReview = "apiVersion: authentication.k8s.io/v1\nkind: TokenReview\nspec:\n  token: \(token)\n"
        let reviewed = try await k("create", "-f", "-", "-o", "jsonpath={.status.authenticated} {.status.user.username}", stdin: tokenReview)
        #expect(reviewed.stdout == "true system:serviceaccount:default:robot", "\(reviewed.stderr)")

        #expect(try await k("create", "rolebinding", "robot-view", "--clusterrole=view", "--serviceaccount=default:robot").succeeded)
        func review(_ kind: String, verb: String, namespace: String, in objectNamespace: String = "default") -> String {
            """
            apiVersion: authorization.k8s.io/v1
            kind: \(kind)
            metadata: {\(kind == "LocalSubjectAccessReview" ? "namespace: \(objectNamespace)" : "")}
            spec:
              user: system:serviceaccount:default:robot
              groups: [system:serviceaccounts, system:serviceaccounts:default, system:authenticated]
              resourceAttributes: {verb: \(verb), resource: configmaps, namespace: \(namespace)}

            """
        }
        let allowed = "jsonpath={.status.allowed}"
        let canList = try await k("create", "-f", "-", "-o", allowed, stdin: review("SubjectAccessReview", verb: "list", namespace: "default"))
        #expect(canList.stdout == "true", "\(canList.stderr)")
        #expect(try await k("create", "-f", "-", "-o", allowed, stdin: review("SubjectAccessReview", verb: "delete", namespace: "default")).stdout == "false")
        #expect(try await k("create", "-f", "-", "-o", allowed, stdin: review("LocalSubjectAccessReview", verb: "get", namespace: "default")).stdout == "true")
        let invalid = try await k("create", "-f", "-", stdin: review("LocalSubjectAccessReview", verb: "get", namespace: "kube-system", in: "default"))
        #expect(!invalid.succeeded)
        #expect(invalid.stderr.contains("must match metadata.namespace"), "\(invalid.stderr)")
    }
}
