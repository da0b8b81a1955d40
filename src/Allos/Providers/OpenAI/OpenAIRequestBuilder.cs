using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Allos.Providers.OpenAI;

/// <summary>Maps Microsoft.Extensions.AI messages and options to a Chat Completions request.</summary>
internal static class OpenAIRequestBuilder
{
    public static OpenAIRequest Build(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, OpenAIDialect dialect, bool stream)
    {
        string provider = dialect.Provider;
        var request = new OpenAIRequest
        {
            Model = options?.ModelId ?? model,
            Messages = BuildMessages(messages, options, dialect),
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

        if (ToolDeclarations.Functions(options, provider) is { } functions)
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
                JsonSchema = new OpenAIJsonSchema { Name = json.SchemaName ?? "response", Description = json.SchemaDescription, Schema = schema },
            },
            ChatResponseFormatJson => new OpenAIResponseFormat { Type = "json_object" },
            _ => null,
        };

        request.Extra = AdditionalProperties.ToJson(options.AdditionalProperties);
        return request;
    }

    private static List<OpenAIMessage> BuildMessages(IEnumerable<ChatMessage> messages, ChatOptions? options, OpenAIDialect dialect)
    {
        var result = new List<OpenAIMessage>(messages.TryGetNonEnumeratedCount(out int count) ? count + 1 : 4);
        if (!string.IsNullOrEmpty(options?.Instructions))
        {
            result.Add(new OpenAIMessage { Role = "system", Content = options.Instructions });
        }

        foreach (ChatMessage message in messages)
        {
            if (message.Role == ChatRole.System)
            {
                // OpenAI accepts system messages anywhere, so they stay where the caller put them.
                result.Add(new OpenAIMessage { Role = "system", Content = message.Text, Name = message.AuthorName });
            }
            else if (message.Role == ChatRole.Assistant)
            {
                AddAssistant(result, message, dialect);
            }
            else
            {
                AddUserOrTool(result, message, dialect.Provider);
            }
        }

        return result;
    }

    private static void AddAssistant(List<OpenAIMessage> result, ChatMessage message, OpenAIDialect dialect)
    {
        TextParts text = default, reasoning = default;
        List<OpenAIToolCall>? calls = null;
        for (int i = 0; i < message.Contents.Count; i++) // indexed: foreach over IList<T> boxes an enumerator per message
        {
            AIContent content = message.Contents[i];
            switch (content)
            {
                case TextContent t:
                    text.Append(t.Text);
                    break;
                case TextReasoningContent r when dialect.EchoReasoning:
                    reasoning.Append(r.Text);
                    break;
                case TextReasoningContent:
                    break; // api.openai.com keeps reasoning server-side; Chat Completions has no field to send it back in.
                case FunctionCallContent call:
                    (calls ??= []).Add(new OpenAIToolCall
                    {
                        Id = call.CallId,
                        Type = "function",
                        Function = new OpenAIFunctionCall { Name = call.Name, Arguments = WireContent.ArgumentsToJson(call.Arguments) },
                    });
                    break;
                case FunctionResultContent:
                    break; // results belong to tool messages; handled below
                default:
                    throw new FeatureNotSupportedException(dialect.Provider, $"{content.GetType().Name} in an assistant message");
            }
        }

        if (text.Any || calls is not null || reasoning.Any)
        {
            result.Add(new OpenAIMessage
            {
                Role = "assistant",
                Content = text.ToString(),
                Name = message.AuthorName,
                ToolCalls = calls,
                ReasoningContent = reasoning.ToString(),
            });
        }

        AddToolResults(result, message);
    }

    private static void AddUserOrTool(List<OpenAIMessage> result, ChatMessage message, string provider)
    {
        // The common case, a message of one text, is the caller's string as it is: no parts list to join.
        if (message.Contents is [TextContent only])
        {
            result.Add(new OpenAIMessage { Role = "user", Content = only.Text, Name = message.AuthorName });
            return;
        }

        AddToolResults(result, message);

        List<OpenAIContentPart>? parts = null;
        bool onlyText = true;
        for (int i = 0; i < message.Contents.Count; i++)
        {
            AIContent content = message.Contents[i];
            OpenAIContentPart? part = content switch
            {
                TextContent t => new OpenAIContentPart { Type = "text", Text = t.Text },
                DataContent d when d.HasTopLevelMediaType("image") => new OpenAIContentPart { Type = "image_url", ImageUrl = new OpenAIImageUrl(d.Uri, Detail(d)) },
                UriContent u when u.HasTopLevelMediaType("image") => new OpenAIContentPart { Type = "image_url", ImageUrl = new OpenAIImageUrl(u.Uri.AbsoluteUri, Detail(u)) },
                DataContent d when d.HasTopLevelMediaType("audio") => new OpenAIContentPart { Type = "input_audio", InputAudio = new OpenAIInputAudio(d.Base64Data.ToString(), AudioFormat(d, provider)) },
                DataContent d when d.MediaType == "application/pdf" => new OpenAIContentPart { Type = "file", File = new OpenAIFile(d.Name ?? "document.pdf", d.Uri) },
                FunctionResultContent or FunctionCallContent or TextReasoningContent or UsageContent => null,
                _ => throw new FeatureNotSupportedException(provider, DescribeUnsupported(content)),
            };

            if (part is null)
            {
                continue;
            }

            onlyText &= part.Type == "text";
            (parts ??= []).Add(part);
        }

        if (parts is null)
        {
            return;
        }

        object body = onlyText ? string.Concat(parts.Select(p => p.Text)) : parts;
        result.Add(new OpenAIMessage { Role = "user", Content = body, Name = message.AuthorName });
    }

    private static void AddToolResults(List<OpenAIMessage> result, ChatMessage message)
    {
        for (int i = 0; i < message.Contents.Count; i++)
        {
            AIContent content = message.Contents[i];
            if (content is FunctionResultContent r)
            {
                result.Add(new OpenAIMessage { Role = "tool", ToolCallId = r.CallId, Content = WireContent.ResultToText(r) });
            }
        }
    }

    private static string? Detail(AIContent content) =>
        content.AdditionalProperties?.TryGetValue("detail", out object? detail) == true ? detail?.ToString() : null;

    private static string AudioFormat(DataContent data, string provider) => data.MediaType switch
    {
        "audio/wav" or "audio/x-wav" or "audio/wave" => "wav",
        "audio/mpeg" or "audio/mp3" => "mp3",
        _ => throw new FeatureNotSupportedException(provider, $"audio of type {data.MediaType}", "Send WAV or MP3."),
    };

    private static string DescribeUnsupported(AIContent content) => content switch
    {
        DataContent d => $"input of media type {d.MediaType}",
        UriContent u => $"a URL of media type {u.MediaType} ({u.Uri})",
        _ => $"{content.GetType().Name} content",
    };
}
