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
        IReadOnlyList<ChatMessage> history = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        string modelId = options?.ModelId ?? model;
        var request = new AnthropicRequest
        {
            Model = modelId,
            MaxTokens = options?.MaxOutputTokens ?? DefaultMaxTokens(modelId),
            System = WireContent.SystemPrompt(history, options),
            Messages = new AnthropicMessages(history, provider),
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

        if (ThinkingBudget(options) is int budget)
        {
            request.Thinking = new AnthropicThinking("enabled", budget);

            // budget_tokens must be below max_tokens; leave room for the answer itself.
            if (budget >= request.MaxTokens)
            {
                request.MaxTokens = budget + 4096;
            }
        }

        if (ToolDeclarations.Functions(options, provider, hostedWebSearch: true) is { } functions)
        {
            request.Tools = new List<AnthropicTool>(functions.Count);
            foreach (AIFunctionDeclaration function in functions)
            {
                request.Tools.Add(new AnthropicTool
                {
                    Name = function.Name,
                    Description = string.IsNullOrEmpty(function.Description) ? null : function.Description,
                    InputSchema = ToolDeclarations.ObjectSchema(function),
                    CacheControl = CacheControl(function.AdditionalProperties),
                });
            }
        }

        if (HostedSearch.Tool(options) is { } search)
        {
            (request.Tools ??= []).Add(WebSearchTool(search));
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
        CachedSystem(request, history, options);
        return request;
    }

    /// <summary>
    /// Reads a block's <c>cache_control</c> (<see cref="AnthropicProperties.CacheControlKey"/>): a JSON object as is, or a
    /// string naming its type. <see langword="null"/> when there is none.
    /// </summary>
    internal static JsonElement? CacheControl(IReadOnlyDictionary<string, object?>? properties)
    {
        if (properties is null || properties.Count == 0 || !properties.TryGetValue(AnthropicProperties.CacheControlKey, out object? value))
        {
            return null;
        }

        return value switch
        {
            JsonElement { ValueKind: JsonValueKind.Object } element => element,
            "ephemeral" => Ephemeral,
            string type => JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["type"] = type }, AnthropicJsonContext.Default.DictionaryStringString),
            _ => null,
        };
    }

    private static readonly JsonElement Ephemeral = JsonDocument.Parse("{\"type\":\"ephemeral\"}").RootElement.Clone();

    /// <summary>
    /// A system prompt with a cache breakpoint is sent as text blocks (one per text of the instructions and system
    /// messages), since only a block carries <c>cache_control</c>; otherwise it stays one string.
    /// </summary>
    private static void CachedSystem(AnthropicRequest request, IReadOnlyList<ChatMessage> history, ChatOptions options)
    {
        List<AnthropicContentBlock>? blocks = null;
        bool cached = false;
        for (int i = 0; i < history.Count; i++)
        {
            if (history[i].Role != ChatRole.System)
            {
                continue;
            }

            foreach (AIContent content in history[i].Contents)
            {
                if (content is TextContent { Text.Length: > 0 } text)
                {
                    JsonElement? cache = CacheControl(text.AdditionalProperties);
                    cached |= cache is not null;
                    (blocks ??= []).Add(new AnthropicContentBlock { Type = "text", Text = text.Text, CacheControl = cache });
                }
            }
        }

        if (!cached || blocks is null)
        {
            return;
        }

        if (!string.IsNullOrEmpty(options.Instructions))
        {
            blocks.Insert(0, new AnthropicContentBlock { Type = "text", Text = options.Instructions });
        }

        if (request.System?.EndsWith(JsonInstruction, StringComparison.Ordinal) == true)
        {
            blocks.Add(new AnthropicContentBlock { Type = "text", Text = JsonInstruction });
        }

        (request.Extra ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal))["system"] =
            JsonSerializer.SerializeToElement(blocks, AnthropicJsonContext.Default.ListAnthropicContentBlock);
        request.System = null;
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

    /// <summary>The <c>budget_tokens</c> to send: an exact one the caller set (see <see cref="AnthropicProperties.ThinkingBudgetKey"/>) or its effort's.</summary>
    private static int? ThinkingBudget(ChatOptions options)
    {
        int? budget = ThinkingBudget(options.Reasoning?.Effort);
        if (budget is not null && options.AdditionalProperties?.TryGetValue(AnthropicProperties.ThinkingBudgetKey, out object? exact) == true)
        {
            return exact switch
            {
                int tokens when tokens > 0 => tokens,
                long tokens when tokens is > 0 and <= int.MaxValue => (int)tokens,
                _ => budget,
            };
        }

        return budget;
    }

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

    /// <summary>
    /// Anthropic's web search server tool. Its settings come from the tool's AdditionalProperties under their wire names:
    /// <c>max_uses</c>, <c>allowed_domains</c>, <c>blocked_domains</c>, <c>user_location</c>.
    /// </summary>
    private static AnthropicTool WebSearchTool(HostedWebSearchTool search)
    {
        IReadOnlyDictionary<string, object?>? settings = search.AdditionalProperties;
        return new AnthropicTool
        {
            Type = "web_search_20250305",
            Name = "web_search",
            MaxUses = Setting(settings, "max_uses") is { } uses ? Convert.ToInt32(uses is JsonElement e ? e.GetInt32() : uses, System.Globalization.CultureInfo.InvariantCulture) : null,
            AllowedDomains = Strings(Setting(settings, "allowed_domains")),
            BlockedDomains = Strings(Setting(settings, "blocked_domains")),
            UserLocation = Setting(settings, "user_location") is { } location
                ? location is JsonElement element ? element : JsonSerializer.SerializeToElement(location, AllosJson.TypeInfo<object>())
                : null,
        };
    }

    private static object? Setting(IReadOnlyDictionary<string, object?>? settings, string key) =>
        settings is not null && settings.TryGetValue(key, out object? value) ? value : null;

    private static IList<string>? Strings(object? value) => value switch
    {
        null => null,
        string one => [one],
        JsonElement { ValueKind: JsonValueKind.Array } array => [.. array.EnumerateArray().Select(d => d.GetString() ?? "")],
        IEnumerable<string> many => [.. many],
        _ => null,
    };

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
}
