/// A question a consumer service's read model answers: `fooddelivery query <service> <name>`
/// asks it, the dashboard links to it, the service serves it at `route`.
public struct Query: Sendable, Hashable {
    public let name: String
    public let route: Route
    /// A list answered a page at a time (`limit`, `offset`).
    public let paged: Bool
    /// Shown on the dashboard under this title (nil: not shown there).
    public let dashboardTitle: String?

    public init(_ name: String, _ template: String, paged: Bool = false, dashboardTitle: String? = nil) {
        self.name = name
        self.route = Route(.get, template)
        self.paged = paged
        self.dashboardTitle = dashboardTitle
    }

    /// Whether the question needs an id (`query support timeline <order id>`).
    public var needsID: Bool { !route.parameters.isEmpty }
}
