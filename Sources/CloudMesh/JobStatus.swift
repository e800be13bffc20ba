/// Where a job is in its life: the `status` field of a Job account.
public enum JobStatus: UInt8, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// Created and waiting for a worker.
    case pending = 0
    /// A worker completed it and stored the result CID.
    case completed = 1
    /// Its owner cancelled it.
    case cancelled = 2

    public var description: String {
        switch self {
        case .pending: "pending"
        case .completed: "completed"
        case .cancelled: "cancelled"
        }
    }
}

/// How a job was submitted: the `job_type` field of a Job account.
public enum JobType: UInt8, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// Scheduled.
    case cron = 0
    /// Submitted through an API.
    case api = 1
    /// Submitted by hand.
    case manual = 2

    public var description: String {
        switch self {
        case .cron: "cron"
        case .api: "api"
        case .manual: "manual"
        }
    }
}
