import Foundation
import Hummingbird

/// A refused request: its status and a JSON body naming the problem (and the parameter, when one is at fault).
struct APIError: Error, HTTPResponseError {
    /// The JSON body of every refusal.
    struct Body: Codable {
        let error: String
        let parameter: String?
    }

    let status: HTTPResponse.Status
    let message: String
    let parameter: String?
    /// Seconds after which trying again may succeed (503 when the server is busy or still loading).
    let retryAfter: Int?

    init(_ status: HTTPResponse.Status, _ message: String, parameter: String? = nil, retryAfter: Int? = nil) {
        self.status = status
        self.message = message
        self.parameter = parameter
        self.retryAfter = retryAfter
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try JSONResponse.make(Body(error: message, parameter: parameter), status: status)
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }
}

/// JSON responses of the API, encoded from `Codable` types with sorted keys.
enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}
