extension ResultDocument {
    /// The default cap on a document's encoded size (`MAX_RESULT_BYTES`): 4,259,840 bytes, that is
    /// ``defaultMaxBytes(maxOutputBytes:)`` of the default `MAX_OUTPUT_BYTES` (1 MiB).
    package static let defaultMaxBytes = 4 * 1_048_576 + 65_536

    /// The cap that fits `maxOutputBytes` (`MAX_OUTPUT_BYTES`): 4 × `maxOutputBytes` + 64 KiB.
    ///
    /// stdout and stderr are each kept up to `maxOutputBytes` raw bytes; text, newlines, tabs, quotes and
    /// backslashes take at most 2 bytes each once escaped, so any such output kept in full fits uncut (2 × 2 ×
    /// `maxOutputBytes`), and 64 KiB holds the other fields. Only output made of other control characters,
    /// written 6 bytes each (`\u0000`), is cut further: a NUL flood that would make a 12 MiB document makes one of
    /// about 4 MiB, well under what `cloudmesh-worker result` accepts (16 MiB).
    package static func defaultMaxBytes(maxOutputBytes: Int) -> Int {
        let (outputs, overflow) = max(0, maxOutputBytes).multipliedReportingOverflow(by: 4)
        return overflow ? Int.max : outputs.addingReportingOverflow(65_536).overflow ? Int.max : outputs + 65_536
    }

    /// Cuts stdout and stderr until the encoded document is at most `maxBytes` long.
    ///
    /// Each keeps its head, cut on a character boundary, and its `stdout_truncated`/`stderr_truncated` flag is
    /// set when it is cut. The room left by the other fields is shared fairly: each stream gets half, and what
    /// one does not need goes to the other. Every other field is kept whole, so a cap smaller than those fields
    /// leaves a document with empty stdout and stderr that is still larger than the cap. Field order and byte
    /// format do not change, and the result is always valid JSON.
    package mutating func capEncodedSize(to maxBytes: Int) {
        let stdoutLength = OrderedJSON.encodedLength(ofUTF8: stdout.utf8)
        let stderrLength = OrderedJSON.encodedLength(ofUTF8: stderr.utf8)
        var skeleton = self
        skeleton.stdout = ""
        skeleton.stderr = ""
        let room = max(0, maxBytes - skeleton.bytes.count)
        guard stdoutLength + stderrLength > room else { return }
        let half = room / 2
        let stdoutRoom: Int
        let stderrRoom: Int
        if stdoutLength <= half {
            (stdoutRoom, stderrRoom) = (stdoutLength, room - stdoutLength)
        } else if stderrLength <= room - half {
            (stdoutRoom, stderrRoom) = (room - stderrLength, stderrLength)
        } else {
            (stdoutRoom, stderrRoom) = (half, room - half)
        }
        if stdoutLength > stdoutRoom {
            stdout = Self.head(of: stdout, encodedLength: stdoutRoom)
            stdoutTruncated = true
        }
        if stderrLength > stderrRoom {
            stderr = Self.head(of: stderr, encodedLength: stderrRoom)
            stderrTruncated = true
        }
    }

    /// The longest run of whole characters at the start of `text` that takes at most `limit` bytes once
    /// written as a JSON string.
    static func head(of text: String, encodedLength limit: Int) -> String {
        var used = 0
        var end = text.startIndex
        for index in text.indices {
            let cost = OrderedJSON.encodedLength(ofUTF8: text[index].utf8)
            if used + cost > limit { break }
            used += cost
            end = text.index(after: index)
        }
        return String(text[..<end])
    }
}
