public import QuireBackends
import QuireBatch
public import QuireLLM
public import QuireRouter
import QuireTasks

/// A task's route made into backends, the same for every command: a step whose key is
/// missing would fail every request, so it is left out (the caller says so, once); each other
/// step becomes its HTTP backend — behind its rate limiter when `rateLimited` — or the
/// built-in offline one, and the prices the usage meter needs are gathered on the way.
public struct RouteBackends: Sendable {
    /// The route with only the steps that are used.
    public let resolved: ModelPicker.ResolvedRoute
    /// The backends, in order, for the `Router`.
    public let route: Route
    /// The HTTP backends among them.
    public let http: [HTTPChatBackend]
    /// Prices per backend name, for a `UsageMeter`.
    public let prices: [String: Pricing]

    /// The backends of `resolved`; `configHint` is named by the offline backend when a task
    /// needs a generative model; `rateLimited` puts each HTTP backend behind the rate limits
    /// of its config; `leftOut` is told each step left out, with why. Nil when no step can be used.
    public init?(_ resolved: ModelPicker.ResolvedRoute, configHint: String, rateLimited: Bool, leftOut: (ModelPicker.Step, String) -> Void) {
        var usable = resolved
        usable.steps = []
        var backends: [any ChatBackend] = []
        var http: [HTTPChatBackend] = []
        var prices: [String: Pricing] = [:]
        for step in resolved.steps {
            guard let config = step.backend else {
                usable.steps.append(step)
                backends.append(BuiltinBackend(handlers: OfflineTasks.handlers, configHint: configHint))
                continue
            }
            if let warning = step.warning {
                leftOut(step, warning)
                continue
            }
            usable.steps.append(step)
            let backend = HTTPChatBackend(config: config)
            http.append(backend)
            if rateLimited {
                let limiter = RateLimiter(requestsPerMinute: step.requestsPerMinute, tokensPerMinute: step.tokensPerMinute)
                backends.append(RateLimitedBackend(backend, limiter: limiter))
            } else {
                backends.append(backend)
            }
            if let pricing = step.pricing { prices[step.name] = pricing }
        }
        guard !backends.isEmpty else { return nil }
        self.resolved = usable
        route = Route(task: resolved.task, backends: backends, temperature: resolved.temperature, maxOutputTokens: resolved.maxOutputTokens)
        self.http = http
        self.prices = prices
    }
}
