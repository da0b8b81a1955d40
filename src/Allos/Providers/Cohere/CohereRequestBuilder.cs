using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Cohere;

/// <summary>Maps Microsoft.Extensions.AI messages and options to a v2 Chat request.</summary>
internal static class CohereRequestBuilder
{
    public static CohereRequest Build(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, string provider, bool stream)
    {
        var request = new CohereRequest
        {
            Model = options?.ModelId ?? model,
            Messages = new CohereMessages(messages, options?.Instructions, provider),
            Stream = stream ? true : null,
        };

        if (options is null)
        {
            return request;
        }

        request.MaxTokens = options.MaxOutputTokens;
        request.Temperature = options.Temperature;
        request.P = options.TopP;
        request.K = options.TopK;
        request.Seed = options.Seed;
        request.FrequencyPenalty = options.FrequencyPenalty;
        request.PresencePenalty = options.PresencePenalty;
        request.StopSequences = options.StopSequences is { Count: > 0 } stop ? stop : null;
        request.Thinking = options.Reasoning?.Effort switch
        {
            null => null,
            ReasoningEffort.None => new CohereThinking("disabled"),
            ReasoningEffort.Low => new CohereThinking("enabled", 1024),
            ReasoningEffort.Medium => new CohereThinking("enabled", 4096),
            ReasoningEffort.High => new CohereThinking("enabled", 16384),
            _ => new CohereThinking("enabled", 32768),
        };

        if (ToolDeclarations.Functions(options, provider) is { } functions)
        {
            request.Tools = new List<CohereTool>(functions.Count);
            foreach (AIFunctionDeclaration function in functions)
            {
                request.Tools.Add(new CohereTool
                {
                    Function = new CohereFunctionDefinition
                    {
                        Name = function.Name,
                        Description = string.IsNullOrEmpty(function.Description) ? null : function.Description,
                        Parameters = ToolDeclarations.ObjectSchema(function),
                    },
                });
            }
        }

        request.ToolChoice = options.ToolMode switch
        {
            RequiredChatToolMode { RequiredFunctionName: string name } => throw new FeatureNotSupportedException(provider,
                $"forcing one named tool (ChatToolMode.RequireSpecific(\"{name}\"))", "Cohere can require a tool call but not choose which: use ChatToolMode.RequireAny, or send only that tool."),
            RequiredChatToolMode when request.Tools is not null => "REQUIRED",
            NoneChatToolMode when request.Tools is not null => "NONE",
            _ => null,
        };

        request.ResponseFormat = options.ResponseFormat switch
        {
            ChatResponseFormatJson { Schema: JsonElement schema } => new CohereResponseFormat { Type = "json_object", JsonSchema = schema },
            ChatResponseFormatJson => new CohereResponseFormat { Type = "json_object" },
            _ => null,
        };

        request.Extra = AdditionalProperties.ToJson(options.AdditionalProperties);
        return request;
    }
}
