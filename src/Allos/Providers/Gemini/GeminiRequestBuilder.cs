using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Gemini;

/// <summary>Maps Microsoft.Extensions.AI messages and options to a <c>generateContent</c> request.</summary>
internal static class GeminiRequestBuilder
{
    public static GeminiRequest Build(IEnumerable<ChatMessage> messages, ChatOptions? options, string provider)
    {
        IReadOnlyList<ChatMessage> history = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var request = new GeminiRequest { Contents = new GeminiContents(history, provider) };
        if (WireContent.SystemPrompt(history, options) is { } system)
        {
            request.SystemInstruction = new GeminiContent { Parts = [new GeminiPart { Text = system }] };
        }

        if (options is null)
        {
            return request;
        }

        if (options.AllowMultipleToolCalls == false)
        {
            throw new FeatureNotSupportedException(provider, "turning off parallel tool calls (ChatOptions.AllowMultipleToolCalls = false)",
                "Gemini has no such switch; leave AllowMultipleToolCalls unset.");
        }

        request.GenerationConfig = BuildGenerationConfig(options);
        if (ToolDeclarations.Functions(options, provider, hostedWebSearch: true) is { } functions)
        {
            var declarations = new List<GeminiFunctionDeclaration>(functions.Count);
            foreach (AIFunctionDeclaration function in functions)
            {
                JsonElement parameters = GeminiSchema.Clean(ToolDeclarations.ObjectSchema(function));
                declarations.Add(new GeminiFunctionDeclaration
                {
                    Name = function.Name,
                    Description = string.IsNullOrEmpty(function.Description) ? null : function.Description,

                    // Gemini refuses "properties: should be non-empty for OBJECT type"; a parameterless function sends none.
                    Parameters = GeminiSchema.HasNoProperties(parameters) ? null : parameters,
                });
            }

            request.Tools = [new GeminiTool { FunctionDeclarations = declarations }];
        }

        if (HostedSearch.Tool(options) is not null)
        {
            (request.Tools ??= []).Add(new GeminiTool { GoogleSearch = new GeminiGoogleSearch() });
        }

        GeminiFunctionCallingConfig? calling = options.ToolMode switch
        {
            null => null,
            NoneChatToolMode => new GeminiFunctionCallingConfig { Mode = "NONE" },
            RequiredChatToolMode { RequiredFunctionName: string name } => new GeminiFunctionCallingConfig { Mode = "ANY", AllowedFunctionNames = [name] },
            RequiredChatToolMode => new GeminiFunctionCallingConfig { Mode = "ANY" },
            _ => request.Tools?.Exists(t => t.FunctionDeclarations is not null) == true ? new GeminiFunctionCallingConfig { Mode = "AUTO" } : null,
        };
        if (calling is not null)
        {
            request.ToolConfig = new GeminiToolConfig { FunctionCallingConfig = calling };
        }

        request.Extra = AdditionalProperties.ToJson(options.AdditionalProperties);
        return request;
    }

    private static GeminiGenerationConfig? BuildGenerationConfig(ChatOptions options)
    {
        var config = new GeminiGenerationConfig
        {
            Temperature = options.Temperature,
            TopP = options.TopP,
            TopK = options.TopK,
            MaxOutputTokens = options.MaxOutputTokens,
            StopSequences = options.StopSequences is { Count: > 0 } stop ? stop : null,
            Seed = options.Seed,
            FrequencyPenalty = options.FrequencyPenalty,
            PresencePenalty = options.PresencePenalty,
        };

        if (options.ResponseFormat is ChatResponseFormatJson json)
        {
            config.ResponseMimeType = "application/json";

            // responseSchema (the OpenAPI subset) rather than responseJsonSchema: it is accepted by every Gemini model
            // and version, and the same cleaner already makes tool schemas fit it.
            if (json.Schema is JsonElement schema)
            {
                config.ResponseSchema = GeminiSchema.Clean(schema);
            }
        }

        if (options.Reasoning is { } reasoning)
        {
            config.ThinkingConfig = new GeminiThinkingConfig
            {
                IncludeThoughts = reasoning.Output != ReasoningOutput.None,
                ThinkingBudget = reasoning.Effort switch
                {
                    null => null,
                    ReasoningEffort.None => 0,
                    ReasoningEffort.Low => 1024,
                    ReasoningEffort.Medium => 8192,
                    ReasoningEffort.High => 24576,
                    _ => 32768,
                },
            };
        }

        bool empty = config is
        {
            Temperature: null, TopP: null, TopK: null, MaxOutputTokens: null, StopSequences: null, Seed: null,
            FrequencyPenalty: null, PresencePenalty: null, ResponseMimeType: null, ThinkingConfig: null,
        };
        return empty ? null : config;
    }
}
