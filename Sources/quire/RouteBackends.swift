import QuireBackends
import QuireBatch
import QuireLLM
import QuireRouter
import QuireTasks

/// A task's route made into backends, the same for every command: a step whose key is
/// missing would fail every request, so it is left out (the caller says so, once); each other
/// step becomes its HTTP backend — behind its rate limiter when `rateLimited` — or the
/// built-in offline one, and the prices the usage meter needs are gathered on the way.
struct RouteBackends {
    /// The route with only the steps that are used.
    let resolved: ModelPicker.ResolvedRoute
    let route: Route
    let http: [HTTPChatBackend]
    let prices: [String: Pricing]

    /// Nil when no step of the route can be used.
    init?(_ resolved: ModelPicker.ResolvedRoute, configHint: String, rateLimited: Bool, leftOut: (ModelPicker.Step, String) -> Void) {
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
