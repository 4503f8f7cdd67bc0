import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real kubectl against `concord server`: numbers the API server refuses come back as kube-apiserver's
/// 422 naming the field, and integers it accepts are served back unchanged.
@Suite(.serialized) struct KubectlNumberTests {
    static func datacenter(_ name: String, replicas: String) -> String {
        """
        apiVersion: federation.concord.dev/v1alpha1
        kind: Datacenter
        metadata:
          name: \(name)
        spec:
          region: us-east-1
          capacity:
            replicas: \(replicas)

        """
    }

    @Test func integersBeyondTheirFormatAreRefusedNamingTheField() async throws {
        let dir = try makeTempDirectory("kubectl-numbers")
        defer { removeTestDirectory(dir) }
        let server = try await ServerProcess.start(dataDir: dir.appendingPathComponent("data"))
        defer { server.process.signal(SIGKILL) }
        let k = try Kubectl(kubeconfig: server.kubeconfig)
        let crds = try await k("apply", "-f", Repo.crds)
        #expect(crds.succeeded, "\(crds.stderr)")

        let beyondInt64 = try await k("create", "-f", "-", stdin: Self.datacenter("big", replicas: "9223372036854775808"))
        #expect(!beyondInt64.succeeded)
        #expect(beyondInt64.stderr.contains(#"The Datacenter "big" is invalid: spec.capacity.replicas: Invalid value: "number""#), "\(beyondInt64.stderr)")
        #expect(beyondInt64.stderr.contains("spec.capacity.replicas in body must be of type integer"), "\(beyondInt64.stderr)")

        let beyondInt32 = try await k("create", "-f", "-", stdin: Self.datacenter("wide", replicas: "2147483648"))
        #expect(!beyondInt32.succeeded)
        #expect(beyondInt32.stderr.contains(#"The Datacenter "wide" is invalid: spec.capacity.replicas: Invalid value: 2147483648"#), "\(beyondInt32.stderr)")
        #expect(try await !k("get", "datacenter", "big").succeeded)

        let exponent = try await k("create", "-f", "-", stdin: Self.datacenter("exp", replicas: "1e3"))
        #expect(exponent.succeeded, "\(exponent.stderr)")
        let stored = try await k("get", "datacenter", "exp", "-o", "json")
        #expect(stored.stdout.contains(#""replicas": 1000"#), "\(stored.stdout)")

        let patched = try await k("patch", "datacenter", "exp", "--type=merge", "-p", #"{"spec":{"capacity":{"replicas":9223372036854775808}}}"#)
        #expect(!patched.succeeded)
        #expect(patched.stderr.contains("spec.capacity.replicas: Invalid value"), "\(patched.stderr)")
    }
}
