import Foundation

/// What `nmsweep report --format svg|pdf|png` draws: which panels, at what size, under what title.
public struct FigureOptions: Sendable, Equatable {
    /// A panel of the figure (the `--panels` names).
    public enum PanelKind: String, Sendable, CaseIterable {
        case id, ood
        case idEffect = "id-effect", oodEffect = "ood-effect"
        case sve, lsvr
    }

    /// The figure's size: the screen layout (pixels), a journal column, or a size in inches.
    public enum Size: Sendable, Equatable {
        /// 1,060 px wide, two panels a row (the default).
        case screen
        /// One column: 3.5 in wide, one panel a row.
        case single
        /// Two columns: 7.16 in wide, two panels a row.
        case double
        /// Width × height in inches.
        case inches(width: Double, height: Double)
    }

    public var panels: [PanelKind]
    public var size: Size
    /// Replaces the default title ("Sweep “name”: …").
    public var title: String?

    public static let defaultPanels: [PanelKind] = [.id, .ood, .idEffect, .oodEffect, .sve, .lsvr]

    public init(panels: [PanelKind] = FigureOptions.defaultPanels, size: Size = .screen, title: String? = nil) {
        self.panels = panels
        self.size = size
        self.title = title
    }

    /// Parses `--panels`: names separated by commas (`id,ood,sve`), or `all`.
    /// - Throws: ``SweepStoreError`` naming the unknown panel and the valid names.
    public static func parsePanels(_ text: String) throws -> [PanelKind] {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if names == ["all"] { return PanelKind.allCases }
        var panels = [PanelKind]()
        for name in names {
            guard let panel = PanelKind(rawValue: name) else {
                throw SweepStoreError(.invalidArgument, "--panels: unknown panel \"\(name)\"; panels: \(PanelKind.allCases.map(\.rawValue).joined(separator: ", ")) (or all)")
            }
            if !panels.contains(panel) { panels.append(panel) }
        }
        guard !panels.isEmpty else {
            throw SweepStoreError(.invalidArgument, "--panels is empty; panels: \(PanelKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return panels
    }

    /// Parses `--size`: `single`, `double`, `screen`, or `WxH` in inches (`7x4`), centimetres
    /// (`17.8x10cm`) or millimetres (`178x100mm`).
    /// - Throws: ``SweepStoreError`` naming the value and the accepted forms.
    public static func parseSize(_ text: String) throws -> Size {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        switch t {
        case "single": return .single
        case "double": return .double
        case "screen": return .screen
        default: break
        }
        var body = Substring(t)
        var unit = 1.0
        for (suffix, factor) in [("in", 1.0), ("cm", 1 / 2.54), ("mm", 1 / 25.4)] where body.hasSuffix(suffix) {
            body = body.dropLast(suffix.count)
            unit = factor
            break
        }
        let parts = body.split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let w = Double(parts[0]), let h = Double(parts[1]), w.isFinite, h.isFinite else {
            throw SweepStoreError(.invalidArgument, "--size \"\(text)\" is not single, double, screen or WxH (inches, e.g. 7x4; or 17.8x10cm, 178x100mm)")
        }
        let width = w * unit, height = h * unit
        guard width >= 1, height >= 1, width <= 40, height <= 40 else {
            throw SweepStoreError(.invalidArgument, "--size \"\(text)\": width and height must be between 1 and 40 inches, got \(String(format: "%.2f", width)) × \(String(format: "%.2f", height)) in")
        }
        return .inches(width: width, height: height)
    }

    /// Where panels go, in drawing units, and the physical size when printing.
    struct Layout {
        var columns: Int
        var panelWidth: Double
        var panelHeight: Double
        /// Physical width in inches (nil: pixels, the screen layout).
        var physical: (width: Double, height: Double?)?
    }

    /// Drawing units are chosen so that the 12-unit tick labels print at 7 pt at the physical size.
    func layout(panelCount: Int, legendRows: Int = 1) -> Layout {
        let unitsPerPoint = 12.0 / 7.0
        switch size {
        case .screen:
            return Layout(columns: panelCount == 1 ? 1 : 2, panelWidth: 520, panelHeight: 340, physical: nil)
        case .single:
            let width = 3.5 * 72 * unitsPerPoint
            return Layout(columns: 1, panelWidth: width - 20, panelHeight: (width - 20) * 0.66, physical: (3.5, nil))
        case .double:
            let width = 7.16 * 72 * unitsPerPoint
            let columns = panelCount == 1 ? 1 : 2
            let panel = (width - 20) / Double(columns)
            return Layout(columns: columns, panelWidth: panel, panelHeight: panel * 0.7, physical: (7.16, nil))
        case .inches(let w, let h):
            let width = w * 72 * unitsPerPoint
            let columns = min(panelCount, w >= 5 ? (panelCount >= 3 && w >= 9 ? 3 : 2) : 1)
            let rows = (panelCount + max(1, columns) - 1) / max(1, columns)
            let panel = (width - 20) / Double(max(1, columns))
            let top = 62.0 + 24.0 * Double(max(1, legendRows)) + 14
            let height = max(150, (h * 72 * unitsPerPoint - top - 10) / Double(max(1, rows)))
            return Layout(columns: max(1, columns), panelWidth: panel, panelHeight: height, physical: (w, h))
        }
    }
}

/// Converts an SVG figure to PDF or PNG with `rsvg-convert` (Debian's librsvg2-bin, installed by
/// `make deps`), the one converter that renders our SVG exactly (no browser, no fonts fetched).
public enum FigureConverter {
    public enum Format: String, Sendable { case pdf, png }

    /// The `rsvg-convert` on PATH, or nil.
    public static func converterPath() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/rsvg-convert"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Writes `svg` converted to `format` at `output`. PNG: 300 dpi for physical sizes, 2× for screen.
    /// - Throws: ``SweepStoreError`` when rsvg-convert is missing (what to install) or fails (its message).
    public static func convert(svg: String, to format: Format, output: String, physicalSize: Bool) throws {
        guard let converter = converterPath() else {
            throw SweepStoreError(.notFound, "--format \(format.rawValue) needs rsvg-convert, which is not on PATH",
                                  hint: "install librsvg2-bin (`make deps` does; or apt-get install librsvg2-bin), or use --format svg")
        }
        let input = NSTemporaryDirectory() + "nmsweep-figure-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).svg"
        do {
            try svg.write(toFile: input, atomically: false, encoding: .utf8)
        } catch {
            throw SweepStoreError(.invalidArgument, "cannot write the temporary figure \(input)", underlying: error)
        }
        defer { unlink(input) }
        var arguments = ["-f", format.rawValue, "-o", output]
        if format == .png { arguments += physicalSize ? ["-d", "300", "-p", "300"] : ["-z", "2"] }
        let outcome = try SystemCommand(executable: converter, arguments: arguments + [input], user: nil,
                                        workingDirectory: FileManager.default.currentDirectoryPath).run()
        guard outcome.status == 0 else {
            throw SweepStoreError(.invalidArgument, "rsvg-convert could not write \(output) (exit \(outcome.status)): \(outcome.output.suffix(1000))")
        }
    }
}
