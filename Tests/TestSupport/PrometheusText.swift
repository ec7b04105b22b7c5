import Foundation

/// A strict reader of the Prometheus text exposition format (version 0.0.4), for tests of
/// `/metrics`: it refuses what a Prometheus server would refuse, and more — a line that does not
/// parse, a sample before its family's `# TYPE`, a family split in two, a series given twice, a
/// negative counter, histogram buckets that are not cumulative or lack `+Inf`, a `_count` unlike
/// the `+Inf` bucket, text not ending in a newline.
public struct PrometheusText {
    /// One sample line.
    public struct Sample: Equatable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    /// A metric family: its type and samples in the order written.
    public struct Family {
        public var name: String
        public var type: String
        public var help: String?
        public var samples: [Sample] = []
    }

    public struct ParseError: Error, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    public private(set) var families: [String: Family] = [:]

    /// Parses `text`; throws the first violation with its line number.
    public init(_ text: String) throws {
        guard text.isEmpty || text.hasSuffix("\n") else { throw ParseError(line: 0, message: "the text does not end with a newline") }
        var order: [String] = []
        var closed: Set<String> = []
        var seenSeries: Set<String> = []
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().enumerated() {
            let number = offset + 1
            let line = String(raw)
            func fail(_ message: String) -> ParseError { ParseError(line: number, message: "\(message): \(line)") }
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
                guard parts.count >= 3, parts[0] == "#", ["HELP", "TYPE"].contains(parts[1]) else { continue }
                let name = parts[2]
                guard Self.isMetricName(name) else { throw fail("bad metric name in \(parts[1])") }
                if parts[1] == "TYPE" {
                    guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else { throw fail("bad TYPE") }
                    if let existing = families[name], !existing.samples.isEmpty || existing.type != "untyped" { throw fail("a second TYPE for \(name)") }
                    if let last = order.last, last != name { closed.insert(last) }
                    if families[name] == nil { order.append(name) }
                    families[name, default: Family(name: name, type: "untyped")].type = parts[3]
                } else {
                    if let last = order.last, last != name { closed.insert(last) }
                    if families[name] == nil { order.append(name); families[name] = Family(name: name, type: "untyped") }
                    families[name]?.help = parts.count == 4 ? parts[3] : ""
                }
                continue
            }
            let sample = try Self.sample(line, fail: fail)
            guard let family = Self.family(of: sample.name, in: families) else { throw fail("a sample before its family's TYPE") }
            guard !closed.contains(family), order.last == family else { throw fail("the samples of \(family) are not together") }
            let series = sample.name + "{" + sample.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "}"
            guard seenSeries.insert(series).inserted else { throw fail("series \(series) given twice") }
            if families[family]!.type == "counter", !(sample.value >= 0) { throw fail("a counter below zero") }
            families[family]!.samples.append(sample)
        }
        for family in families.values where family.type == "histogram" { try Self.checkHistogram(family) }
    }

    /// The value of the one sample named `name` with exactly `labels`, or nil.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        guard let family = Self.family(of: name, in: families) else { return nil }
        return families[family]?.samples.first { $0.name == name && $0.labels == labels }?.value
    }

    static func family(of sampleName: String, in families: [String: Family]) -> String? {
        if families[sampleName] != nil { return sampleName }
        for suffix in ["_bucket", "_sum", "_count"] where sampleName.hasSuffix(suffix) {
            let base = String(sampleName.dropLast(suffix.count))
            if let family = families[base], family.type == "histogram" || family.type == "summary" { return base }
        }
        return nil
    }

    static func isMetricName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first == ":" || CharacterSet.letters.contains(first), first.isASCII else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0 == ":" || CharacterSet.alphanumerics.contains($0)) }
    }

    static func isLabelName(_ name: String) -> Bool {
        isMetricName(name) && !name.contains(":")
    }

    static func sample(_ line: String, fail: (String) -> ParseError) throws -> Sample {
        var rest = Substring(line)
        let nameEnd = rest.firstIndex { $0 == "{" || $0 == " " } ?? rest.endIndex
        let name = String(rest[..<nameEnd])
        guard isMetricName(name) else { throw fail("bad metric name") }
        rest = rest[nameEnd...]
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                guard let equals = rest.firstIndex(of: "=") else { throw fail("a label without =") }
                let label = String(rest[..<equals])
                guard isLabelName(label) else { throw fail("bad label name \(label)") }
                rest = rest[rest.index(after: equals)...]
                guard rest.first == "\"" else { throw fail("a label value not in quotes") }
                rest = rest.dropFirst()
                var value = ""
                while true {
                    guard let c = rest.first else { throw fail("an unterminated label value") }
                    rest = rest.dropFirst()
                    if c == "\"" { break }
                    if c == "\\" {
                        guard let escaped = rest.first else { throw fail("a dangling escape") }
                        rest = rest.dropFirst()
                        switch escaped {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw fail("a bad escape \\\(escaped)")
                        }
                    } else {
                        value.append(c)
                    }
                }
                guard labels.updateValue(value, forKey: label) == nil else { throw fail("label \(label) given twice") }
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" { throw fail("labels not separated by commas") }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw fail("no space before the value") }
        let fields = rest.dropFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard (1...2).contains(fields.count) else { throw fail("not `name{labels} value [timestamp]`") }
        let value: Double
        switch fields[0] {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default:
            guard let parsed = Double(fields[0]), !fields[0].hasPrefix("+"), fields[0].lowercased() != "inf", fields[0].lowercased() != "nan" else {
                throw fail("bad value \(fields[0])")
            }
            value = parsed
        }
        if fields.count == 2, Int64(fields[1]) == nil { throw fail("bad timestamp \(fields[1])") }
        return Sample(name: name, labels: labels, value: value)
    }

    /// Buckets cumulative per label set, `+Inf` present and equal to `_count`, a `_sum` for each.
    static func checkHistogram(_ family: Family) throws {
        var series: [[String: String]: (bounds: [(Double, Double)], count: Double?, sum: Double?)] = [:]
        for sample in family.samples {
            var labels = sample.labels
            if sample.name == family.name + "_bucket" {
                guard let le = labels.removeValue(forKey: "le") else { throw ParseError(line: 0, message: "\(family.name): a bucket without le") }
                let bound = le == "+Inf" ? Double.infinity : Double(le)
                guard let bound else { throw ParseError(line: 0, message: "\(family.name): bad le \(le)") }
                series[labels, default: ([], nil, nil)].bounds.append((bound, sample.value))
            } else if sample.name == family.name + "_count" {
                series[labels, default: ([], nil, nil)].count = sample.value
            } else if sample.name == family.name + "_sum" {
                series[labels, default: ([], nil, nil)].sum = sample.value
            } else {
                throw ParseError(line: 0, message: "\(family.name): sample \(sample.name) in a histogram")
            }
        }
        for (labels, s) in series {
            let name = "\(family.name)\(labels)"
            guard s.bounds.map(\.0) == s.bounds.map(\.0).sorted() else { throw ParseError(line: 0, message: "\(name): buckets not in increasing le") }
            guard zip(s.bounds, s.bounds.dropFirst()).allSatisfy({ $0.1 <= $1.1 }) else { throw ParseError(line: 0, message: "\(name): buckets not cumulative") }
            guard let last = s.bounds.last, last.0 == .infinity else { throw ParseError(line: 0, message: "\(name): no +Inf bucket") }
            guard let count = s.count, count == last.1 else { throw ParseError(line: 0, message: "\(name): _count differs from the +Inf bucket") }
            guard s.sum != nil else { throw ParseError(line: 0, message: "\(name): no _sum") }
        }
    }
}
