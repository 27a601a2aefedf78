extension QuireConfig {
    /// Task templates Quire ships for `quire run`: `rewrite` (shorter, more formal,
    /// friendlier, plain language — keeping every fact and number, checked) and `coach` (a
    /// draft mail's tone, clarity and missing asks). `quire config init` writes them into
    /// the starter config, `quire config template NAME` prints one to copy and change, and
    /// `quire run NAME` uses them when the config does not define the task's prompt.
    public static let shippedTaskTemplates = """
          # quire run rewrite FILE --var style="shorter" (or "more formal", "friendlier", "in plain language")
          rewrite:
            description: Rewrite a text shorter, more formal, friendlier or in plain language, keeping every fact and number.
            use: [claude, gpt]
            check: numbers      # numbers added or lost are flagged under the answer
            system: >-
              You are an editor of office documents and email. You rewrite a text so that it reads
              better for its readers, and you change nothing it says: every fact, name, date, number,
              amount and commitment stays exactly as written, and you add none.
            prompt: >-
              Rewrite the text below so that it is {{style}}. Keep its structure (headings, lists,
              tables) unless that style asks otherwise. Answer with the rewritten text only, without
              a preamble.


              {{content}}
          # quire run coach draft.eml (or a .docx or text file)
          coach:
            description: Coach a draft mail on tone, clarity and missing asks, without rewriting it.
            use: [claude, gpt]
            system: >-
              You are a writing coach for business email. You help writers improve their own drafts;
              you do not rewrite the draft for them, and you quote their words when you point at them.
            prompt: >-
              Here is my draft. Tell me, briefly and concretely: 1. Tone: how it will come across to
              the recipient, and any sentence that may land badly. 2. Clarity: what is ambiguous,
              buried or missing context, and where. 3. Asks: each thing I ask for, whether it has an
              owner and a date, and anything I seem to need but have not asked. 4. The three changes
              that would help most, quoting the words to change.


              {{content}}

        """

    /// The shipped template named `name` (`rewrite`, `coach`), or nil.
    /// Its `use` is left empty: the route is the one the config gives the task's name (or
    /// the default route), since the backends the template names may not exist.
    public static func shippedTask(_ name: String) -> Task? {
        // The backends the templates name, so that they parse on their own.
        let backends = "backends:\n  claude: { kind: anthropic, model: template }\n  gpt: { kind: openai, model: template }\n"
        guard var task = (try? QuireConfig.parse(backends + "tasks:\n" + shippedTaskTemplates, source: "Quire's task templates"))?.tasks[name] else {
            return nil
        }
        task.use = []
        return task
    }

    /// The names of the shipped templates.
    public static let shippedTaskNames = ["rewrite", "coach"]
}
