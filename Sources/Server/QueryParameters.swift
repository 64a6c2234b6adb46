import Foundation
import Hummingbird

/// The query parameters of a request, read with bounds: a bad one is a 400 that names it.
///
/// Values are decoded as a form would send them (`+` is a space, `%XX` a byte of UTF-8). A parameter given
/// twice, or holding a control character (`%00` would cut a value short in C code), is refused rather than
/// guessed at.
struct QueryParameters: Sendable {
    private let values: [String: String]

    init(request: Request) throws {
        var values: [String: String] = [:]
        for pair in (request.uri.query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let shown = String(parts[0].prefix(40))
            let name = try Self.decode(parts[0], parameter: shown)
            let value = parts.count > 1 ? try Self.decode(parts[1], parameter: name) : ""
            guard values[name] == nil else { throw APIError(.badRequest, "\(name.prefix(40)) is given more than once", parameter: name) }
            values[name] = value
        }
        self.values = values
    }

    static func decode(_ text: Substring, parameter: String) throws -> String {
        guard let decoded = text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding else {
            throw APIError(.badRequest, "\(parameter) is not valid percent-encoded UTF-8", parameter: parameter)
        }
        guard !decoded.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw APIError(.badRequest, "\(parameter) holds a control character (such as %00)", parameter: parameter)
        }
        return decoded
    }

    func string(_ name: String) -> String? { values[name] }

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
