using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Bedrock;

/// <summary>Maps Microsoft.Extensions.AI messages and options to a Converse request.</summary>
internal static class BedrockRequestBuilder
{
    /// <summary>Converse's own top-level fields: an AdditionalProperties entry of one of these names is sent beside messages, not to the model.</summary>
    private static readonly HashSet<string> TopLevelFields = new(StringComparer.Ordinal)
    {
        "guardrailConfig", "promptVariables", "requestMetadata", "performanceConfig", "additionalModelResponseFieldPaths",
    };

    public static BedrockRequest Build(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, string provider)
    {
        IReadOnlyList<ChatMessage> history = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var request = new BedrockRequest
        {
            Messages = new BedrockMessages(history, provider),
            System = WireContent.SystemPrompt(history, options) is { } system ? [new BedrockSystemBlock(system)] : null,
        };

        if (options is null)
        {
            return request;
        }

        if (options.MaxOutputTokens is not null || options.Temperature is not null || options.TopP is not null || options.StopSequences is { Count: > 0 })
        {
            request.InferenceConfig = new BedrockInferenceConfig
            {
                MaxTokens = options.MaxOutputTokens,
                Temperature = options.Temperature,
                TopP = options.TopP,
                StopSequences = options.StopSequences is { Count: > 0 } stop ? stop : null,
            };
        }

        if (options.Seed is not null || options.FrequencyPenalty is not null || options.PresencePenalty is not null)
        {
            throw new FeatureNotSupportedException(provider, "a seed or frequency/presence penalties",
                "Converse has no such settings; pass the model's own field through ChatOptions.AdditionalProperties (sent as additionalModelRequestFields) if it takes one.");
        }

        if (options.ResponseFormat is ChatResponseFormatJson)
        {
            throw new FeatureNotSupportedException(provider, "JSON output (ChatOptions.ResponseFormat)",
                "Converse has no JSON mode: ask for JSON in the instructions, or declare a tool whose input schema is the shape you want.");
        }

        if (ToolDeclarations.Functions(options, provider) is { } functions && options.ToolMode is not NoneChatToolMode)
        {
            var tools = new List<BedrockTool>(functions.Count);
            foreach (AIFunctionDeclaration function in functions)
            {
                tools.Add(new BedrockTool(new BedrockToolSpec
                {
                    Name = function.Name,
                    Description = string.IsNullOrEmpty(function.Description) ? null : function.Description,
                    InputSchema = new BedrockInputSchema(ToolDeclarations.ObjectSchema(function)),
                }));
            }

            request.ToolConfig = new BedrockToolConfig
            {
                Tools = tools,
                ToolChoice = options.ToolMode switch
                {
                    RequiredChatToolMode { RequiredFunctionName: string name } => Json(w =>
                    {
                        w.WriteStartObject();
                        w.WriteStartObject("tool"u8);
                        w.WriteString("name"u8, name);
                        w.WriteEndObject();
                        w.WriteEndObject();
                    }),
                    RequiredChatToolMode => Json(w =>
                    {
                        w.WriteStartObject();
                        w.WriteStartObject("any"u8);
                        w.WriteEndObject();
                        w.WriteEndObject();
                    }),
                    _ => null,
                },
            };
        }

        Dictionary<string, JsonElement>? fields = null;
        if (options.TopK is int topK)
        {
            (fields ??= [])["top_k"] = Json(w => w.WriteNumberValue(topK));
        }

        // Claude's extended thinking is a model field; other Bedrock models name reasoning differently (pass them through AdditionalProperties).
        if (options.Reasoning?.Effort is { } effort and not ReasoningEffort.None && IsClaude(options.ModelId ?? model))
        {
            int budget = effort switch
            {
                ReasoningEffort.Low => 1024,
                ReasoningEffort.Medium => 4096,
                ReasoningEffort.High => 16384,
                _ => 32768,
            };
            (fields ??= [])["thinking"] = Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("type"u8, "enabled"u8);
                w.WriteNumber("budget_tokens"u8, budget);
                w.WriteEndObject();
            });
        }

        if (AdditionalProperties.ToJson(options.AdditionalProperties) is { } extra)
        {
            foreach ((string key, JsonElement value) in extra)
            {
                if (TopLevelFields.Contains(key))
                {
                    (request.Extra ??= new(StringComparer.Ordinal))[key] = value;
                }
                else
                {
                    (fields ??= [])[key] = value;
                }
            }
        }

        request.AdditionalModelRequestFields = fields;
        return request;
    }

    private static JsonElement Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        using JsonDocument document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>Claude on Bedrock: <c>anthropic.claude-…</c>, or an inference profile such as <c>us.anthropic.claude-…</c>.</summary>
    private static bool IsClaude(string model) => model.Contains("anthropic.claude", StringComparison.OrdinalIgnoreCase);
}
