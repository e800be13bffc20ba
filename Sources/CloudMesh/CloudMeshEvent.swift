import Foundation
import Solana

/// An event the CloudMesh program emits as a `Program data: <base64>` log line.
public enum CloudMeshEvent: Hashable, Sendable {
    /// initialize_job created a job.
    case jobCreated(JobCreated)
    /// complete_job completed a job.
    case jobCompleted(JobCompleted)
    /// cancel_job cancelled a job.
    case jobCancelled(JobCancelled)
    /// mark_payment marked a job paid.
    case paymentMarked(PaymentMarked)

    /// JobCreated {job_key, owner, title}.
    public struct JobCreated: Hashable, Sendable {
        /// The event's discriminator, sha256("event:JobCreated")[0..8].
        public static let discriminator = AnchorDiscriminator.event("JobCreated")
        /// The job's address.
        public var jobKey: PublicKey
        /// The job's owner.
        public var owner: PublicKey
        /// The job's title.
        public var title: String

        /// Creates the event.
        public init(jobKey: PublicKey, owner: PublicKey, title: String) {
            self.jobKey = jobKey
            self.owner = owner
            self.title = title
        }
    }

    /// JobCompleted {job_key, result_cid, end_time, cost}.
    public struct JobCompleted: Hashable, Sendable {
        /// The event's discriminator, sha256("event:JobCompleted")[0..8].
        public static let discriminator = AnchorDiscriminator.event("JobCompleted")
        /// The job's address.
        public var jobKey: PublicKey
        /// The CID of the result.
        public var resultCID: String
        /// Unix seconds of completion.
        public var endTime: Int64
        /// Lamports charged.
        public var cost: UInt64

        /// Creates the event.
        public init(jobKey: PublicKey, resultCID: String, endTime: Int64, cost: UInt64) {
            self.jobKey = jobKey
            self.resultCID = resultCID
            self.endTime = endTime
            self.cost = cost
        }
    }

    /// JobCancelled {job_key, cancelled_at}.
    public struct JobCancelled: Hashable, Sendable {
        /// The event's discriminator, sha256("event:JobCancelled")[0..8].
        public static let discriminator = AnchorDiscriminator.event("JobCancelled")
        /// The job's address.
        public var jobKey: PublicKey
        /// Unix seconds of cancellation.
        public var cancelledAt: Int64

        /// Creates the event.
        public init(jobKey: PublicKey, cancelledAt: Int64) {
            self.jobKey = jobKey
            self.cancelledAt = cancelledAt
        }
    }

    /// PaymentMarked {job_key, amount}.
    public struct PaymentMarked: Hashable, Sendable {
        /// The event's discriminator, sha256("event:PaymentMarked")[0..8].
        public static let discriminator = AnchorDiscriminator.event("PaymentMarked")
        /// The job's address.
        public var jobKey: PublicKey
        /// Lamports marked as paid.
        public var amount: UInt64

        /// Creates the event.
        public init(jobKey: PublicKey, amount: UInt64) {
            self.jobKey = jobKey
            self.amount = amount
        }
    }

    /// The prefix of the log lines that carry events.
    public static let logPrefix = "Program data: "

    /// Decodes event data (discriminator then Borsh fields); `nil` when the discriminator is not a CloudMesh
    /// event (another program's data), an error when it is one but the fields do not decode.
    public init?(eventData data: [UInt8]) throws(BorshError) {
        var reader = BorshReader(data, offset: 8)
        let tag = Array(data.prefix(8))
        switch tag {
        case JobCreated.discriminator:
            self = .jobCreated(
                JobCreated(
                    jobKey: try reader.readPublicKey(field: "job_key"), owner: try reader.readPublicKey(field: "owner"),
                    title: try reader.readString(field: "title")))
        case JobCompleted.discriminator:
            self = .jobCompleted(
                JobCompleted(
                    jobKey: try reader.readPublicKey(field: "job_key"),
                    resultCID: try reader.readString(field: "result_cid"),
                    endTime: try reader.readI64(field: "end_time"), cost: try reader.readU64(field: "cost")))
        case JobCancelled.discriminator:
            self = .jobCancelled(
                JobCancelled(
                    jobKey: try reader.readPublicKey(field: "job_key"),
                    cancelledAt: try reader.readI64(field: "cancelled_at")))
        case PaymentMarked.discriminator:
            self = .paymentMarked(
                PaymentMarked(
                    jobKey: try reader.readPublicKey(field: "job_key"), amount: try reader.readU64(field: "amount")))
        default:
            return nil
        }
    }

    /// Decodes a `Program data: <base64>` log line; `nil` for any other line, for data that is not base64 and
    /// for another program's events.
    public init?(logLine line: String) throws(BorshError) {
        guard line.hasPrefix(Self.logPrefix),
            let data = Data(base64Encoded: String(line.dropFirst(Self.logPrefix.count)))
        else { return nil }
        try self.init(eventData: Array(data))
    }

    /// Every CloudMesh event in a transaction's log messages, in order.
    public static func events(inLogs logs: [String]) throws(BorshError) -> [CloudMeshEvent] {
        var events: [CloudMeshEvent] = []
        for line in logs {
            if let event = try CloudMeshEvent(logLine: line) { events.append(event) }
        }
        return events
    }

    /// The event data: discriminator then Borsh fields.
    public func encode() -> [UInt8] {
        var writer = BorshWriter()
        switch self {
        case .jobCreated(let event):
            writer.writeBytes(JobCreated.discriminator)
            writer.writePublicKey(event.jobKey)
            writer.writePublicKey(event.owner)
            writer.writeString(event.title)
        case .jobCompleted(let event):
            writer.writeBytes(JobCompleted.discriminator)
            writer.writePublicKey(event.jobKey)
            writer.writeString(event.resultCID)
            writer.writeInteger(event.endTime)
            writer.writeInteger(event.cost)
        case .jobCancelled(let event):
            writer.writeBytes(JobCancelled.discriminator)
            writer.writePublicKey(event.jobKey)
            writer.writeInteger(event.cancelledAt)
        case .paymentMarked(let event):
            writer.writeBytes(PaymentMarked.discriminator)
            writer.writePublicKey(event.jobKey)
            writer.writeInteger(event.amount)
        }
        return writer.bytes
    }

    /// The `Program data: <base64>` log line that carries this event.
    public var logLine: String { Self.logPrefix + Data(encode()).base64EncodedString() }
}
