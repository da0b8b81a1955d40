using System.Text.Json;
using Allos.Providers.Http;

namespace Allos.Providers.Cohere;

/// <summary>Reads Cohere's errors, <c>{"id":…,"message":…}</c>, whose kind is in the HTTP status.</summary>
internal static class CohereErrorParser
{
    /// <summary>Cohere's status for a request blocked by its safety filters.</summary>
    private const int UnsafeRequest = 498;

    /// <summary>Cohere's status for a request the client cancelled.</summary>
    private const int ClientClosedRequest = 499;

    /// <summary>Parses an HTTP error body.</summary>
    public static ProviderError Parse(int status, string body)
    {
        using JsonDocument document = JsonDocument.Parse(body);
        JsonElement root = document.RootElement;
        string? message = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("message", out JsonElement text) ? WireContent.AsText(text) : null;
        string? id = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out JsonElement idValue) ? WireContent.AsText(idValue) : null;
        return Classify(status, message ?? ProviderTransport.Shorten(body)) with { RequestId = id };
    }

    public static ProviderError Classify(int status, string message)
    {
        ErrorKind kind = status switch
        {
            UnsafeRequest => ErrorKind.ContentFilter,
            ClientClosedRequest => ErrorKind.Server,
            422 => ErrorKind.InvalidRequest,
            _ => ProviderError.KindFromStatus(status),
        };

        // "too many tokens: total number of tokens in the prompt cannot exceed …": the prompt does not fit.
        if (kind == ErrorKind.InvalidRequest
            && (message.Contains("too many tokens", StringComparison.OrdinalIgnoreCase) || ProviderError.LooksLikeContextOverflow(message)))
        {
            kind = ErrorKind.ContextWindow;
        }

        return new ProviderError(kind, message);
    }
}
