namespace Allos.Providers.OpenAI;

/// <summary>How one OpenAI-compatible server differs from api.openai.com.</summary>
/// <param name="Provider">The provider name.</param>
/// <param name="UseMaxCompletionTokens">Send <c>max_completion_tokens</c> (OpenAI, Azure; required by reasoning models) instead of <c>max_tokens</c>.</param>
/// <param name="EchoReasoning">Send assistant reasoning back as <c>reasoning_content</c> (DeepSeek and other compatibles reject tool turns without it).</param>
/// <param name="AzureApiVersion">For Azure: the <c>api-version</c> query value; <see langword="null"/> elsewhere.</param>
internal sealed record OpenAIDialect(string Provider, bool UseMaxCompletionTokens, bool EchoReasoning, string? AzureApiVersion)
{
    public const string DefaultAzureApiVersion = "2024-10-21";

    public bool IsAzure => AzureApiVersion is not null;

    public static OpenAIDialect For(string provider, string? azureApiVersion) => provider switch
    {
        "openai" => new(provider, UseMaxCompletionTokens: true, EchoReasoning: false, null),
        "azure" => new(provider, UseMaxCompletionTokens: true, EchoReasoning: false, azureApiVersion ?? DefaultAzureApiVersion),
        _ => new(provider, UseMaxCompletionTokens: false, EchoReasoning: true, null),
    };
}
