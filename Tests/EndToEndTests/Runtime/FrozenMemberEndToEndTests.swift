import ConcordTesting
import FederationAPI
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A member frozen with SIGSTOP (it accepts connections and never answers) delays nothing else.
@Suite(.serialized) struct FrozenMemberEndToEndTests {
    /// A minute, as the contract asks: 60 probe periods at the 1 s default and six of the 10 s status heartbeats.
    static let freeze: Duration = .seconds(60)

    @Test func otherDatacentersKeepTheirScheduleWhileOneMemberIsFrozenAndItRecoversAfter() async throws {
        let dir = try makeTempDirectory("concord-frozen")
        defer { removeTestDirectory(dir) }
        let hub = try await RuntimeHub.start(in: dir)
        var members: [String: ServerProcess] = [:]
        var controller: Background?
        defer {
            for m in members.values { m.process.signal(SIGCONT); m.process.signal(SIGKILL) }
            controller?.signal(SIGKILL)
        }
        for name in ["alpha", "frozen", "gamma"] {
            let member = try await ServerProcess.start(dataDir: dir.appendingPathComponent(name), logName: name)
            members[name] = member
            try await hub.register(name, region: "\(name)-1", memberKubeconfig: member.kubeconfig)
        }
        controller = try hub.controller("controller", [])
        let healthy = ["alpha", "gamma"]
        #expect(await eventually(timeout: .seconds(30), every: .milliseconds(100)) {
            for name in members.keys where await hub.status(name)?.phase != .ready { return false }
            return true
        }, "\(controller?.log ?? "")")

        let frozen = try #require(members["frozen"])
        frozen.process.signal(SIGSTOP)
        let clock = ContinuousClock()
        let stoppedAt = clock.now
        var lastProbe: [String: Date] = [:]
        var lastChange: [String: ContinuousClock.Instant] = [:]
        var longestGap: [String: Duration] = [:]
        var unreachableAfter: Duration?
        var notReady: [String] = []
        while clock.now - stoppedAt < Self.freeze {
            for name in healthy {
                guard let status = await hub.status(name) else { continue }
                if status.phase != .ready { notReady.append("\(name): \(status.phase?.rawValue ?? "none")") }
                let probed = status.lastProbeTime?.date ?? .distantPast
                if probed != lastProbe[name] {
                    if let since = lastChange[name] { longestGap[name] = max(longestGap[name] ?? .zero, clock.now - since) }
                    lastProbe[name] = probed
                    lastChange[name] = clock.now
                }
            }
            if unreachableAfter == nil, await hub.status("frozen")?.phase == .unreachable { unreachableAfter = clock.now - stoppedAt }
            try await Task.sleep(for: .milliseconds(250))
        }
        for name in healthy {
            if let since = lastChange[name] { longestGap[name] = max(longestGap[name] ?? .zero, clock.now - since) }
        }
        print("frozen member: Unreachable after \(unreachableAfter.map { "\($0)" } ?? "never"); longest lastProbeTime gaps of the others: \(longestGap)")
        #expect(notReady.isEmpty, "\(notReady)")
        let detected = try #require(unreachableAfter, "the frozen member was never declared Unreachable")
        #expect(detected <= .seconds(6))
        for name in healthy {
            // lastProbeTime is refreshed at least every 10 s (second precision, 250 ms sampling).
            #expect((longestGap[name] ?? .seconds(999)) <= .seconds(12), "\(name): \(longestGap[name].map { "\($0)" } ?? "never updated")")
        }

        frozen.process.signal(SIGCONT)
        let resumedAt = clock.now
        #expect(await eventually(timeout: .seconds(20), every: .milliseconds(100)) { await hub.status("frozen")?.phase == .ready }, "\(controller?.log ?? "")")
        print("frozen member: Ready again \(clock.now - resumedAt) after SIGCONT")
        for name in healthy { #expect(await hub.status(name)?.phase == .ready) }

        controller?.signal(SIGTERM)
        #expect(await controller?.waitForExit(timeout: .seconds(20)) == 0)
        for m in members.values { await m.process.stop() }
        await hub.stop()
    }
}
