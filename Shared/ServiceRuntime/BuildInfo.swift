/// The release of this package: `fooddelivery --version`, and `fooddelivery_build_info` on every
/// service's `/metrics`. Raised with each change of the events' contract or the operator's
/// interface.
public enum BuildInfo {
    public static let version = "0.28.0"
}
