public import QuireLLM

/// How much a request may hold: the context window of the backend that will answer and
/// the room its answer needs.
public struct PromptBudget: Sendable, Equatable {
    /// The tokens the backend reads and writes in one request.
    public var contextWindow: Int
    /// The tokens kept for the answer.
    public var maxOutputTokens: Int

    /// A budget from a backend's window and its answer room.
    public init(contextWindow: Int, maxOutputTokens: Int) {
        self.contextWindow = contextWindow
        self.maxOutputTokens = maxOutputTokens
    }

    /// Tokens left for content once the instructions (`overhead`) and the answer are
    /// counted, with a tenth kept back because the estimate is only an estimate.
    public func contentTokens(overhead: Int) -> Int {
        max(0, (contextWindow - maxOutputTokens - overhead) * 9 / 10)
    }
}

/// The requests a task sends: one request, or — when the content does not fit — one
/// request per chunk whose answers the final request combines (map-reduce). Partial
/// answers too long for one request are combined in rounds.
public enum TaskPlan: Sendable {
    /// One request.
    case single(ChatRequest)
    /// A request per chunk, then one combining the answers.
    case mapReduce(MapReduce)

    /// A map-reduce plan: the chunks, the request for each, and the combining request.
    public struct MapReduce: Sendable {
        /// The content, cut at section boundaries.
        public var chunks: [Chunker.Chunk]
        /// The request for chunk `index` of `count` (also used to condense partial answers).
        public var part: @Sendable (_ chunk: Chunker.Chunk, _ index: Int, _ count: Int) -> ChatRequest
        /// The final request over the partial answers, in order.
        public var combine: @Sendable (_ partials: [String]) -> ChatRequest
        /// How many tokens of partial answers the final request can hold.
        public var combineBudget: Int
    }
}

/// Options every task understands; each uses the ones that apply to it.
public struct TaskOptions: Sendable, Equatable {
    /// How long an answer should be.
    public enum Length: String, Sendable, CaseIterable {
        /// A few lines.
        case short
        /// A paragraph or a handful of bullets.
        case medium
        /// As long as the content calls for.
        case long
    }
    /// How an answer is laid out.
    public enum Style: String, Sendable, CaseIterable {
        /// A bulleted list.
        case bullets
        /// Paragraphs.
        case prose
    }

    /// How long the answer should be.
    public var length: Length
    /// Bullets or prose.
    public var style: Style
    /// What to concentrate on, in the user's words.
    public var focus: String?
    /// The language to write in (nil: the content's own).
    public var language: String?
    /// The tone of a draft or reply (`friendly`, `formal`…).
    public var tone: String?
    /// Further instructions, passed to the model as they are.
    public var instructions: String?
    /// Ask for a streamed answer.
    public var stream: Bool

    /// Options; each task uses the ones that apply to it.
    public init(
        length: Length = .medium, style: Style = .bullets, focus: String? = nil, language: String? = nil, tone: String? = nil,
        instructions: String? = nil, stream: Bool = true
    ) {
        self.length = length
        self.style = style
        self.focus = focus
        self.language = language
        self.tone = tone
        self.instructions = instructions
        self.stream = stream
    }

    /// Answer tokens for a final answer of this length (a route's own limit wins).
    public var outputTokens: Int {
        switch length {
        case .short: 400
        case .medium: 900
        case .long: 2000
        }
    }

    /// The words a summary of this length aims at.
    public var words: String {
        switch length {
        case .short: "about 80 words (3 to 5 points)"
        case .medium: "about 200 words"
        case .long: "about 500 words, covering every section"
        }
    }
}

/// Metadata keys tasks set on their requests (for the built-in backend and logs; never
/// sent to a provider).
public enum TaskMetadata {
    /// The task's name (`summarise`, `analyse-table`…).
    public static let task = BuiltinBackend.taskKey
    /// The requested length.
    public static let length = "length"
    /// The requested style.
    public static let style = "style"
    /// The focus, when given.
    public static let focus = "focus"
    /// The file the content came from.
    public static let file = "file"
    /// "part 2/5", "combine 5" or absent.
    public static let step = "step"
}

/// A task: what it is called (its route in the config) and the requests it makes.
public protocol QuireTask: Sendable {
    /// The route name in the config: summarise, draft, analyse-table, reply, or a user task.
    var routeName: String { get }
    /// The requests for a backend with this budget: one, or a map-reduce over chunks.
    func plan(_ budget: PromptBudget) -> TaskPlan
    /// Checks and labels a finished answer (the analysis flags numbers absent from its profile).
    func review(_ answer: String) -> [String]
}

extension QuireTask {
    public func review(_ answer: String) -> [String] { [] }
}
