import QuireLLM

/// The built-in backend's answer to a question: no model to write one, so the passages that
/// hold most of the question's words are quoted — the sentences of each that hold them —
/// with their numbers, which the output resolves to file and anchor: at most three, those
/// that hold as many of them as the best. When no passage holds at least half of the
/// question's words (all of them for a question of one or two words after the common ones
/// are left out), the answer is ``AskTask/notFound``.
enum OfflineAsk {
    static func answer(_ request: ChatRequest) -> String {
        let question = request.metadata[AskTask.questionKey] ?? ""
        let wanted = PassageIndex.queryWords(question)
        let blocks = ContentFence.blocks(in: request.messages.last?.content ?? "")
        guard !wanted.isEmpty else { return AskTask.notFound }
        // Most of the question's words, not one of them: "the CEO's salary" is not answered
        // by a passage about a salary review.
        let needed = wanted.count <= 2 ? wanted.count : (wanted.count + 1) / 2
        // The passages holding the most of the question's words, in the order retrieval
        // ranked them: a passage that shares only the common part of the question (a column
        // name, the heading above a table) with the best one is left out.
        let matched = blocks.map { block in wanted.intersection(PassageIndex.words(block.content + " " + (block.attributes["where"] ?? ""))).count }
        let most = matched.max() ?? 0
        var chosen: [(key: String, sentences: [String])] = []
        for (block, count) in zip(blocks, matched) where count == most && count >= needed {
            guard let key = block.attributes["n"] else { continue }
            chosen.append((key, bestSentences(block.content, wanted: wanted)))
            if chosen.count == 3 { break }
        }
        guard !chosen.isEmpty else { return AskTask.notFound }
        let lead = chosen.count == 1 ? "The passage that answers the question best" : "The passages that answer the question best"
        var lines = [lead + " (offline, Quire quotes the files; a model would answer from them in its own words):", ""]
        for (key, sentences) in chosen { lines.append("- \"" + sentences.joined(separator: " ") + "\" [\(key)]") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The one or two sentences of `text` that hold most of `wanted`, in their order; the
    /// whole text when it is short.
    static func bestSentences(_ text: String, wanted: Set<String>) -> [String] {
        let flat = text.split(whereSeparator: { $0 == "\n" }).map { $0.trimmingSpaces() }.joined(separator: " ")
        guard flat.count > 300 else { return [flat] }
        var sentences: [String] = []
        var current = ""
        for character in flat {
            current.append(character)
            if character == "." || character == "!" || character == "?" {
                sentences.append(current.trimmingSpaces())
                current = ""
            }
        }
        if !current.trimmingSpaces().isEmpty { sentences.append(current.trimmingSpaces()) }
        let scored = sentences.enumerated().map { k, sentence in (k, wanted.intersection(PassageIndex.words(sentence)).count) }
        let best = scored.filter { $0.1 > 0 }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(2).map(\.0).sorted()
        return best.isEmpty ? [String(flat.prefix(300))] : best.map { sentences[$0] }
    }
}
