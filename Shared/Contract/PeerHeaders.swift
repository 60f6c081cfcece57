/// The HTTP headers between instances of one scaled-out service (`PeerRouting`).
public enum PeerHeaders {
    /// On a forwarded request: it was forwarded once already, so it is answered, not forwarded.
    public static let forwarded = "x-fooddelivery-forwarded"
    /// On a forwarded answer: the partitions it covers (comma-separated).
    public static let partitions = "x-fooddelivery-partitions"
    /// On a forwarded answer: the group member that answered.
    public static let member = "x-fooddelivery-member"
}
