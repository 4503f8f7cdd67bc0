/// A patch that could not be applied. The message is written for an API error body.
public struct PatchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which HTTP answer the failure deserves.
    public enum Code: Sendable, Hashable {
        /// The patch document itself is malformed (HTTP 400 BadRequest).
        case badRequest
        /// The patch is well formed but cannot be applied to this object (HTTP 422 Invalid).
        case unprocessable
    }

    /// Which HTTP answer the failure deserves.
    public var code: Code
    /// What went wrong, for the user.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }

    static func badRequest(_ message: String) -> PatchError { PatchError(.badRequest, message) }
    static func unprocessable(_ message: String) -> PatchError { PatchError(.unprocessable, message) }
}
