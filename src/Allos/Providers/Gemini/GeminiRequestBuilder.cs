using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Gemini;

/// <summary>Maps Microsoft.Extensions.AI messages and options to a <c>generateContent</c> request.</summary>
internal static class GeminiRequestBuilder
{
    private const string UserRole = "user";
    private const string ModelRole = "model";

    public static GeminiRequest Build(IEnumerable<ChatMessage> messages, ChatOptions? options, string provider)
    {
        IReadOnlyList<ChatMessage> history = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var request = new GeminiRequest { Contents = BuildContents(history, provider) };
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
        if (ToolDeclarations.Functions(options, provider) is { } functions)
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

        GeminiFunctionCallingConfig? calling = options.ToolMode switch
        {
            null => null,
            NoneChatToolMode => new GeminiFunctionCallingConfig { Mode = "NONE" },
            RequiredChatToolMode { RequiredFunctionName: string name } => new GeminiFunctionCallingConfig { Mode = "ANY", AllowedFunctionNames = [name] },
            RequiredChatToolMode => new GeminiFunctionCallingConfig { Mode = "ANY" },
            _ => request.Tools is null ? null : new GeminiFunctionCallingConfig { Mode = "AUTO" },
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

    private static List<GeminiContent> BuildContents(IReadOnlyList<ChatMessage> history, string provider)
    {
        var contents = new List<GeminiContent>();

        // Gemini answers a call with the function's name; results only carry the call id, so names are looked up here.
        var calls = new Dictionary<string, FunctionCallContent>(StringComparer.Ordinal);
        foreach (ChatMessage message in history)
        {
            if (message.Role == ChatRole.System)
            {
                continue; // in systemInstruction
            }

            string role = message.Role == ChatRole.Assistant ? ModelRole : UserRole;
            for (int i = 0; i < message.Contents.Count; i++) // indexed: foreach over IList<T> boxes an enumerator per message
            {
                AIContent content = message.Contents[i];
                switch (content)
                {
                    case TextContent text:
                        string? signature = GeminiProperties.GetString(text.AdditionalProperties, GeminiProperties.ThoughtSignature);
                        if (text.Text.Length > 0 || signature is not null)
                        {
                            Append(contents, role, new GeminiPart { Text = text.Text, ThoughtSignature = signature });
                        }

                        break;
                    case TextReasoningContent reasoning:
                        if (ReasoningPart(reasoning) is { } thought)
                        {
                            Append(contents, role, thought);
                        }

                        break;
                    case DataContent data:
                        Append(contents, role, new GeminiPart { InlineData = new GeminiBlob { MimeType = data.MediaType, Data = data.Base64Data.ToString() } });
                        break;
                    case UriContent uri:
                        Append(contents, role, new GeminiPart { FileData = new GeminiFileData { MimeType = uri.MediaType, FileUri = uri.Uri.AbsoluteUri } });
                        break;
                    case FunctionCallContent call:
                        calls[call.CallId] = call;
                        Append(contents, ModelRole, new GeminiPart
                        {
                            FunctionCall = new GeminiFunctionCall
                            {
                                Id = GeminiProperties.GetString(call.AdditionalProperties, GeminiProperties.CallId),
                                Name = call.Name,
                                Args = WireContent.ArgumentsToElement(call.Arguments),
                            },
                            ThoughtSignature = GeminiProperties.GetString(call.AdditionalProperties, GeminiProperties.ThoughtSignature),
                        });
                        break;
                    case FunctionResultContent result:
                        Append(contents, UserRole, new GeminiPart { FunctionResponse = ResponsePart(result, calls) });
                        break;
                    case UsageContent:
                        break;
                    default:
                        throw new FeatureNotSupportedException(provider, $"{content.GetType().Name} content",
                            "Send text, DataContent (inline data), UriContent (file URIs), function calls and results.");
                }
            }
        }

        return contents;
    }

    private static GeminiPart? ReasoningPart(TextReasoningContent reasoning)
    {
        // Another provider's reasoning is dropped: its signature means nothing to Gemini and would be rejected.
        if (reasoning.AdditionalProperties?.ContainsKey(GeminiProperties.Thought) != true)
        {
            return null;
        }

        if (reasoning.Text.Length == 0)
        {
            // The signature-only part Gemini sends at the end of a turn goes back as it came: an empty text part.
            return reasoning.ProtectedData is { Length: > 0 } signature ? new GeminiPart { Text = "", ThoughtSignature = signature } : null;
        }

        return new GeminiPart { Text = reasoning.Text, Thought = true, ThoughtSignature = reasoning.ProtectedData };
    }

    private static GeminiFunctionResponse ResponsePart(FunctionResultContent result, Dictionary<string, FunctionCallContent> calls)
    {
        // Without the matching call in the history (a trimmed context), the call id is the best name available.
        calls.TryGetValue(result.CallId, out FunctionCallContent? call);
        string name = call?.Name ?? result.CallId;
        return new GeminiFunctionResponse
        {
            Id = call is null ? null : GeminiProperties.GetString(call.AdditionalProperties, GeminiProperties.CallId),
            Name = name,
            Response = new GeminiFunctionResult { Name = name, Content = WireContent.ResultToElement(result) },
        };
    }

    /// <summary>Adds a part to the last turn when it has the same role: Gemini wants user and model turns to alternate.</summary>
    private static void Append(List<GeminiContent> contents, string role, GeminiPart part)
    {
        if (contents.Count > 0 && contents[^1].Role == role)
        {
            contents[^1].Parts!.Add(part);
        }
        else
        {
            contents.Add(new GeminiContent { Role = role, Parts = [part] });
        }
    }
}
