/// Bounds on what reading an archive may cost; the defaults suit office documents.
///
/// Every limit is checked against what is actually inflated, not only against what the
/// archive declares, so an archive that lies about its sizes is still stopped.
public struct ZipLimits: Sendable, Equatable {
    /// The most bytes one entry may inflate to.
    public var maxEntrySize: Int64
    /// The most bytes all entries read from one archive may inflate to, together.
    public var maxTotalSize: Int64
    /// The highest uncompressed/compressed ratio accepted for entries above `ratioThreshold`.
    public var maxCompressionRatio: Int64
    /// Entries smaller than this are not checked for their ratio (tiny parts compress well).
    public var ratioThreshold: Int64
    /// The most entries the central directory may list.
    public var maxEntryCount: Int

    /// Limits from their values; the defaults suit office documents.
    public init(
        maxEntrySize: Int64 = 1 << 30,
        maxTotalSize: Int64 = 4 << 30,
        maxCompressionRatio: Int64 = 400,
        ratioThreshold: Int64 = 4 << 20,
        maxEntryCount: Int = 50_000
    ) {
        self.maxEntrySize = maxEntrySize
        self.maxTotalSize = maxTotalSize
        self.maxCompressionRatio = maxCompressionRatio
        self.ratioThreshold = ratioThreshold
        self.maxEntryCount = maxEntryCount
    }

    /// The limits office documents are read under.
    public static let `default` = ZipLimits()
}
