namespace Allos.Telemetry;

/// <summary>Attribute and instrument names from the OpenTelemetry GenAI semantic conventions, plus Allos's own.</summary>
internal static class GenAISemantics
{
    public const string OperationName = "gen_ai.operation.name";
    public const string ProviderName = "gen_ai.provider.name";
    public const string RequestModel = "gen_ai.request.model";
    public const string RequestMaxTokens = "gen_ai.request.max_tokens";
    public const string RequestTemperature = "gen_ai.request.temperature";
    public const string ResponseModel = "gen_ai.response.model";
    public const string ResponseId = "gen_ai.response.id";
    public const string ResponseFinishReasons = "gen_ai.response.finish_reasons";
    public const string InputTokens = "gen_ai.usage.input_tokens";
    public const string OutputTokens = "gen_ai.usage.output_tokens";
    public const string TokenType = "gen_ai.token.type";
    public const string ErrorType = "error.type";
    public const string ServerAddress = "server.address";
    public const string ServerPort = "server.port";

    public const string TokenUsageMetric = "gen_ai.client.token.usage";
    public const string OperationDurationMetric = "gen_ai.client.operation.duration";

    public const string Alias = "allos.gateway.alias";
    public const string Deployment = "allos.gateway.deployment";
    public const string Retries = "allos.gateway.retries";
    public const string Fallbacks = "allos.gateway.fallbacks";
    public const string CacheHit = "allos.gateway.cache_hit";
    public const string Cost = "allos.cost.usd";
    public const string PromptName = "allos.prompt.name";
    public const string PromptVersion = "allos.prompt.version";
    public const string CostMetric = "allos.client.cost";
    public const string TimeToFirstTokenMetric = "allos.client.time_to_first_token";
    public const string Key = "allos.gateway.key";

    public const string Chat = "chat";

    /// <summary>The operation name of an embeddings call.</summary>
    public const string Embeddings = "embeddings";
}
