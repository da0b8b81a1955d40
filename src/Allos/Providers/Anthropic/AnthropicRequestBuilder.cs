using System.Text.Json;
using System.Text.Json.Nodes;
using Allos.Models;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Anthropic;

/// <summary>Maps Microsoft.Extensions.AI messages and options to a Messages API request.</summary>
internal static class AnthropicRequestBuilder
{
    /// <summary>Marks a <see cref="TextReasoningContent"/> whose <see cref="TextReasoningContent.ProtectedData"/> is a <c>redacted_thinking</c> block's <c>data</c>.</summary>
    public const string RedactedThinkingKey = "anthropic.redacted_thinking";

    /// <summary>The name of the forced tool used for JSON schema output when the format names no schema.</summary>
    public const string DefaultJsonToolName = "json_response";

    /// <summary>Appended to the system prompt for JSON output without a schema.</summary>
    public const string JsonInstruction = "Respond with a single JSON object and nothing else.";

    public static AnthropicRequest Build(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, string provider, bool stream)
    {
        List<ChatMessage> history = [.. messages];
        string modelId = options?.ModelId ?? model;
        var request = new AnthropicRequest
        {
            Model = modelId,
            MaxTokens = options?.MaxOutputTokens ?? DefaultMaxTokens(modelId),
            System = WireContent.SystemPrompt(history, options),
            Messages = BuildMessages(history, provider),
            Stream = stream ? true : null,
        };

        if (options is null)
        {
            return request;
        }

        if (options.Seed is not null)
        {
            throw new FeatureNotSupportedException(provider, "a sampling seed (ChatOptions.Seed)", "Remove Seed; the Messages API has no seed.");
        }

        if (options.FrequencyPenalty is not null || options.PresencePenalty is not null)
        {
            throw new FeatureNotSupportedException(provider, "frequency or presence penalties (ChatOptions.FrequencyPenalty, PresencePenalty)",
                "Remove them; the Messages API has no penalties.");
        }

        request.Temperature = options.Temperature;
        request.TopP = options.TopP;
        request.TopK = options.TopK;
        request.StopSequences = options.StopSequences is { Count: > 0 } stop ? stop : null;

        if (ThinkingBudget(options.Reasoning?.Effort) is int budget)
        {
            request.Thinking = new AnthropicThinking("enabled", budget);

            // budget_tokens must be below max_tokens; leave room for the answer itself.
            if (budget >= request.MaxTokens)
            {
                request.MaxTokens = budget + 4096;
            }
        }

        if (ToolDeclarations.Functions(options, provider) is { } functions)
        {
            request.Tools = new List<AnthropicTool>(functions.Count);
            foreach (AIFunctionDeclaration function in functions)
            {
                request.Tools.Add(new AnthropicTool
                {
                    Name = function.Name,
                    Description = string.IsNullOrEmpty(function.Description) ? null : function.Description,
                    InputSchema = ToolDeclarations.ObjectSchema(function),
                });
            }
        }

        request.ToolChoice = ToolChoice(options, hasTools: request.Tools is not null);
        ApplyResponseFormat(request, options, provider);
        if (request.Thinking is not null && request.ToolChoice?.Type is "any" or "tool")
        {
            throw new FeatureNotSupportedException(provider, $"forced tool use (a required ToolMode, or JSON schema output on {request.Model}, which has no native structured output) together with extended thinking",
                "Anthropic rejects tool_choice any/tool while thinking is enabled: drop ChatOptions.Reasoning or the forcing option.");
        }

        request.Extra = AdditionalProperties.ToJson(options.AdditionalProperties);
        MergeOutputConfig(request);
        return request;
    }

    /// <summary>
    /// Whether <paramref name="model"/> takes <c>output_config.format</c>: what the catalog says of it, and
    /// <see langword="true"/> for a model it does not list, since every current Claude model has it and a newer id
    /// should not fall back to the forced tool. Older models are listed with <see cref="ModelCapabilities.NativeJsonSchema"/> off.
    /// </summary>
    internal static bool HasNativeJsonSchema(string model) =>
        ModelCatalog.Default.Find("anthropic/" + model)?.Capabilities.NativeJsonSchema ?? true;

    /// <summary>The output cap sent when the caller set none: <c>max_tokens</c> is required. Claude 3 (not 3.5/3.7) models stop at 4096.</summary>
    internal static int DefaultMaxTokens(string model) =>
        model.StartsWith("claude-3-", StringComparison.OrdinalIgnoreCase)
        && !model.StartsWith("claude-3-5", StringComparison.OrdinalIgnoreCase)
        && !model.StartsWith("claude-3-7", StringComparison.OrdinalIgnoreCase)
            ? 4096
            : 8192;

    private static int? ThinkingBudget(ReasoningEffort? effort) => effort switch
    {
        null or ReasoningEffort.None => null,
        ReasoningEffort.Low => 1024,
        ReasoningEffort.Medium => 4096,
        ReasoningEffort.High => 16384,
        _ => 32768,
    };

    private static AnthropicToolChoice? ToolChoice(ChatOptions options, bool hasTools)
    {
        // disable_parallel_tool_use lives inside tool_choice, so "one call at a time" needs an explicit choice.
        bool? disableParallel = options.AllowMultipleToolCalls == false && hasTools ? true : null;
        return options.ToolMode switch
        {
            RequiredChatToolMode { RequiredFunctionName: string name } => new AnthropicToolChoice { Type = "tool", Name = name, DisableParallelToolUse = disableParallel },
            RequiredChatToolMode => new AnthropicToolChoice { Type = "any", DisableParallelToolUse = disableParallel },

            // tool_choice is only accepted alongside tools; with none, "none" and "auto" already hold.
            NoneChatToolMode => hasTools ? new AnthropicToolChoice { Type = "none" } : null,
            _ => hasTools && (options.ToolMode is not null || disableParallel is not null)
                ? new AnthropicToolChoice { Type = "auto", DisableParallelToolUse = disableParallel }
                : null,
        };
    }

    private static void ApplyResponseFormat(AnthropicRequest request, ChatOptions options, string provider)
    {
        if (options.ResponseFormat is not ChatResponseFormatJson json)
        {
            return;
        }

        if (json.Schema is not JsonElement schema)
        {
            // The Messages API has no JSON mode; without a schema to force, asking is the best we can do.
            request.System = string.IsNullOrEmpty(request.System) ? JsonInstruction : request.System + "\n\n" + JsonInstruction;
            return;
        }

        if (HasNativeJsonSchema(request.Model))
        {
            // Constrained decoding: the answer's text is the JSON, alongside any tools, tool_choice and thinking.
            request.OutputConfig = new AnthropicOutputConfig(new AnthropicOutputFormat("json_schema", AnthropicSchema.Strict(schema, json.SchemaDescription)));
            return;
        }

        if (request.Tools is not null)
        {
            throw new FeatureNotSupportedException(provider, $"JSON schema output together with tools on {request.Model}",
                "This model has no native structured output, so Allos asks for the schema as one forced tool call: send the tools and the schema "
                + "in separate requests, or use a model that has it (Claude Sonnet 4.5, Opus 4.5, Haiku 4.5 or newer).");
        }

        // Older models have no structured output: declare one tool whose input schema is the requested schema and force
        // the model to call it. The call's input is then the JSON answer, returned as text (see AnthropicResponseParser).
        string name = json.SchemaName ?? DefaultJsonToolName;
        request.Tools =
        [
            new AnthropicTool
            {
                Name = name,
                Description = json.SchemaDescription ?? "Respond with a JSON value matching this schema.",
                InputSchema = schema,
            },
        ];
        request.ToolChoice = new AnthropicToolChoice { Type = "tool", Name = name };
        request.JsonToolName = name;
    }

    /// <summary>An <c>output_config</c> passed through AdditionalProperties (say, its <c>effort</c>) gets the format added, not a second field of the same name.</summary>
    private static void MergeOutputConfig(AnthropicRequest request)
    {
        if (request.OutputConfig is not { } config
            || request.Extra is not { } fields
            || !fields.TryGetValue("output_config", out JsonElement extra)
            || extra.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var merged = (JsonObject)JsonNode.Parse(extra.GetRawText())!;
        merged["format"] = new JsonObject { ["type"] = config.Format.Type, ["schema"] = JsonNode.Parse(config.Format.Schema.GetRawText()) };
        using JsonDocument document = JsonDocument.Parse(merged.ToJsonString());
        fields["output_config"] = document.RootElement.Clone();
        request.OutputConfig = null;
    }

    private static List<AnthropicMessage> BuildMessages(List<ChatMessage> messages, string provider)
    {
        var result = new List<AnthropicMessage>();
        foreach (ChatMessage message in messages)
        {
            if (message.Role == ChatRole.System)
            {
                continue; // carried by the top-level "system" field
            }

            if (message.Role == ChatRole.Assistant)
            {
                var blocks = new List<AnthropicContentBlock>();
                List<AnthropicContentBlock>? results = null;
                for (int i = 0; i < message.Contents.Count; i++) // indexed: foreach over IList<T> boxes an enumerator per message
                {
                    AIContent content = message.Contents[i];
                    if (content is FunctionResultContent r)
                    {
                        (results ??= []).Add(ToolResult(r));
                    }
                    else if (AssistantBlock(content, provider) is { } block)
                    {
                        blocks.Add(block);
                    }
                }

                Append(result, "assistant", blocks);

                // A result misplaced in an assistant message still has to reach the model, in the user turn that follows.
                Append(result, "user", results);
            }
            else
            {
                // User, Tool, and any custom role: tool results go in user turns.
                var blocks = new List<AnthropicContentBlock>();
                for (int i = 0; i < message.Contents.Count; i++)
                {
                    AIContent content = message.Contents[i];
                    if (UserBlock(content, provider) is { } block)
                    {
                        blocks.Add(block);
                    }
                }

                Append(result, "user", blocks);
            }
        }

        foreach (AnthropicMessage message in result)
        {
            if (message.Role == "user")
            {
                // Within a user turn, tool_result blocks must come before any other block. The sort is stable.
                message.Content = [.. message.Content.OrderBy(b => b.Type == "tool_result" ? 0 : 1)];
            }
        }

        return result;
    }

    /// <summary>Adds blocks as a turn of <paramref name="role"/>, merged into the previous turn when it has the same role (the API requires alternation).</summary>
    private static void Append(List<AnthropicMessage> result, string role, List<AnthropicContentBlock>? blocks)
    {
        if (blocks is not { Count: > 0 })
        {
            return;
        }

        if (result.Count > 0 && result[^1].Role == role)
        {
            result[^1].Content.AddRange(blocks);
        }
        else
        {
            result.Add(new AnthropicMessage { Role = role, Content = blocks });
        }
    }

    private static AnthropicContentBlock? AssistantBlock(AIContent content, string provider) => content switch
    {
        TextContent { Text.Length: > 0 } t => new AnthropicContentBlock { Type = "text", Text = t.Text },
        TextContent => null, // the API rejects empty text blocks
        TextReasoningContent r => Reasoning(r),
        FunctionCallContent call => new AnthropicContentBlock
        {
            Type = "tool_use",
            Id = call.CallId,
            Name = call.Name,
            Input = WireContent.ArgumentsToElement(call.Arguments),
        },
        UsageContent => null,
        _ => throw new FeatureNotSupportedException(provider, $"{Describe(content)} in an assistant message"),
    };

    /// <summary>
    /// Thinking goes back exactly as it came: text and signature unchanged, or a redacted block's data. Reasoning without
    /// <see cref="TextReasoningContent.ProtectedData"/> (from another provider, or summarised by the caller) is dropped:
    /// Anthropic rejects thinking blocks without a valid signature, and it is the model's private scratchpad, not part of
    /// the conversation the next turn needs.
    /// </summary>
    private static AnthropicContentBlock? Reasoning(TextReasoningContent reasoning)
    {
        if (string.IsNullOrEmpty(reasoning.ProtectedData))
        {
            return null;
        }

        return IsRedacted(reasoning)
            ? new AnthropicContentBlock { Type = "redacted_thinking", Data = reasoning.ProtectedData }
            : new AnthropicContentBlock { Type = "thinking", Thinking = reasoning.Text ?? "", Signature = reasoning.ProtectedData };
    }

    private static bool IsRedacted(TextReasoningContent reasoning) =>
        reasoning.AdditionalProperties?.TryGetValue(RedactedThinkingKey, out object? value) == true
        && value switch
        {
            bool flag => flag,
            JsonElement { ValueKind: JsonValueKind.True } => true,
            string text => bool.TryParse(text, out bool parsed) && parsed,
            _ => false,
        };

    private static AnthropicContentBlock? UserBlock(AIContent content, string provider) => content switch
    {
        TextContent { Text.Length: > 0 } t => new AnthropicContentBlock { Type = "text", Text = t.Text },
        TextContent => null,
        FunctionResultContent r => ToolResult(r),
        DataContent d when d.HasTopLevelMediaType("image") => new AnthropicContentBlock
        {
            Type = "image",
            Source = new AnthropicSource { Type = "base64", MediaType = ImageMediaType(d.MediaType, provider), Data = d.Base64Data.ToString() },
        },
        UriContent u when u.HasTopLevelMediaType("image") => new AnthropicContentBlock
        {
            Type = "image",
            Source = new AnthropicSource { Type = "url", Url = u.Uri.AbsoluteUri },
        },
        DataContent d when d.MediaType == "application/pdf" => new AnthropicContentBlock
        {
            Type = "document",
            Source = new AnthropicSource { Type = "base64", MediaType = d.MediaType, Data = d.Base64Data.ToString() },
        },
        UriContent u when u.MediaType == "application/pdf" => new AnthropicContentBlock
        {
            Type = "document",
            Source = new AnthropicSource { Type = "url", Url = u.Uri.AbsoluteUri },
        },

        // Reasoning and usage describe an earlier answer, not something the user says.
        TextReasoningContent or UsageContent => null,
        _ => throw new FeatureNotSupportedException(provider, $"{Describe(content)} in a user message"),
    };

    private static AnthropicContentBlock ToolResult(FunctionResultContent result) => new()
    {
        Type = "tool_result",
        ToolUseId = result.CallId,
        Content = WireContent.ResultToText(result),
        IsError = result.Exception is not null ? true : null,
    };

    private static string ImageMediaType(string mediaType, string provider) => mediaType switch
    {
        "image/jpeg" or "image/png" or "image/gif" or "image/webp" => mediaType,
        "image/jpg" => "image/jpeg",
        _ => throw new FeatureNotSupportedException(provider, $"images of type {mediaType}", "Send JPEG, PNG, GIF or WebP."),
    };

    private static string Describe(AIContent content) => content switch
    {
        DataContent d => $"input of media type {d.MediaType}",
        UriContent u => $"a URL of media type {u.MediaType} ({u.Uri})",
        _ => $"{content.GetType().Name} content",
    };
}
