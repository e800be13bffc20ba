import NIOCore

/// A `multipart/form-data` body (RFC 7578) built in memory.
struct MultipartForm {
    /// The boundary, random per form: 42 characters (RFC 2046 allows at most 70).
    let boundary: String
    private(set) var body: [UInt8] = []

    init() {
        var generator = SystemRandomNumberGenerator()
        boundary = "cloudmesh-" + (0..<2).map { _ in Self.hex16(generator.next()) }.joined()
    }

    private static func hex16(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The `Content-Type` header value.
    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// Appends a part; quotes, backslashes and line breaks in names are replaced so headers stay intact.
    mutating func append(name: String, filename: String? = nil, contentType: String, data: [UInt8]) {
        var header = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.safe(name))\""
        if let filename { header += "; filename=\"\(Self.safe(filename))\"" }
        header += "\r\nContent-Type: \(contentType)\r\n\r\n"
        // Appended in place, without temporaries: a result document can be megabytes.
        body.reserveCapacity(body.count + header.utf8.count + data.count + 2)
        body.append(contentsOf: header.utf8)
        body.append(contentsOf: data)
        body.append(contentsOf: "\r\n".utf8)
    }

    /// The complete body with the closing boundary, written once into a buffer of its exact size.
    func finishedBuffer() -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: body.count + closing.utf8.count)
        buffer.writeBytes(body)
        buffer.writeString(closing)
        return buffer
    }

    private var closing: String { "--\(boundary)--\r\n" }

    private static func safe(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            out.append(["\"", "\\", "\r", "\n"].contains(scalar) ? "_" : scalar)
        }
        return String(out)
    }
}
