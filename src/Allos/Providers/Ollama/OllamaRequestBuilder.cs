using System.Text;
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
            Messages = BuildMessages(messages, options, provider),
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

    private static List<OllamaMessage> BuildMessages(IEnumerable<ChatMessage> messages, ChatOptions? options, string provider)
    {
        var result = new List<OllamaMessage>();
        if (WireContent.SystemPrompt(messages, options) is { } system)
        {
            result.Add(new OllamaMessage { Role = "system", Content = system });
        }

        // Ollama's tool messages name the tool (tool_name); the result content only knows the call id.
        var toolNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (ChatMessage message in messages)
        {
            if (message.Role == ChatRole.System)
            {
                continue; // already in the leading system message
            }

            if (message.Role == ChatRole.Assistant)
            {
                AddAssistant(result, message, toolNames, provider);
            }
            else
            {
                AddUserOrTool(result, message, toolNames, provider);
            }
        }

        return result;
    }

    private static void AddAssistant(List<OllamaMessage> result, ChatMessage message, Dictionary<string, string> toolNames, string provider)
    {
        TextParts text = default, thinking = default;
        List<OllamaToolCall>? calls = null;
        for (int i = 0; i < message.Contents.Count; i++) // indexed: foreach over IList<T> boxes an enumerator per message
        {
            AIContent content = message.Contents[i];
            switch (content)
            {
                case TextContent t:
                    text.Append(t.Text);
                    break;
                case TextReasoningContent r when !string.IsNullOrEmpty(r.Text):
                    thinking.Append(r.Text);
                    break;
                case TextReasoningContent or UsageContent or FunctionResultContent:
                    break; // empty reasoning carries nothing Ollama reads; results are sent as tool messages below
                case FunctionCallContent call:
                    toolNames[call.CallId] = call.Name;
                    (calls ??= []).Add(new OllamaToolCall
                    {
                        Id = string.IsNullOrEmpty(call.CallId) ? null : call.CallId,
                        Function = new OllamaFunctionCall { Name = call.Name, Arguments = WireContent.ArgumentsToElement(call.Arguments) },
                    });
                    break;
                default:
                    throw new FeatureNotSupportedException(provider, $"{Describe(content)} in an assistant message");
            }
        }

        if (text.Any || thinking.Any || calls is not null)
        {
            result.Add(new OllamaMessage
            {
                Role = "assistant",
                Content = text.ToString() ?? "",
                Thinking = thinking.ToString(),
                ToolCalls = calls,
            });
        }

        AddToolResults(result, message, toolNames);
    }

    private static void AddUserOrTool(List<OllamaMessage> result, ChatMessage message, Dictionary<string, string> toolNames, string provider)
    {
        AddToolResults(result, message, toolNames);

        TextParts text = default;
        List<string>? images = null;
        for (int i = 0; i < message.Contents.Count; i++)
        {
            AIContent content = message.Contents[i];
            switch (content)
            {
                case TextContent t:
                    text.Append(t.Text);
                    break;
                case DataContent d when d.HasTopLevelMediaType("image"):
                    (images ??= []).Add(d.Base64Data.ToString());
                    break;
                case UriContent:
                    throw new FeatureNotSupportedException(provider, "image URLs", "Download the image and pass it as DataContent.");
                case FunctionResultContent or FunctionCallContent or TextReasoningContent or UsageContent:
                    break;
                default:
                    throw new FeatureNotSupportedException(provider, Describe(content), "Ollama accepts text and images (DataContent with an image/* media type).");
            }
        }

        if (text.Any || images is not null)
        {
            result.Add(new OllamaMessage { Role = "user", Content = text.ToString() ?? "", Images = images });
        }
    }

    private static void AddToolResults(List<OllamaMessage> result, ChatMessage message, Dictionary<string, string> toolNames)
    {
        for (int i = 0; i < message.Contents.Count; i++)
        {
            AIContent content = message.Contents[i];
            if (content is FunctionResultContent r)
            {
                result.Add(new OllamaMessage
                {
                    Role = "tool",
                    Content = WireContent.ResultToText(r),
                    ToolName = toolNames.GetValueOrDefault(r.CallId),
                    ToolCallId = string.IsNullOrEmpty(r.CallId) ? null : r.CallId,
                });
            }
        }
    }

    private static JsonElement Text(string value) => JsonSerializer.SerializeToElement(value, OllamaJsonContext.Default.String);

    private static string Describe(AIContent content) => content switch
    {
        DataContent d => $"input of media type {d.MediaType}",
        UriContent u => $"a URL of media type {u.MediaType} ({u.Uri})",
        _ => $"{content.GetType().Name} content",
    };
}
