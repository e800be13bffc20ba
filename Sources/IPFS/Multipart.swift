/// A `multipart/form-data` body (RFC 7578) built in memory.
struct MultipartForm {
    /// The boundary, random per form.
    let boundary: String
    private(set) var body: [UInt8] = []

    init() {
        var generator = SystemRandomNumberGenerator()
        boundary = "cloudmesh-" + (0..<4).map { _ in String(generator.next() as UInt64, radix: 16) }.joined()
    }

    /// The `Content-Type` header value.
    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// Appends a part; quotes, backslashes and line breaks in names are replaced so headers stay intact.
    mutating func append(name: String, filename: String? = nil, contentType: String, data: [UInt8]) {
        var header = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.safe(name))\""
        if let filename { header += "; filename=\"\(Self.safe(filename))\"" }
        header += "\r\nContent-Type: \(contentType)\r\n\r\n"
        body += Array(header.utf8) + data + Array("\r\n".utf8)
    }

    /// The complete body with the closing boundary.
    func finished() -> [UInt8] {
        body + Array("--\(boundary)--\r\n".utf8)
    }

    private static func safe(_ text: String) -> String {
        String(text.map { "\"\\\r\n".contains($0) ? "_" : $0 })
    }
}
