import Foundation
import Testing

@testable import Sandbox

/// Job cgroups a crashed worker left behind are removed at start; those of live workers are not.
@Suite struct StaleCgroupTests {
    @Test func removesOnlyCgroupsOfDeadOwners() throws {
        let parent = NSTemporaryDirectory() + "stale-cgroups-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let own = getpid()
        let names = ["job-999999-1", "job-\(own)-7", "job-1-3", "job-\(own)-x", "other"]
        for name in names {
            try FileManager.default.createDirectory(atPath: parent + "/" + name, withIntermediateDirectories: true)
        }
        let layout = CgroupLayout(hierarchies: [
            .init(parent: parent, unified: false, limitsProcesses: true, limitsMemory: false, measuresCPU: false)
        ])
        let removed = layout.removeStaleJobCgroups { $0 == 1 || $0 == own }
        #expect(removed == ["job-999999-1"])
        let left = try FileManager.default.contentsOfDirectory(atPath: parent).sorted()
        #expect(
            left == ["job-1-3", "job-\(own)-7", "job-\(own)-x", "other"], "live owners' cgroups and other names stay")
    }

    @Test func theCleanUpStopsAtItsBudget() throws {
        let parent = NSTemporaryDirectory() + "stale-cgroups-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: parent) }
        // A directory that is not empty cannot be removed, like a cgroup whose processes do not die.
        try FileManager.default.createDirectory(
            atPath: parent + "/job-999999-1/child", withIntermediateDirectories: true)
        let layout = CgroupLayout(hierarchies: [
            .init(parent: parent, unified: false, limitsProcesses: true, limitsMemory: false, measuresCPU: false)
        ])
        let started = ContinuousClock.now
        #expect(layout.removeStaleJobCgroups(budget: .milliseconds(50)) { _ in false }.isEmpty)
        #expect(ContinuousClock.now - started < .milliseconds(900), "bounded by the budget, not the per-cgroup second")
    }

    @Test func jobCgroupNames() {
        #expect(CgroupLayout.ownerPID(ofJobCgroup: "job-123-4") == 123)
        #expect(CgroupLayout.ownerPID(ofJobCgroup: "job-123") == nil)
        #expect(CgroupLayout.ownerPID(ofJobCgroup: "cloudmesh-sandbox") == nil)
    }
}
