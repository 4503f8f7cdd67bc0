import ConcordTesting
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A `concord up` federation of three started for one test; `stop()` kills it and every child.
struct UpFederation {
    let up: Background
    let layout: UpEndToEndTests.Layout

    /// Starts `concord up --datacenters 3 --data-dir DIR` and waits until it has written `up.json`.
    static func start(dataDir: URL, log: URL) async throws -> UpFederation {
        let up = try Background(try concordBinary(), ["up", "--datacenters", "3", "--data-dir", dataDir.path], logPath: log.path)
        do {
            let started = try await eventually(timeout: .seconds(90), every: .milliseconds(200)) {
                guard up.exitStatus == nil else { throw E2EError("concord up exited:\n\(up.log)") }
                return up.log.contains("kubectl get datacenters")
            }
            guard started else { throw E2EError("concord up did not finish starting:\n\(up.log)") }
            let layout = try JSONDecoder().decode(UpEndToEndTests.Layout.self, from: Data(contentsOf: dataDir.appendingPathComponent("up.json")))
            return UpFederation(up: up, layout: layout)
        } catch {
            up.signal(SIGKILL)
            throw error
        }
    }

    /// Kills `concord up` and every child it started (on a failure path it gets no chance to stop them).
    func stop() {
        up.signal(SIGKILL)
        for pid in layout.pids { kill(pid, SIGKILL) }
    }
}
