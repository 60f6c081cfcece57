public import Hummingbird
public import ServiceAPI

extension RouterMethods {
    /// Serves `route` with `closure`: the method and path come from the service's API description.
    @discardableResult public func on<Output: ResponseGenerator>(
        _ route: Route, use closure: @Sendable @escaping (Request, Context) async throws -> Output
    ) -> Self {
        on(RouterPath(route.routerPath), method: route.method == .get ? .get : .post, use: closure)
    }
}
