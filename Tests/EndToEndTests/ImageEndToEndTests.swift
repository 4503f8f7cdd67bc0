import ConcordTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The container image, run: `hack/image.sh` builds the OCI image layout from the debug binary of this
/// build (so the test does not make a second, release build), `umoci unpack` turns it into a runtime
/// bundle, and `concord server` runs from the bundle's root file system under chroot, as the image's
/// user and with its entrypoint, with only a private /proc mounted (as a container runtime provides).
/// It answers `/readyz` and stores objects, which proves the image holds everything the binary loads.
@Suite(.serialized) struct ImageEndToEndTests {
    @Test func concordServerRunsFromTheUnpackedImage() async throws {
        guard getuid() == 0 else {
            throw E2EError("the image test needs root (umoci unpack keeps owners; chroot and the /proc mount need it); run the end-to-end tests as root")
        }
        let dir = try makeTempDirectory("concord-image")
        defer { removeTestDirectory(dir) }
        let layout = dir.appendingPathComponent("oci").path
        let script = Repo.root.appendingPathComponent("hack/image.sh").path
        let built = try await run("/bin/bash", [script, "--binary", try concordBinary(), "--output", layout, "--tag", "e2e"], timeout: .seconds(900))
        #expect(built.succeeded, "hack/image.sh failed:\n\(built.stdout)\(built.stderr)")
        print("hack/image.sh:\n\(built.stdout)")
        #expect(built.stdout.contains("image size"), "\(built.stdout)")

        let bundle = dir.appendingPathComponent("bundle")
        let unpacked = try await run("/usr/bin/env", ["umoci", "unpack", "--image", "\(layout):e2e", bundle.path], timeout: .seconds(600))
        #expect(unpacked.succeeded, "umoci unpack failed: \(unpacked.stderr)")
        let process = try RuntimeProcess(bundle: bundle)
        #expect(process.uid == 65532 && process.gid == 65532, "the image runs as \(process.uid):\(process.gid)")
        #expect(process.args == ["/usr/local/bin/concord"], "entrypoint \(process.args)")

        let rootfs = bundle.appendingPathComponent("rootfs")
        let files = FileManager.default
        #expect(!files.fileExists(atPath: rootfs.appendingPathComponent("bin/sh").path), "the image has a shell it does not need")
        let passwd = try String(contentsOf: rootfs.appendingPathComponent("etc/passwd"), encoding: .utf8)
        #expect(passwd.contains("concord:x:65532:65532:"), "\(passwd)")
        let certificates = try String(contentsOf: rootfs.appendingPathComponent("etc/ssl/certs/ca-certificates.crt"), encoding: .utf8)
        #expect(certificates.contains("BEGIN CERTIFICATE"))
        try files.createDirectory(at: rootfs.appendingPathComponent("proc"), withIntermediateDirectories: true)

        // unshare gives the chroot its own mount namespace, so the /proc mount ends with the process.
        let port = try freePort()
        let enter = #"root=$1; user=$2; shift 2; mount -t proc proc "$root/proc" && exec chroot --userspec="$user" "$root" "$@""#
        let server = try Background(
            "/usr/bin/unshare",
            ["--mount", "/bin/sh", "-c", enter, "sh", rootfs.path, "\(process.uid):\(process.gid)"] + process.args
                + ["server", "--data-dir", process.cwd, "--port", String(port)],
            logPath: dir.appendingPathComponent("server.log").path)
        defer { server.signal(SIGKILL) }
        let dataDir = URL(fileURLWithPath: rootfs.path + process.cwd)
        let kubeconfig = dataDir.appendingPathComponent("kubeconfig").path
        let k = try Kubectl(kubeconfig: kubeconfig)
        let ready = try await eventually(timeout: .seconds(60), every: .milliseconds(200)) {
            guard server.exitStatus == nil else { throw E2EError("concord server exited in the image:\n\(server.log)") }
            guard files.fileExists(atPath: kubeconfig) else { return false }
            return try await k("get", "--raw", "/readyz", timeout: .seconds(10)).stdout == "ok"
        }
        #expect(ready, "concord server in the image did not answer /readyz:\n\(server.log)")
        let created = try await k("create", "configmap", "from-the-image", "--from-literal=a=b")
        #expect(created.succeeded, "\(created.stderr)")
        #expect(try await k("get", "configmap", "from-the-image", "-o", "jsonpath={.data.a}").stdout == "b")
        let owner = try files.attributesOfItem(atPath: dataDir.appendingPathComponent("token").path)[.ownerAccountID] as? Int
        #expect(owner == 65532, "the server's files belong to \(String(describing: owner))")
        print("concord server in the image:\n\(server.log)")

        server.signal(SIGTERM)
        #expect(await server.waitForExit(timeout: .seconds(20)) == 0, "\(server.log)")
    }
}

/// The process an OCI runtime bundle's `config.json` describes: user, arguments and working directory.
struct RuntimeProcess {
    let uid: Int
    let gid: Int
    let args: [String]
    let cwd: String

    init(bundle: URL) throws {
        let data = try Data(contentsOf: bundle.appendingPathComponent("config.json"))
        guard let config = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let process = config["process"] as? [String: Any], let user = process["user"] as? [String: Any],
            let uid = user["uid"] as? Int, let gid = user["gid"] as? Int, let args = process["args"] as? [String],
            let cwd = process["cwd"] as? String
        else { throw E2EError("the bundle's config.json has no process with user, args and cwd: \(String(decoding: data, as: UTF8.self))") }
        (self.uid, self.gid, self.args, self.cwd) = (uid, gid, args, cwd)
    }
}
