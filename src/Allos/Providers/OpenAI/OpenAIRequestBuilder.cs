using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Allos.Providers.OpenAI;

/// <summary>Maps Microsoft.Extensions.AI messages and options to a Chat Completions request.</summary>
internal static class OpenAIRequestBuilder
{
    /// <summary>
    /// The <see cref="ChatOptions.AdditionalProperties"/> key (a <see cref="bool"/>) asking for <c>json_schema.strict</c>:
    /// <see cref="ChatResponseFormatJson"/> has no place for it. Never sent as a field of its own (an <c>allos.</c> key).
    /// </summary>
    public const string StrictSchemaKey = "allos.strict_json_schema";

    public static OpenAIRequest Build(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, OpenAIDialect dialect, bool stream)
    {
        string provider = dialect.Provider;
        var request = new OpenAIRequest
        {
            Model = options?.ModelId ?? model,
            Messages = new OpenAIMessages(messages, options?.Instructions, dialect),
        };

        if (stream)
        {
            request.Stream = true;

            // Without this, OpenAI-compatible servers send no usage at all in streams.
            request.StreamOptions = new OpenAIStreamOptions(IncludeUsage: true);
        }

        if (options is null)
        {
            return request;
        }

        if (options.TopK is not null)
        {
            throw new FeatureNotSupportedException(provider, "top-k sampling (ChatOptions.TopK)", "Remove TopK, or pass it through AdditionalProperties if this server accepts it.");
        }

        request.Temperature = options.Temperature;
        request.TopP = options.TopP;
        request.Seed = options.Seed;
        request.FrequencyPenalty = options.FrequencyPenalty;
        request.PresencePenalty = options.PresencePenalty;
        request.Stop = options.StopSequences is { Count: > 0 } stop ? stop : null;
        if (dialect.UseMaxCompletionTokens)
        {
            request.MaxCompletionTokens = options.MaxOutputTokens;
        }
        else
        {
            request.MaxTokens = options.MaxOutputTokens;
        }

        request.ReasoningEffort = options.Reasoning?.Effort switch
        {
            null => null,
            ReasoningEffort.None => "none",
            ReasoningEffort.Low => "low",
            ReasoningEffort.Medium => "medium",
            ReasoningEffort.High => "high",
            _ => "xhigh",
        };

        if (HostedSearch.Tool(options) is { } search)
        {
            request.WebSearchOptions = new OpenAIWebSearchOptions
            {
                SearchContextSize = search.AdditionalProperties?.TryGetValue("search_context_size", out object? size) == true ? size?.ToString() : null,
                UserLocation = search.AdditionalProperties?.TryGetValue("user_location", out object? location) == true && location is JsonElement place ? place : null,
            };
        }

        if (ToolDeclarations.Functions(options, provider, hostedWebSearch: true) is { } functions)
        {
            request.Tools = new List<OpenAITool>(functions.Count);
            foreach (AIFunctionDeclaration function in functions)
            {
                request.Tools.Add(new OpenAITool
                {
                    Function = new OpenAIFunctionDefinition
                    {
                        Name = function.Name,
                        Description = string.IsNullOrEmpty(function.Description) ? null : function.Description,
                        Parameters = ToolDeclarations.ObjectSchema(function),
                    },
                });
            }

            request.ParallelToolCalls = options.AllowMultipleToolCalls;
        }

        request.ToolChoice = options.ToolMode switch
        {
            null => null,
            NoneChatToolMode => "none",
            RequiredChatToolMode { RequiredFunctionName: string name } => new OpenAINamedToolChoice("function", new OpenAIFunctionName(name)),
            RequiredChatToolMode => "required",
            _ => request.Tools is null ? null : "auto",
        };

        request.ResponseFormat = options.ResponseFormat switch
        {
            ChatResponseFormatJson { Schema: JsonElement schema } json => new OpenAIResponseFormat
            {
                Type = "json_schema",
                JsonSchema = new OpenAIJsonSchema
                {
                    Name = json.SchemaName ?? "response",
                    Description = json.SchemaDescription,
                    Schema = schema,
                    Strict = options.AdditionalProperties?.TryGetValue(StrictSchemaKey, out object? strict) == true && strict is true ? true : null,
                },
            },
            ChatResponseFormatJson => new OpenAIResponseFormat { Type = "json_object" },
            _ => null,
        };

        request.Extra = AdditionalProperties.ToJson(options.AdditionalProperties);
        return request;
    }
}
