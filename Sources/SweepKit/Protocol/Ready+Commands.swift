extension Wire.Ready {
    /// The capability of a worker started with `--allow-commands`: it runs command cells.
    /// Announced in READY's capability list, which every coordinator reads and an older one
    /// ignores, so the message's layout is unchanged (docs/protocol.md, "READY").
    public static let commandsCapability = "commands"
    /// The capability prefix of a worker tag (`--tags gpu` → `"tag:gpu"`).
    public static let tagCapabilityPrefix = "tag:"

    /// The capabilities that announce `allowCommands` and `tags`.
    public static func commandCapabilities(allowCommands: Bool, tags: [String]) -> [String] {
        (allowCommands ? [commandsCapability] : []) + tags.map { tagCapabilityPrefix + $0 }
    }

    /// What a capability list says about command cells: whether the worker runs them, and its tags.
    public static func commandProfile(of capabilities: [String]) -> (runsCommands: Bool, tags: Set<String>) {
        let tags = capabilities.filter { $0.hasPrefix(tagCapabilityPrefix) }.map { String($0.dropFirst(tagCapabilityPrefix.count)) }
        return (capabilities.contains(commandsCapability), Set(tags))
    }
}
