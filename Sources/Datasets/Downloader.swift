import Files
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
                             progress: @escaping (String) -> Void = { _ in }) throws {
        let existed = FileManager.default.fileExists(atPath: directory)
        try DirectoryCreation.create(directory)
        // A download that fails leaves no empty folder it made (a mistyped --data-dir, no network).
        var finished = false
        defer { if !existed && !finished { rmdir(directory) } }
        let mirrors = mirror.map { [$0.hasSuffix("/") ? $0 : $0 + "/"] } ?? spec.mirrors
        for file in spec.files {
            let target = (directory as NSString).appendingPathComponent(file.name + ".gz")
            if let existing = DataLocator.path(of: file, in: directory),
               (try? FileVerification.verify(path: existing, against: file)) != nil {
                progress("\(existing): present and verified")
                continue
            }
            var lastError: Error = FileError(target, "no mirror to download from")
            var done = false
            for base in mirrors where !done {
                let url = base + file.name + ".gz"
                do {
                    progress("downloading \(url)")
                    let bytes = try download(url, sizeLimit: FileVerification.maximumStoredSize(file), progress: progress)
                    _ = try FileVerification.verify(bytes, against: file, path: url)
                    try AtomicFile.write(bytes, to: target)
                    progress("\(target): \(bytes.count) bytes, verified")
                    done = true
                } catch {
                    lastError = error
                    if base != mirrors.last { progress("\(error); trying the next mirror") }
                }
            }
            if !done { throw lastError }
        }
        finished = true
    }

    /// The body of a GET request; non-2xx statuses and transport errors become `FileError`s.
    /// `progress` receives "name: 40% of 9.9 MB" lines as the body arrives (every 10%). A body that announces
    /// or reaches more than `sizeLimit` bytes is cut off and refused.
    static func download(_ urlString: String, sizeLimit: Int = 1 << 30, progress: @escaping (String) -> Void = { _ in }) throws -> [UInt8] {
        guard let url = URL(string: urlString) else { throw FileError(urlString, "not a valid URL") }
        let receiver = Receiver(name: url.lastPathComponent, sizeLimit: sizeLimit, progress: progress)
        let session = URLSession(configuration: .ephemeral, delegate: receiver, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        session.dataTask(with: url).resume()
        receiver.done.wait()
        if receiver.tooLarge {
            throw FileError(urlString, "download refused: more than \(sizeLimit) bytes, larger than any copy of the file can be")
        }
        if let error = receiver.error {
            throw FileError(urlString, "download failed: \(error.localizedDescription)")
        }
        if let status = receiver.status, !(200..<300).contains(status) {
            throw FileError(urlString, "download failed: HTTP status \(status)")
        }
        return [UInt8](receiver.body)
    }

    /// Collects a response body and reports progress; URLSession calls it on its own serial queue.
    private final class Receiver: NSObject, URLSessionDataDelegate, @unchecked Sendable {
        let name: String
        let sizeLimit: Int
        let progress: (String) -> Void
        /// Set when the body announced or reached more than `sizeLimit` bytes (the task is then cancelled).
        var tooLarge = false
        let done = DispatchSemaphore(value: 0)
        var body = Data(), status: Int?, error: Error?, expected: Int64 = -1, reported = 0

        init(name: String, sizeLimit: Int, progress: @escaping (String) -> Void) {
            self.name = name
            self.sizeLimit = sizeLimit
            self.progress = progress
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
            status = (response as? HTTPURLResponse)?.statusCode
            expected = response.expectedContentLength
            if expected > Int64(sizeLimit) {
                tooLarge = true
                return completionHandler(.cancel)
            }
            completionHandler(.allow)
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
            guard !tooLarge else { return }
            guard body.count + data.count <= sizeLimit else {
                tooLarge = true
                body = Data()
                dataTask.cancel()
                return
            }
            body.append(data)
            guard expected > 0, let status, (200..<300).contains(status) else { return }
            let percent = Int(Int64(body.count) * 100 / expected)
            if percent >= reported + 10 {
                reported = percent / 10 * 10
                progress(String(format: "%@: %d%% of %.1f MB", name, reported, Double(expected) / 1e6))
            }
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
            self.error = error
            done.signal()
        }
    }
}
