using System.Net.Http.Headers;
using System.Text.Json;
using Allos.Providers.Http;

namespace Allos.Providers.Bedrock;

/// <summary>
/// Reads Bedrock's errors: a body <c>{"message":…}</c> whose kind is named by the <c>x-amzn-ErrorType</c> header
/// (<c>ThrottlingException:http://internal.amazon.com/…</c>), or by the <c>:exception-type</c> of a stream's exception message.
/// </summary>
internal static class BedrockErrorParser
{
    /// <summary>Parses an HTTP error.</summary>
    public static ProviderError Parse(int status, HttpResponseHeaders headers, string body)
    {
        string? type = headers.TryGetValues("x-amzn-ErrorType", out IEnumerable<string>? values) ? values.FirstOrDefault() : null;
        string? message = null;
        if (!string.IsNullOrWhiteSpace(body))
        {
            try
            {
                using JsonDocument document = JsonDocument.Parse(body);
                JsonElement root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object)
                {
                    message = Text(root, "message") ?? Text(root, "Message");
                    type ??= Text(root, "__type");
                }
            }
            catch (JsonException)
            {
                // A proxy's HTML page: the status and header still tell the kind.
            }
        }

        return Classify(type, status, message ?? ProviderTransport.Shorten(body));
    }

    /// <summary>Maps an AWS error type (any case, with or without its <c>:…</c> or <c>…#</c> decoration) to a kind, else the status.</summary>
    public static ProviderError Classify(string? type, int? status, string message)
    {
        string? name = Name(type);
        ErrorKind kind = name?.ToLowerInvariant() switch
        {
            "validationexception" when LooksLikeOverflow(message) => ErrorKind.ContextWindow,
            "validationexception" or "conflictexception" => ErrorKind.InvalidRequest,
            "accessdeniedexception" => ErrorKind.Permission,
            "unrecognizedclientexception" or "invalidsignatureexception" or "incompletesignatureexception" or "expiredtokenexception"
                or "missingauthenticationtokenexception" or "invalidclienttokenid" or "signaturedoesnotmatch" => ErrorKind.Authentication,
            "resourcenotfoundexception" => ErrorKind.NotFound,
            "modeltimeoutexception" => ErrorKind.Timeout,
            "modelerrorexception" or "modelstreamerrorexception" or "internalserverexception" => ErrorKind.Server,
            "throttlingexception" or "servicequotaexceededexception" => ErrorKind.RateLimited,
            "serviceunavailableexception" or "modelnotreadyexception" => ErrorKind.Overloaded,
            _ when status is int s && s == 400 && LooksLikeOverflow(message) => ErrorKind.ContextWindow,
            _ when status is int s => ProviderError.KindFromStatus(s),
            _ => ErrorKind.Server,
        };

        return new ProviderError(kind, message, name);
    }

    private static string? Name(string? type)
    {
        if (string.IsNullOrWhiteSpace(type))
        {
            return null;
        }

        string name = type.Trim();
        int colon = name.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            name = name[..colon];
        }

        int hash = name.LastIndexOf('#');
        if (hash >= 0)
        {
            name = name[(hash + 1)..];
        }

        // Stream exception types are camelCase (throttlingException); report them as the HTTP header spells them.
        return name.Length == 0 ? null : char.ToUpperInvariant(name[0]) + name[1..];
    }

    private static bool LooksLikeOverflow(string message) =>
        message.Contains("input is too long", StringComparison.OrdinalIgnoreCase)
        || message.Contains("too many input tokens", StringComparison.OrdinalIgnoreCase)
        || ProviderError.LooksLikeContextOverflow(message);

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) ? WireContent.AsText(value) : null;
}
