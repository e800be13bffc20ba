extension Duration {
    /// The duration in (fractional) seconds.
    public var inSeconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// The duration in whole nanoseconds, rounded toward zero and clamped to the range of `Int64`.
    public var inNanoseconds: Int64 {
        let parts = components
        let (product, overflow) = parts.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return parts.seconds < 0 ? .min : .max }
        let (sum, sumOverflow) = product.addingReportingOverflow(parts.attoseconds / 1_000_000_000)
        return sumOverflow ? (product < 0 ? .min : .max) : sum
    }

    /// The duration in whole milliseconds, rounded toward zero, or up when `roundingUp` (a timeout must not
    /// end early), clamped to the range of `Int64`.
    public func inMilliseconds(roundingUp: Bool = false) -> Int64 {
        let parts = components
        let (product, overflow) = parts.seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return parts.seconds < 0 ? .min : .max }
        let unit: Int64 = 1_000_000_000_000_000
        let fraction = parts.attoseconds / unit + (roundingUp && parts.attoseconds % unit > 0 ? 1 : 0)
        let (sum, sumOverflow) = product.addingReportingOverflow(fraction)
        return sumOverflow ? (product < 0 ? .min : .max) : sum
    }
}
