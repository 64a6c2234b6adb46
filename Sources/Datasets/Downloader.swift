import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Downloads a data set's files from a mirror, verifies each, and moves it into place atomically.
/// A file that does not verify is refused and nothing of it is left behind.
public enum Downloader {
    /// Fetches every file of `spec` not yet present and valid in `directory`. `progress` receives one line
    /// per event (or a progress bar update).
    public static func fetch(_ spec: DatasetSpec, into directory: String, mirror: String? = nil,
                             progress: (String) -> Void = { _ in }) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let mirrors = mirror.map { [$0.hasSuffix("/") ? $0 : $0 + "/"] } ?? spec.mirrors
        for file in spec.files {
            let target = (directory as NSString).appendingPathComponent(file.name + ".gz")
            if let existing = DataLocator.path(of: file, in: directory),
               let bytes = try? IDXReader.readFileBytes(existing),
               (try? FileVerification.verify(bytes, against: file, path: existing)) != nil {
                progress("\(existing): present and verified")
                continue
            }
            var lastError: Error = DataError(target, "no mirror to download from")
            var done = false
            for base in mirrors where !done {
                let url = base + file.name + ".gz"
                do {
                    progress("downloading \(url)")
                    let bytes = try download(url)
                    _ = try FileVerification.verify(bytes, against: file, path: url)
                    try AtomicFile.write(bytes, to: target)
                    progress("\(target): \(bytes.count) bytes, verified")
                    done = true
                } catch {
                    lastError = error
                    progress("\(error)")
                }
            }
            if !done { throw lastError }
        }
    }

    /// The body of a GET request; non-2xx statuses and transport errors become `DataError`s.
    static func download(_ urlString: String) throws -> [UInt8] {
        guard let url = URL(string: urlString) else { throw DataError(urlString, "not a valid URL") }
        let box = ResultBox()
        let task = URLSession.shared.dataTask(with: url) { data, response, error in
            if let error {
                box.result = .failure(DataError(urlString, "download failed: \(error.localizedDescription)"))
            } else if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
                box.result = .failure(DataError(urlString, "download failed: HTTP status \(http.statusCode)"))
            } else {
                box.result = .success([UInt8](data ?? Data()))
            }
            box.semaphore.signal()
        }
        task.resume()
        box.semaphore.wait()
        return try box.result!.get()
    }

    private final class ResultBox: @unchecked Sendable {
        let semaphore = DispatchSemaphore(value: 0)
        var result: Result<[UInt8], Error>?
    }
}
