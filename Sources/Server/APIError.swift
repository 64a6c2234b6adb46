import Foundation
import Hummingbird

/// A refused request: its status and a JSON body naming the problem (and the parameter, when one is at fault).
struct APIError: Error, HTTPResponseError {
    let status: HTTPResponse.Status
    let message: String
    let parameter: String?

    init(_ status: HTTPResponse.Status, _ message: String, parameter: String? = nil) {
        self.status = status
        self.message = message
        self.parameter = parameter
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var object: [String: String] = ["error": message]
        if let parameter { object["parameter"] = parameter }
        let body = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// The query parameters of a request, read with bounds: a bad one is a 400 that names it.
struct QueryParameters {
    let request: Request

    func string(_ name: String) -> String? { request.uri.queryParameters[name[...]].map(String.init) }

    func int(_ name: String, _ range: ClosedRange<Int>, default value: Int? = nil) throws -> Int {
        guard let text = string(name) else {
            if let value { return value }
            throw APIError(.badRequest, "\(name) is required", parameter: name)
        }
        guard let v = Int(text), range.contains(v) else {
            throw APIError(.badRequest, "\(name) must be an integer in \(range.lowerBound)...\(range.upperBound)", parameter: name)
        }
        return v
    }

    func double(_ name: String, _ range: ClosedRange<Double>, default value: Double) throws -> Double {
        guard let text = string(name) else { return value }
        guard let v = Double(text), range.contains(v) else {
            throw APIError(.badRequest, "\(name) must be a number in \(range.lowerBound)...\(range.upperBound)", parameter: name)
        }
        return v
    }

    func seed(_ name: String, default value: UInt64 = 1) throws -> UInt64 {
        guard let text = string(name) else { return value }
        guard let v = UInt64(text) else { throw APIError(.badRequest, "\(name) must be a whole number 0 or more", parameter: name) }
        return v
    }

    func choice(_ name: String, _ allowed: [String], default value: String) throws -> String {
        guard let text = string(name) else { return value }
        guard allowed.contains(text) else {
            throw APIError(.badRequest, "\(name) must be one of \(allowed.joined(separator: ", "))", parameter: name)
        }
        return text
    }
}
