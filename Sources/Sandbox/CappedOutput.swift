/// One output stream of a job: keeps the first `cap` bytes and only counts the rest.
struct CappedOutput {
    /// The bytes kept (at most `cap`).
    private(set) var bytes: [UInt8] = []
    /// Every byte received, kept or not.
    private(set) var totalBytes: UInt64 = 0
    /// How many bytes are kept at most.
    let cap: Int

    /// Creates an empty collector keeping at most `cap` bytes.
    init(cap: Int) {
        self.cap = max(0, cap)
    }

    /// Takes a chunk read from the stream.
    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        totalBytes += UInt64(chunk.count)
        let room = cap - bytes.count
        guard room > 0 else { return }
        bytes.append(contentsOf: chunk.prefix(room))
    }
}
