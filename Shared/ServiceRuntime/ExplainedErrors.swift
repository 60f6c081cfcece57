public import Hummingbird

/// Refusals that Hummingbird gives without a word — an unknown endpoint or method, a body over
/// the size limit — get a message that says what to do instead.
public struct ExplainedErrors<Context: RequestContext>: RouterMiddleware {
    /// The service's endpoints, for the "no such endpoint" message.
    let endpoints: String

    public init(endpoints: String) { self.endpoints = endpoints }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.body == nil && error.status == .notFound {
            throw HTTPError(.notFound, message: "no endpoint \(request.method) \(request.uri.path); this service has: \(endpoints)")
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge && (error as? HTTPError)?.body == nil {
            // NIO's "too many bytes" (a body over the upload limit) says nothing by itself.
            throw HTTPError(
                .contentTooLarge,
                message:
                    "the request body is larger than this service accepts (\(context.maxUploadSize) bytes); requests here are a few hundred bytes of JSON"
            )
        }
    }
}
