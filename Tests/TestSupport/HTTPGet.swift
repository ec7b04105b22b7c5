import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP GET from a test (Foundation's URLSession), waiting at most `timeout` seconds.
public enum HTTPGet {
    public struct Reply: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: String
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// GETs `url`, with `Authorization: Bearer token` when a token is given.
    public static func fetch(_ url: String, token: String? = nil, timeout: Double = 10) throws -> Reply {
        guard let address = URL(string: url) else { throw Failure(description: "bad URL \(url)") }
        var request = URLRequest(url: address, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let box = ReplyBox()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let response = response as? HTTPURLResponse {
                var headers: [String: String] = [:]
                for (key, value) in response.allHeaderFields { headers["\(key)".lowercased()] = "\(value)" }
                box.set(.success(Reply(status: response.statusCode, headers: headers, body: String(decoding: data ?? Data(), as: UTF8.self))))
            } else {
                box.set(.failure(Failure(description: "GET \(url): \(error.map { "\($0)" } ?? "no response")")))
            }
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + timeout + 1) == .success, let result = box.get() else {
            throw Failure(description: "GET \(url): no answer within \(timeout) s")
        }
        return try result.get()
    }
}

private final class ReplyBox: @unchecked Sendable {
    // @unchecked Sendable: `result` is read and written under `lock` only.
    private let lock = NSLock()
    private var result: Result<HTTPGet.Reply, HTTPGet.Failure>?
    func set(_ value: Result<HTTPGet.Reply, HTTPGet.Failure>) { lock.lock(); result = value; lock.unlock() }
    func get() -> Result<HTTPGet.Reply, HTTPGet.Failure>? { lock.lock(); defer { lock.unlock() }; return result }
}
