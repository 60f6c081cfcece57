import Foundation
public import Hummingbird
import HummingbirdAuth

/// The bearer token that endpoints changing what an operator cares about (`POST /replay`, which
/// can swap a read model) require once one is configured: `FOODDELIVERY_OPERATOR_TOKEN`, or a
/// file holding it (`FOODDELIVERY_OPERATOR_TOKEN_FILE`, a mounted secret). Queries stay open.
/// Without a token every endpoint is open, as in the local simulation.
public struct OperatorToken: Sendable {
    /// The environment variables (and, through `ServiceEnvironment`, the flags) that configure it.
    public static let variable = "FOODDELIVERY_OPERATOR_TOKEN"
    public static let fileVariable = "FOODDELIVERY_OPERATOR_TOKEN_FILE"

    private let token: String?

    public var isConfigured: Bool { token != nil }

    /// `token`, or the contents of `file` without surrounding whitespace; neither: no token. A
    /// token given but empty is refused rather than read as "open".
    public init(token: String?, file: String?) throws {
        switch (token, file) {
        case (.some, .some):
            throw ConfigurationError("give the operator token (\(Self.variable)) or a file holding it (\(Self.fileVariable)), not both")
        case (.some(let token), nil):
            guard !token.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw ConfigurationError("\(Self.variable) is set but empty: unset it (no token: POST /replay open) or give a token")
            }
            self.token = token
        case (nil, .some(let file)):
            let contents: String
            do {
                contents = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw ConfigurationError(
                    "cannot read the operator token from \(file) (\(Self.fileVariable)): \(error.localizedDescription); "
                        + "create it (openssl rand -hex 32 > \(file)) or mount the secret there")
            }
            let trimmed = contents.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw ConfigurationError("\(file) (\(Self.fileVariable)) is empty; write the token into it") }
            self.token = trimmed
        case (nil, nil):
            self.token = nil
        }
    }

    /// The request header that carries `token`.
    public static func authorization(_ token: String) -> (name: String, value: String) { ("Authorization", "Bearer \(token)") }

    /// Throws 401 unless the request carries `Authorization: Bearer <token>` (when a token is
    /// configured). `action` names what was refused.
    public func authorize(_ request: Request, to action: String) throws {
        guard let token else { return }
        guard let presented = request.headers.bearer?.token, Self.same(presented, token) else {
            throw HTTPError(
                .unauthorized, headers: [.wwwAuthenticate: "Bearer"],
                message:
                    "\(action) needs the operator token: send Authorization: Bearer <the token this service was given in \(Self.variable) or \(Self.fileVariable)>"
            )
        }
    }

    /// Compares without returning early at the first difference, so the time taken does not say
    /// how much of a guess was right.
    static func same(_ presented: String, _ token: String) -> Bool {
        let a = Array(presented.utf8)
        let b = Array(token.utf8)
        var difference: UInt8 = a.count == b.count ? 0 : 1
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }

    public struct ConfigurationError: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}
