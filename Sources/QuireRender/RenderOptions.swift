public import QuireModel

/// What the renderers include and how they show tracked changes.
public struct RenderOptions: Sendable, Equatable {
    /// Tracked changes: accepted (the default), review (both, marked) or original.
    public var changes: ChangeView
    /// Page headers and footers, in a section after the body (off by default: they
    /// repeat on every page and mostly add noise to a prompt).
    public var includeHeadersAndFooters: Bool
    /// Footnotes and endnotes after the body.
    public var includeNotes: Bool
    /// Review comments after the body, with their anchored text.
    public var includeComments: Bool
    /// Hidden text (Word's `w:vanish`), which Word does not show: left out by default, since a
    /// reader never sees it (and text a reader cannot see has no place in a prompt).
    public var includeHidden: Bool = false

    /// Options; by default changes accepted, notes and comments shown, headers and footers left out.
    public init(
        changes: ChangeView = .accepted, includeHeadersAndFooters: Bool = false, includeNotes: Bool = true,
        includeComments: Bool = true, includeHidden: Bool = false
    ) {
        self.changes = changes
        self.includeHeadersAndFooters = includeHeadersAndFooters
        self.includeNotes = includeNotes
        self.includeComments = includeComments
        self.includeHidden = includeHidden
    }
}
