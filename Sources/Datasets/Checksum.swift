import Crypto

/// Hex SHA-256 of a set's pixels, then its labels (little-endian int32), hashed in place.
public func sha256Hex(_ images: LabeledImages) -> String {
    var hasher = SHA256()
    images.pixels.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    images.labels.map(\.littleEndian).withUnsafeBytes { hasher.update(bufferPointer: $0) }
    return hex(hasher.finalize())
}

/// Hex SHA-256 of bytes.
public func sha256Hex(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }

private func hex(_ digest: SHA256.Digest) -> String { digest.map { String(format: "%02x", $0) }.joined() }

import Foundation
