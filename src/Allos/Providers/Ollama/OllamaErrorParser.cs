using System.Text.Json;
using Allos.Providers.Http;

namespace Allos.Providers.Ollama;

/// <summary>Reads Ollama's errors: <c>{"error":"&lt;message&gt;"}</c> with the meaning in the HTTP status (docs/api/errors.mdx).</summary>
internal static class OllamaErrorParser
{
    /// <summary>Ollama's status for a request the client canceled.</summary>
    private const int ClientClosedRequest = 499;

    /// <summary>Parses an HTTP error body.</summary>
    public static ProviderError Parse(int status, string body)
    {
        using JsonDocument document = JsonDocument.Parse(body);
        JsonElement root = document.RootElement;
        string? message = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out JsonElement error)
            ? MessageOf(error)
            : null;
        return Classify(status, message ?? ProviderTransport.Shorten(body));
    }

    /// <summary>The error of an <c>{"error":…}</c> line inside a stream that started with HTTP 200.</summary>
    public static ProviderError FromStreamLine(OllamaResponse line) =>
        Classify(line.Status, MessageOf(line.Error) ?? "");

    /// <summary>The message of an <c>error</c> value: a string in Ollama, an object with <c>message</c> behind some proxies.</summary>
    public static string? MessageOf(JsonElement error) => error.ValueKind switch
    {
        JsonValueKind.String => error.GetString(),
        JsonValueKind.Object when error.TryGetProperty("message", out JsonElement message) => WireContent.AsText(message),
        JsonValueKind.Undefined or JsonValueKind.Null => null,
        _ => error.GetRawText(),
    };

    private static ProviderError Classify(int? status, string message)
    {
        // Ollama has no error codes, so the status carries the kind. Inside a stream without a status the model failed while
        // running ("an error was encountered while running the model"): a server failure.
        ErrorKind kind = status switch
        {
            null or ClientClosedRequest => ErrorKind.Server,
            int s => ProviderError.KindFromStatus(s),
        };

        // Ollama usually truncates silently; the few paths that refuse an oversized prompt say so only in words, and not
        // always with status 400.
        if (kind is not (ErrorKind.RateLimited or ErrorKind.Overloaded or ErrorKind.Authentication) && ProviderError.LooksLikeContextOverflow(message))
        {
            kind = ErrorKind.ContextWindow;
        }

        return new ProviderError(kind, message);
    }
}
