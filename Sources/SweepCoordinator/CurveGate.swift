import Foundation
import Logging
import ZeroMQ

/// The ROUTER's door: makes it a CURVE server with a ZAP domain, runs the ``ZAPAuthenticator``
/// that admits only the allow-listed worker keys, and reports refused handshakes at a bounded rate.
///
/// Refusals are logged (public key and address, never a secret) at most once per
/// ``reportIntervalMilliseconds``, with a count of what came in between, and each report is one
/// `connection_refused` event; however many clients knock, log and events grow by one line per interval.
final class CurveGate {
    /// The shortest time between two refusal reports, ms.
    static let reportIntervalMilliseconds: Int64 = 10_000

    let authenticator: ZAPAuthenticator
    private var lastReport: Int64?
    private var reported = 0

    /// Starts the handler in `context` and configures `router` (call before `router.bind`).
    init(_ curve: CoordinatorCurve, context: Context, router: Socket) throws {
        // The handler first: while none is bound, libzmq admits every CURVE client.
        authenticator = try ZAPAuthenticator(context: context, allowedPublicKeys: curve.allowedPublicKeys,
                                             domain: CoordinatorCurve.zapDomain)
        try router.makeCurveServer(curve.keyPair, zapDomain: CoordinatorCurve.zapDomain)
    }

    /// Handshakes refused so far.
    var refusedCount: Int { authenticator.deniedCount }

    /// Logs the refusals since the last report, if the interval has passed; returns the event to record.
    func reportRefusals(now: Int64, logger: Logger) -> (message: String, detail: String)? {
        if let lastReport, now - lastReport < Self.reportIntervalMilliseconds { return nil }
        let (denials, notKept) = authenticator.takeDenials()
        guard !denials.isEmpty else { return nil }
        lastReport = now
        let count = denials.count + notKept
        reported += count
        var seen: [String] = []
        for denial in denials {
            let who = "\(denial.publicKey.map { "key \($0)" } ?? "no CURVE key") from \(denial.address.isEmpty ? "?" : denial.address): \(denial.reason)"
            if !seen.contains(who) { seen.append(who) }
            if seen.count == 3 { break }
        }
        let message = "refused \(count) connection\(count == 1 ? "" : "s") (\(reported) in all): " + seen.joined(separator: "; ")
        logger.warning("\(message)")
        // Z85 has no quote or backslash, so the key goes into JSON as is.
        let keys = denials.compactMap(\.publicKey)
        let detail = "{\"refused\": \(count), \"total\": \(reported), \"public_keys\": [" + Set(keys).sorted().prefix(8)
            .map { "\"\($0)\"" }.joined(separator: ", ") + "]}"
        return (message, detail)
    }

    /// Stops the handler thread (after the ROUTER closed).
    func stop() { authenticator.stop() }
}
