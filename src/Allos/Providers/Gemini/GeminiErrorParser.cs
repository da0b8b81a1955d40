using System.Text.Json;
using Allos.Providers.Http;

namespace Allos.Providers.Gemini;

/// <summary>Reads Gemini's google.rpc.Status errors: <c>{"error":{"code","message","status","details":[…]}}</c>.</summary>
internal static class GeminiErrorParser
{
    private const string ErrorInfoType = "type.googleapis.com/google.rpc.ErrorInfo";
    private const string RetryInfoType = "type.googleapis.com/google.rpc.RetryInfo";

    /// <summary>Parses an HTTP error body.</summary>
    public static ProviderError Parse(int status, string body)
    {
        using JsonDocument document = JsonDocument.Parse(body);
        JsonElement root = document.RootElement;

        // streamGenerateContent without alt=sse answers with a JSON array, errors included.
        if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0)
        {
            root = root[0];
        }

        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out JsonElement error) && error.ValueKind == JsonValueKind.Object)
        {
            return FromError(error, status);
        }

        return new ProviderError(ProviderError.KindFromStatus(status), ProviderTransport.Shorten(body));
    }

    /// <summary>Classifies the value of an <c>error</c> field; <paramref name="status"/> is null inside a stream.</summary>
    public static ProviderError FromError(JsonElement error, int? status)
    {
        string message = Text(error, "message") ?? "";
        string? canonical = Text(error, "status");
        int? code = error.TryGetProperty("code", out JsonElement c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out int n) ? n : null;
        string? reason = null;
        TimeSpan? retryAfter = null;
        if (error.TryGetProperty("details", out JsonElement details) && details.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement detail in details.EnumerateArray())
            {
                string? type = Text(detail, "@type");
                if (type == ErrorInfoType)
                {
                    reason ??= Text(detail, "reason");
                }
                else if (type == RetryInfoType && RetryAfterParser.TryParseDuration(Text(detail, "retryDelay"), out TimeSpan delay))
                {
                    retryAfter = delay;
                }
            }
        }

        ErrorKind kind = canonical switch
        {
            // Gemini answers a bad key with 400 INVALID_ARGUMENT, not 401.
            "INVALID_ARGUMENT" when reason == "API_KEY_INVALID" || message.Contains("API key not valid", StringComparison.OrdinalIgnoreCase) => ErrorKind.Authentication,
            "INVALID_ARGUMENT" when ProviderError.LooksLikeContextOverflow(message) => ErrorKind.ContextWindow,
            "INVALID_ARGUMENT" or "FAILED_PRECONDITION" or "OUT_OF_RANGE" => ErrorKind.InvalidRequest,
            "RESOURCE_EXHAUSTED" => ErrorKind.RateLimited,
            "UNAVAILABLE" => ErrorKind.Overloaded,
            "PERMISSION_DENIED" => ErrorKind.Permission,
            "NOT_FOUND" => ErrorKind.NotFound,
            "UNAUTHENTICATED" => ErrorKind.Authentication,
            "DEADLINE_EXCEEDED" => ErrorKind.Timeout,
            "INTERNAL" => ErrorKind.Server,

            // An error inside a stream that names nothing better is the server failing.
            _ => ProviderError.KindFromStatus(status ?? code ?? 500),
        };

        return new ProviderError(kind, message, reason ?? canonical, retryAfter);
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) ? WireContent.AsText(value) : null;
}
