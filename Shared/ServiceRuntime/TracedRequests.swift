import Hummingbird
import ServiceAPI

/// A server span per request (Hummingbird's `TracingMiddleware`: it continues an incoming W3C
/// `traceparent`), but none for the probes and scrapes (`/health`, `/live`, `/metrics`) that
/// arrive every few seconds and would bury the requests people trace.
struct TracedRequests<Context: RequestContext>: RouterMiddleware {
    private let tracing = TracingMiddleware<Context>()
    private let untraced: Set<String> = Set(
        [OperationalEndpoints.health, OperationalEndpoints.live, OperationalEndpoints.metrics].map(\.template))

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if untraced.contains(request.uri.path) { return try await next(request, context) }
        return try await tracing.handle(request, context: context, next: next)
    }
}
