using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Ollama;

/// <summary>Maps Microsoft.Extensions.AI messages and options to an <c>/api/chat</c> request.</summary>
internal static class OllamaRequestBuilder
{
    private static readonly JsonElement ThinkFalse = JsonSerializer.SerializeToElement(false, OllamaJsonContext.Default.Boolean);

    /// <summary>Request fields Allos sets from the call itself; an additional property must not fight them.</summary>
    private static readonly string[] ReservedFields = ["messages", "stream"];

    public static OllamaRequest Build(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, string provider, bool stream)
    {
        var request = new OllamaRequest
        {
            Model = options?.ModelId ?? model,
            Messages = new OllamaMessages(messages, WireContent.SystemPrompt(messages, options), provider),
            Stream = stream,
        };

        if (options is null)
        {
            return request;
        }

        var sampling = new OllamaOptions
        {
            Temperature = options.Temperature,
            TopP = options.TopP,
            TopK = options.TopK,
            NumPredict = options.MaxOutputTokens,
            Seed = options.Seed,
            Stop = options.StopSequences is { Count: > 0 } stop ? stop : null,
            FrequencyPenalty = options.FrequencyPenalty,
            PresencePenalty = options.PresencePenalty,
        };
        request.Options = sampling.IsEmpty ? null : sampling;

        request.Think = options.Reasoning?.Effort switch
        {
            null => null,
            ReasoningEffort.None => ThinkFalse,
            ReasoningEffort.Low => Text("low"),
            ReasoningEffort.Medium => Text("medium"),

            // ExtraHigh asks for the most there is; newer servers also take "max", but only "high" is understood by every
            // server that takes levels at all.
            _ => Text("high"),
        };

        request.Format = options.ResponseFormat switch
        {
            ChatResponseFormatJson { Schema: JsonElement schema } => schema,
            ChatResponseFormatJson => Text("json"),
            _ => null,
        };

        request.Tools = BuildTools(options, provider);
        request.Extra = AdditionalProperties.ToJson(options.AdditionalProperties);
        if (request.Extra is { } extra)
        {
            if (Array.Find(ReservedFields, extra.ContainsKey) is { } reserved)
            {
                throw new ArgumentException(
                    $"ChatOptions.AdditionalProperties cannot set \"{reserved}\": Allos sets it from the messages and from the method called (GetResponseAsync or GetStreamingResponseAsync).",
                    nameof(options));
            }

            ApplyOverrides(request, extra);
        }

        return request;
    }

    private static List<OllamaTool>? BuildTools(ChatOptions options, string provider)
    {
        if (ToolDeclarations.Functions(options, provider) is not { } functions)
        {
            return null;
        }

        switch (options.ToolMode)
        {
            case NoneChatToolMode:
                // Ollama has no tool_choice; a model that is not shown the tools cannot call them, which is what None asks.
                return null;
            case RequiredChatToolMode:
                throw new FeatureNotSupportedException(provider, "forcing a tool call (ChatToolMode.RequireAny or RequireSpecific)",
                    "Ollama has no tool_choice; use ChatToolMode.Auto and say in the prompt which tool to call.");
        }

        if (options.AllowMultipleToolCalls == false)
        {
            throw new FeatureNotSupportedException(provider, "limiting a turn to one tool call (ChatOptions.AllowMultipleToolCalls = false)",
                "Leave AllowMultipleToolCalls unset, or run only the first call.");
        }

        var tools = new List<OllamaTool>(functions.Count);
        foreach (AIFunctionDeclaration function in functions)
        {
            tools.Add(new OllamaTool
            {
                Function = new OllamaFunctionDefinition
                {
                    Name = function.Name,
                    Description = string.IsNullOrEmpty(function.Description) ? null : function.Description,
                    Parameters = ToolDeclarations.ObjectSchema(function),
                },
            });
        }

        return tools;
    }

    /// <summary>An additional property named like a typed field replaces that field (so <c>"options"</c> replaces the whole options object).</summary>
    private static void ApplyOverrides(OllamaRequest request, Dictionary<string, JsonElement> extra)
    {
        if (extra.Remove("model", out JsonElement model) && model.ValueKind == JsonValueKind.String)
        {
            request.Model = model.GetString()!; // written by the typed field, so the key is not sent twice
        }

        request.Options = extra.ContainsKey("options") ? null : request.Options;
        request.Format = extra.ContainsKey("format") ? null : request.Format;
        request.Think = extra.ContainsKey("think") ? null : request.Think;
        request.Tools = extra.ContainsKey("tools") ? null : request.Tools;
        request.Extra = extra.Count > 0 ? extra : null;
    }

    private static JsonElement Text(string value) => JsonSerializer.SerializeToElement(value, OllamaJsonContext.Default.String);
}
