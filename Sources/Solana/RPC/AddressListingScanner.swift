import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads the addresses out of a `getProgramAccounts` answer (with `withContext: true`) without decoding the
/// JSON document: the context slot is the first `"slot"` member, and every `"pubkey"` member is an address.
///
/// A JSON decoder builds a map of every token first: some 800 MB of memory for the 230 MB answer listing
/// 1,000,000 accounts. This scan keeps only the body and 32 bytes per address. It relies on the answer's shape:
/// the other strings of an entry (base58 owner, base64 data, the encoding's name) cannot hold a quote, so
/// `"pubkey"` can only be a member's name.
enum AddressListingScanner {
    /// Why an answer could not be read.
    struct Failure: Error {
        /// What was wrong.
        var reason: String
    }

    /// The context slot and the addresses, in the answer's order.
    static func scan(_ body: Data) throws(Failure) -> ContextResult<[PublicKey]> {
        let scanned: Swift.Result<ContextResult<[PublicKey]>, Failure> = body.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return .failure(Failure(reason: "empty answer")) }
            let end = raw.count
            func find(_ needle: StaticString, from start: Int) -> Int? {
                // memchr for each quote, then a comparison (memmem is not in every C library's module).
                let count = needle.utf8CodeUnitCount
                var at = start
                while at + count <= end, let quote = memchr(base + at, 0x22, end - at) {
                    let offset = base.distance(to: UnsafeRawPointer(quote))
                    if offset + count <= end, memcmp(quote, needle.utf8Start, count) == 0 { return offset + count }
                    at = offset + 1
                }
                return nil
            }
            func skipSpace(_ index: inout Int) {
                while index < end, [0x20, 0x09, 0x0A, 0x0D].contains(raw[index]) { index += 1 }
            }
            guard var index = find(#""slot""#, from: 0) else { return .failure(Failure(reason: "no context slot")) }
            skipSpace(&index)
            guard index < end, raw[index] == UInt8(ascii: ":") else { return .failure(Failure(reason: "bad slot")) }
            index += 1
            skipSpace(&index)
            var slot: UInt64 = 0
            var digits = 0
            while index < end, (0x30...0x39).contains(raw[index]) {
                let (times, overflow) = slot.multipliedReportingOverflow(by: 10)
                guard !overflow else { return .failure(Failure(reason: "bad slot")) }
                slot = times + UInt64(raw[index] - 0x30)
                digits += 1
                index += 1
            }
            guard digits > 0 else { return .failure(Failure(reason: "bad slot")) }
            var addresses: [PublicKey] = []
            while var at = find(#""pubkey""#, from: index) {
                skipSpace(&at)
                guard at < end, raw[at] == UInt8(ascii: ":") else {
                    return .failure(Failure(reason: "bad pubkey member"))
                }
                at += 1
                skipSpace(&at)
                guard at < end, raw[at] == UInt8(ascii: "\"") else {
                    return .failure(Failure(reason: "bad pubkey member"))
                }
                let start = at + 1
                var close = start
                while close < end, raw[close] != UInt8(ascii: "\""), close - start <= 64 { close += 1 }
                guard close < end, raw[close] == UInt8(ascii: "\"") else {
                    return .failure(Failure(reason: "unterminated pubkey"))
                }
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: raw[start..<close]), as: UTF8.self)
                guard let address = try? PublicKey(base58: text) else {
                    return .failure(Failure(reason: "pubkey \(text) is not an address"))
                }
                addresses.append(address)
                index = close + 1
            }
            return .success(ContextResult(slot: slot, value: addresses))
        }
        return try scanned.get()
    }
}
