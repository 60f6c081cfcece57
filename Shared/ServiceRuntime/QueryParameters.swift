public import Hummingbird

/// Validation of what a query endpoint receives, written once: every bad value gets a 400 that
/// says what is allowed.
public enum QueryParameters {
    /// An id from a path: letters, digits, '-' and '_' only (ids go into SQL only as bound
    /// parameters, but a clear 400 beats an empty 404 for a typo'd URL).
    public static func identifier(_ text: String, kind: String, example: String) throws -> String {
        guard (1...64).contains(text.count), text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else {
            throw HTTPError(.badRequest, message: "\(kind) must be 1–64 letters, digits, '-' or '_' (e.g. \(example))")
        }
        return text
    }

    /// `?limit=` (1…`maxLimit`, default 50) and `?offset=` (0…1,000,000, default 0).
    public static func paging(_ request: Request, maxLimit: Int = 500) throws -> (limit: Int, offset: Int) {
        (try integer(request, "limit", default: 50, range: 1...maxLimit), try integer(request, "offset", default: 0, range: 0...1_000_000))
    }

    public static func integer(_ request: Request, _ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = request.uri.queryParameters.get(name) else { return fallback }
        guard let number = Int(text), range.contains(number) else {
            throw HTTPError(.badRequest, message: "\(name) must be a whole number in \(range.lowerBound)…\(range.upperBound)")
        }
        return number
    }

    /// An optional whole-number parameter.
    public static func optionalInteger(_ request: Request, _ name: String, range: ClosedRange<Int64>) throws -> Int64? {
        guard let text = request.uri.queryParameters.get(name) else { return nil }
        guard let number = Int64(text), range.contains(number) else {
            throw HTTPError(.badRequest, message: "\(name) must be a whole number in \(range.lowerBound)…\(range.upperBound)")
        }
        return number
    }

    /// One of a fixed set of words.
    public static func choice(_ request: Request, _ name: String, default fallback: String, allowed: [String]) throws -> String {
        guard let text = request.uri.queryParameters.get(name) else { return fallback }
        guard allowed.contains(text) else {
            throw HTTPError(.badRequest, message: "\(name) must be one of: \(allowed.joined(separator: ", "))")
        }
        return text
    }
}
