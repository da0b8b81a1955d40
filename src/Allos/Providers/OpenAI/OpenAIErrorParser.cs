using System.Text.Json;
using Allos.Providers.Http;

namespace Allos.Providers.OpenAI;

/// <summary>Reads the error bodies of OpenAI and the compatible servers, whose shapes differ in small ways.</summary>
internal static class OpenAIErrorParser
{
    /// <summary>Parses an HTTP error body.</summary>
    public static ProviderError Parse(int status, string body)
    {
        using JsonDocument document = JsonDocument.Parse(body);
        JsonElement root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out JsonElement error))
        {
            return FromErrorValue(error, status);
        }

        if (root.ValueKind == JsonValueKind.Object)
        {
            // vLLM (old) and Mistral: {"object":"error","message":…,"type":…,"code":400}; FastAPI servers: {"detail":…}.
            string? message = Text(root, "message") ?? Text(root, "detail");
            return FromFlatBody(message, Get(root, "type"), Get(root, "code"), status);
        }

        return new ProviderError(ProviderError.KindFromStatus(status), ProviderTransport.Shorten(body));
    }

    /// <summary>Parses the value of an <c>error</c> field: an object, or (some servers) a plain string.</summary>
    public static ProviderError FromErrorValue(JsonElement error, int? status)
    {
        if (error.ValueKind == JsonValueKind.String)
        {
            return Classify(status, error.GetString() ?? "", type: null, code: null);
        }

        return FromFlatBody(Text(error, "message"), Get(error, "type"), Get(error, "code"), status);
    }

    public static ProviderError FromFlatBody(string? message, JsonElement type, JsonElement code, int? status) =>
        Classify(status, message ?? "", WireContent.AsText(type), WireContent.AsText(code));

    private static ProviderError Classify(int? status, string message, string? type, string? code)
    {
        // Numeric codes (OpenRouter, vLLM, Azure's "429") are HTTP statuses; inside a stream they are the only status there is.
        int? effectiveStatus = status ?? (int.TryParse(code, out int numeric) && numeric >= 400 ? numeric : null);
        ErrorKind kind = effectiveStatus is int s ? ProviderError.KindFromStatus(s) : KindFromType(type ?? code);
        string? label = code ?? type;

        if (code == "context_length_exceeded"
            || (kind is ErrorKind.InvalidRequest or ErrorKind.Permission && ProviderError.LooksLikeContextOverflow(message)))
        {
            kind = ErrorKind.ContextWindow;
        }
        else if (code == "insufficient_quota" || type == "insufficient_quota")
        {
            kind = ErrorKind.Quota;
        }
        else if (code == "content_filter" || type == "content_filter"
            || (kind == ErrorKind.Permission && (message.Contains("flagged", StringComparison.OrdinalIgnoreCase) || message.Contains("moderation", StringComparison.OrdinalIgnoreCase))))
        {
            kind = ErrorKind.ContentFilter;
        }
        else if (code is "invalid_api_key" or "invalid_authentication")
        {
            kind = ErrorKind.Authentication;
        }

        return new ProviderError(kind, message, label);
    }

    private static ErrorKind KindFromType(string? type) => type switch
    {
        "invalid_request_error" or "BadRequestError" => ErrorKind.InvalidRequest,
        "authentication_error" or "invalid_api_key" => ErrorKind.Authentication,
        "permission_error" => ErrorKind.Permission,
        "not_found_error" => ErrorKind.NotFound,
        "rate_limit_exceeded" or "rate_limit_error" or "tokens" or "requests" => ErrorKind.RateLimited,
        "server_is_overloaded" or "overloaded_error" or "slow_down" => ErrorKind.Overloaded,
        "timeout" => ErrorKind.Timeout,

        // An error in the middle of a stream that names nothing better is the server failing.
        _ => ErrorKind.Server,
    };

    private static JsonElement Get(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) ? value : default;

    private static string? Text(JsonElement element, string name) => WireContent.AsText(Get(element, name));
}
