using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace Allos.Providers;

/// <summary>Conversions between Microsoft.Extensions.AI content and the JSON every codec needs.</summary>
internal static class WireContent
{
    private static readonly JsonTypeInfo<IDictionary<string, object?>> ArgumentsType =
        AllosJson.TypeInfo<IDictionary<string, object?>>();

    private static readonly JsonTypeInfo<Dictionary<string, object?>> ParsedArgumentsType =
        AllosJson.TypeInfo<Dictionary<string, object?>>();

    /// <summary>
    /// A call id for a provider that sends none (Ollama, Gemini, some OpenAI-compatible servers). Unique, not positional:
    /// <c>call_0</c> in every response would repeat within a conversation and pair results with the wrong calls.
    /// </summary>
    public static string NewCallId() => string.Create(21, 0, static (span, _) =>
    {
        "call_".CopyTo(span);
        Span<byte> random = stackalloc byte[8];
        System.Security.Cryptography.RandomNumberGenerator.Fill(random);
        Convert.TryToHexStringLower(random, span[5..], out _);
    });

    /// <summary>Tool-call arguments as a JSON string (OpenAI sends them as a string).</summary>
    public static string ArgumentsToJson(IDictionary<string, object?>? arguments) =>
        arguments is null ? "{}" : JsonSerializer.Serialize(arguments, ArgumentsType);

    /// <summary>Tool-call arguments as a JSON object (Anthropic, Gemini and Ollama send them as an object).</summary>
    public static JsonElement ArgumentsToElement(IDictionary<string, object?>? arguments) =>
        arguments is null ? EmptyObject : JsonSerializer.SerializeToElement(arguments, ArgumentsType);

    /// <summary>
    /// Builds a call from the model's encoded arguments. Malformed JSON does not throw: the call carries the parse error in
    /// <see cref="FunctionCallContent.Exception"/>, so the agent can send it back to the model to correct.
    /// </summary>
    public static FunctionCallContent ParseCall(string callId, string name, string? encodedArguments)
    {
        string json = string.IsNullOrWhiteSpace(encodedArguments) ? "{}" : encodedArguments;
        return FunctionCallContent.CreateFromParsedArguments(json, callId, name,
            static text => JsonSerializer.Deserialize(text, ParsedArgumentsType) ?? throw new JsonException("Tool arguments must be a JSON object, not null."));
    }

    /// <summary>Builds a call from arguments that arrived as a JSON object.</summary>
    public static FunctionCallContent CallFromElement(string callId, string name, JsonElement arguments)
    {
        if (arguments.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return new FunctionCallContent(callId, name, new Dictionary<string, object?>());
        }

        if (arguments.ValueKind != JsonValueKind.Object)
        {
            return new FunctionCallContent(callId, name)
            {
                Exception = new JsonException($"Tool arguments must be a JSON object; the model sent {arguments.ValueKind}: {arguments.GetRawText()}"),
            };
        }

        var dictionary = new Dictionary<string, object?>();
        foreach (JsonProperty property in arguments.EnumerateObject())
        {
            dictionary[property.Name] = property.Value.Clone();
        }

        return new FunctionCallContent(callId, name, dictionary);
    }

    /// <summary>A tool result as the text the model will read; images in a result are described by a line.</summary>
    public static string ResultToText(FunctionResultContent result)
    {
        switch (result.Result)
        {
            case null when result.Exception is not null:
                return "Error: " + result.Exception.Message;
            case null:
                return "";
            case string text:
                return text;
            case JsonElement element:
                return element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
            case AIContent content when TextOf(content) is string text:
                return text;
            case IEnumerable<AIContent> when Tools.ToolResultMedia.Parts(result.Result) is { } parts:
                return Tools.ToolResultMedia.Text(parts); // a codec that sends the images sends them beside this text
            case IEnumerable<AIContent> contents:
                var builder = new StringBuilder();
                foreach (AIContent content in contents)
                {
                    builder.Append(TextOf(content));
                }

                return builder.ToString();
            default:
                return JsonSerializer.Serialize(result.Result, AllosJson.TypeInfo(result.Result.GetType()));
        }

        static string? TextOf(AIContent content) => content switch
        {
            TextContent text => text.Text,
            _ => null,
        };
    }

    /// <summary>A tool result as a JSON value (Gemini's <c>functionResponse.response</c> content).</summary>
    public static JsonElement ResultToElement(FunctionResultContent result) => result.Result switch
    {
        JsonElement element => element,
        null or string or AIContent or IEnumerable<AIContent> => JsonSerializer.SerializeToElement(ResultToText(result), AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(string))),
        object value => JsonSerializer.SerializeToElement(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType())),
    };

    /// <summary>
    /// The system prompt of a request: <see cref="ChatOptions.Instructions"/> first, then the text of every system message,
    /// separated by blank lines. Returns <see langword="null"/> when there is none.
    /// </summary>
    public static string? SystemPrompt(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        StringBuilder? builder = null;
        if (!string.IsNullOrEmpty(options?.Instructions))
        {
            builder = new StringBuilder(options.Instructions);
        }

        foreach (ChatMessage message in messages)
        {
            if (message.Role == ChatRole.System && message.Text is { Length: > 0 } text)
            {
                builder = builder is null ? new StringBuilder(text) : builder.Append("\n\n").Append(text);
            }
        }

        return builder?.ToString();
    }

    /// <summary>An empty JSON object.</summary>
    public static JsonElement EmptyObject { get; } = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary>Reads a string or number JSON value as text (providers disagree on whether error codes are numbers).</summary>
    public static string? AsText(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.GetRawText(),
        _ => null,
    };

    /// <summary>Names content a codec cannot send, for <see cref="FeatureNotSupportedException"/>.</summary>
    public static string Describe(AIContent content) => content switch
    {
        DataContent d => $"input of media type {d.MediaType}",
        UriContent u => $"a URL of media type {u.MediaType} ({u.Uri})",
        _ => $"{content.GetType().Name} content",
    };
}
