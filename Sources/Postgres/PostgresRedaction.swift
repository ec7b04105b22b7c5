/// Removes passwords from text before it can reach an error description or a log line.
public enum PostgresRedaction {
    /// The text that replaces a password.
    public static let mask = "****"

    /// `text` with every password hidden: the `user:PASSWORD@` part of any URL, the value of any
    /// `password=` key (conninfo or URL query), and every literal occurrence of `secrets`.
    ///
    /// O(n) in the length of `text` per pattern.
    public static func redact(_ text: String, secrets: [String] = []) -> String {
        var out = redactURLUserInfo(in: text)
        out = redactKeyValue(in: out, key: "password")
        for secret in secrets where !secret.isEmpty {
            out = out.replacingAll(secret, with: mask)
        }
        return out
    }

    /// `scheme://user:secret@host` → `scheme://user:****@host`.
    static func redactURLUserInfo(in text: String) -> String {
        var chars = Array(text)
        var result: [Character] = []
        result.reserveCapacity(chars.count)
        var i = 0
        while i < chars.count {
            if i + 2 < chars.count, chars[i] == ":", chars[i + 1] == "/", chars[i + 2] == "/" {
                result.append(contentsOf: "://")
                i += 3
                // The authority ends at the first '/', '?', '#', whitespace or quote; userinfo ends at its last '@'.
                var end = i
                while end < chars.count, !"/?# \t\n\"'".contains(chars[end]) { end += 1 }
                let authority = chars[i..<end]
                if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                    result.append(contentsOf: chars[i...colon])
                    result.append(contentsOf: mask)
                    result.append(contentsOf: chars[at..<end])
                } else {
                    result.append(contentsOf: authority)
                }
                i = end
            } else {
                result.append(chars[i])
                i += 1
            }
        }
        chars = result
        return String(chars)
    }

    /// `password=secret` / `password = 'se cret'` / `?password=secret&` → value masked.
    static func redactKeyValue(in text: String, key: String) -> String {
        let chars = Array(text)
        let keyChars = Array(key.lowercased())
        var result: [Character] = []
        var i = 0
        while i < chars.count {
            let matches = i + keyChars.count <= chars.count
                && zip(chars[i..<(i + keyChars.count)], keyChars).allSatisfy { $0.lowercased() == String($1) }
                && (i == 0 || !(chars[i - 1].isLetter || chars[i - 1].isNumber || chars[i - 1] == "_"))
            guard matches else { result.append(chars[i]); i += 1; continue }
            var j = i + keyChars.count
            while j < chars.count, chars[j] == " " { j += 1 }
            guard j < chars.count, chars[j] == "=" else { result.append(chars[i]); i += 1; continue }
            j += 1
            while j < chars.count, chars[j] == " " { j += 1 }
            result.append(contentsOf: chars[i..<j])
            result.append(contentsOf: mask)
            if j < chars.count, chars[j] == "'" {
                j += 1
                while j < chars.count, chars[j] != "'" { if chars[j] == "\\" { j += 1 }; j += 1 }
                j += 1
            } else {
                while j < chars.count, !" \t\n&\"'".contains(chars[j]) { j += 1 }
            }
            i = min(j, chars.count)
        }
        return String(result)
    }
}

extension String {
    /// Every non-overlapping occurrence of `target` replaced, without Foundation.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        out += rest
        return out
    }
}
