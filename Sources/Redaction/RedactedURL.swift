/// Rewrites one URL's bytes with its credentials replaced (see ``CredentialRedaction``).
enum RedactedURL {
    private static let placeholder = Array(CredentialRedaction.placeholder.utf8)

    /// `url` with userinfo, secret parameters and providers' key segments replaced; without query and fragment
    /// (and without userinfo rather than with it replaced) when `keepingQuery` is false.
    static func bytes(of url: ArraySlice<UInt8>, hasScheme: Bool, keepingQuery: Bool = true) -> [UInt8] {
        let authorityStart = hasScheme ? (URLSpans.schemeEnd(in: url) ?? url.startIndex) : url.startIndex
        let authorityEnd = url[authorityStart...].firstIndex(where: isAuthorityEnd) ?? url.endIndex
        let pathEnd =
            url[authorityEnd...].firstIndex { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? url.endIndex
        var output = Array(url[url.startIndex..<authorityStart])
        output.reserveCapacity(url.count)

        var hostStart = authorityStart
        if let at = url[authorityStart..<authorityEnd].lastIndex(of: UInt8(ascii: "@")) {
            if keepingQuery { output.append(contentsOf: placeholder + [UInt8(ascii: "@")]) }
            hostStart = at + 1
        }
        output.append(contentsOf: url[hostStart..<authorityEnd])

        let host = hostName(url[hostStart..<authorityEnd])
        let path = url[authorityEnd..<pathEnd]
        if let rule = ProviderPathRule.rule(forHost: host) {
            output.append(contentsOf: rule.redactedPath(path, placeholder: placeholder))
        } else {
            output.append(contentsOf: path)
        }
        guard keepingQuery else { return output }

        // The query (`?…`) and the fragment (`#…`) are both read as `name=value` pairs separated by `&`.
        var index = pathEnd
        while index < url.endIndex {
            let delimiter = url[index]
            let partEnd =
                delimiter == UInt8(ascii: "?")
                ? (url[(index + 1)...].firstIndex(of: UInt8(ascii: "#")) ?? url.endIndex) : url.endIndex
            output.append(delimiter)
            output.append(contentsOf: redactedParameters(url[(index + 1)..<partEnd]))
            index = partEnd
        }
        return output
    }

    private static func isAuthorityEnd(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#")
    }

    /// The host of an authority without userinfo: lowercased, without port or IPv6 brackets.
    private static func hostName(_ authority: ArraySlice<UInt8>) -> [UInt8] {
        let host: ArraySlice<UInt8>
        if authority.first == UInt8(ascii: "[") {
            host = authority.prefix { $0 != UInt8(ascii: "]") }.dropFirst()
        } else {
            host = authority.prefix { $0 != UInt8(ascii: ":") }
        }
        return host.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 | 0x20 : $0 }
    }

    /// `name=value&…` with the values of secret-looking names replaced.
    private static func redactedParameters(_ parameters: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(parameters.count)
        var first = true
        for pair in parameters.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false) {
            if !first { output.append(UInt8(ascii: "&")) }
            first = false
            guard let equals = pair.firstIndex(of: UInt8(ascii: "=")),
                equals + 1 < pair.endIndex,
                SecretParameterName.matches(pair[pair.startIndex..<equals])
            else {
                output.append(contentsOf: pair)
                continue
            }
            output.append(contentsOf: pair[pair.startIndex...equals])
            output.append(contentsOf: placeholder)
        }
        return output
    }
}
