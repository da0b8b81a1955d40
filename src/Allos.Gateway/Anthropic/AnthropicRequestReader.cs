using System.Globalization;
using System.Text.Json;
using Allos.Providers.Anthropic;
using Microsoft.Extensions.AI;

namespace Allos.Gateway.Server.Anthropic;

/// <summary>
/// Reads a Messages API request body (already parsed) into messages and options, tolerantly as Anthropic does: content as
/// a string or blocks, unknown fields ignored. A wrong type or a missing required field is an
/// <see cref="AnthropicRequestException"/> naming the field's path.
/// </summary>
internal static class AnthropicRequestReader
{
    /// <summary>Reads <paramref name="root"/>; <paramref name="countOnly"/> is a <c>count_tokens</c> body, which has no <c>max_tokens</c>.</summary>
    public static AnthropicIngressRequest Read(JsonElement root, bool countOnly = false)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new AnthropicRequestException("The request body must be a JSON object.");
        }

        string model = RequiredString(root, "model");
        var options = new ChatOptions { ModelId = model };
        if (root.TryGetProperty("max_tokens"u8, out JsonElement maxTokens))
        {
            options.MaxOutputTokens = PositiveInt(maxTokens, "max_tokens");
        }
        else if (!countOnly)
        {
            throw new AnthropicRequestException("max_tokens: Field required");
        }

        var messages = new List<ChatMessage>();
        if (root.TryGetProperty("system"u8, out JsonElement system))
        {
            ReadSystem(system, messages);
        }

        if (!root.TryGetProperty("messages"u8, out JsonElement history) || history.ValueKind != JsonValueKind.Array)
        {
            throw new AnthropicRequestException(history.ValueKind == JsonValueKind.Undefined ? "messages: Field required" : "messages: Input should be a valid list");
        }

        int index = 0;
        foreach (JsonElement message in history.EnumerateArray())
        {
            messages.Add(ReadMessage(message, index++));
        }

        options.Temperature = OptionalFloat(root, "temperature");
        options.TopP = OptionalFloat(root, "top_p");
        if (root.TryGetProperty("top_k"u8, out JsonElement topK) && topK.ValueKind != JsonValueKind.Null)
        {
            options.TopK = PositiveInt(topK, "top_k");
        }

        if (root.TryGetProperty("stop_sequences"u8, out JsonElement stops) && stops.ValueKind != JsonValueKind.Null)
        {
            options.StopSequences = Strings(stops, "stop_sequences");
        }

        if (root.TryGetProperty("tools"u8, out JsonElement tools) && tools.ValueKind != JsonValueKind.Null)
        {
            options.Tools = ReadTools(tools);
        }

        if (root.TryGetProperty("tool_choice"u8, out JsonElement choice) && choice.ValueKind != JsonValueKind.Null)
        {
            ReadToolChoice(choice, options);
        }

        if (root.TryGetProperty("thinking"u8, out JsonElement thinking) && thinking.ValueKind != JsonValueKind.Null)
        {
            ReadThinking(thinking, options);
        }

        if (root.TryGetProperty("metadata"u8, out JsonElement metadata) && metadata.ValueKind == JsonValueKind.Object
            && metadata.TryGetProperty("user_id"u8, out JsonElement user) && user.ValueKind == JsonValueKind.String && user.GetString() is { Length: > 0 } userId)
        {
            // The caller's end user: what per-user budgets count against. The Router strips it before any provider.
            options.WithUser(userId);
        }

        bool stream = root.TryGetProperty("stream"u8, out JsonElement streamField) && streamField.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False or JsonValueKind.Null => false,
            _ => throw new AnthropicRequestException("stream: Input should be a valid boolean"),
        };

        return new AnthropicIngressRequest(model, messages, options, stream);
    }

    private static void ReadSystem(JsonElement system, List<ChatMessage> messages)
    {
        switch (system.ValueKind)
        {
            case JsonValueKind.String:
                messages.Add(new ChatMessage(ChatRole.System, system.GetString()));
                break;
            case JsonValueKind.Array:
                // One message per block: the codecs join system messages with a blank line, and each keeps its cache breakpoint.
                int index = 0;
                foreach (JsonElement block in system.EnumerateArray())
                {
                    string path = $"system.{index++}";
                    if (Type(block, path) != "text")
                    {
                        throw new AnthropicRequestException($"{path}.type: system blocks must be of type 'text'");
                    }

                    var text = new TextContent(RequiredString(block, "text", path));
                    CacheControl(block, text);
                    messages.Add(new ChatMessage(ChatRole.System, [text]));
                }

                break;
            case JsonValueKind.Null:
                break;
            default:
                throw new AnthropicRequestException("system: Input should be a valid string or a list of text blocks");
        }
    }

    private static ChatMessage ReadMessage(JsonElement message, int index)
    {
        string path = $"messages.{index}";
        if (message.ValueKind != JsonValueKind.Object)
        {
            throw new AnthropicRequestException($"{path}: Input should be an object with 'role' and 'content'");
        }

        bool assistant = RequiredString(message, "role", path) switch
        {
            "user" => false,
            "assistant" => true,
            string other => throw new AnthropicRequestException($"{path}.role: Input should be 'user' or 'assistant', not '{other}'"),
        };

        var contents = new List<AIContent>();
        if (!message.TryGetProperty("content"u8, out JsonElement content))
        {
            throw new AnthropicRequestException($"{path}.content: Field required");
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            contents.Add(new TextContent(content.GetString()));
        }
        else if (content.ValueKind == JsonValueKind.Array)
        {
            int block = 0;
            foreach (JsonElement item in content.EnumerateArray())
            {
                contents.Add(ReadBlock(item, $"{path}.content.{block++}", assistant));
            }
        }
        else
        {
            throw new AnthropicRequestException($"{path}.content: Input should be a valid string or a list of content blocks");
        }

        return new ChatMessage(assistant ? ChatRole.Assistant : ChatRole.User, contents);
    }

    private static AIContent ReadBlock(JsonElement block, string path, bool assistant)
    {
        string type = Type(block, path);
        AIContent content = type switch
        {
            "text" => new TextContent(RequiredString(block, "text", path)),
            "image" when !assistant => ReadSource(block, path, "image"),
            "document" when !assistant => ReadSource(block, path, "document"),
            "tool_result" when !assistant => ReadToolResult(block, path),
            "tool_use" when assistant => ReadToolUse(block, path),

            // Reasoning goes back byte for byte: the signature (or a redacted block's data) is what Anthropic checks.
            "thinking" when assistant => new TextReasoningContent(RequiredString(block, "thinking", path))
            {
                ProtectedData = OptionalString(block, "signature", path) is { Length: > 0 } signature ? signature : null,
            },
            "redacted_thinking" when assistant => AnthropicResponseParser.RedactedThinking(RequiredString(block, "data", path)),
            "image" or "document" or "tool_result" or "tool_use" or "thinking" or "redacted_thinking" =>
                throw new AnthropicRequestException($"{path}.type: '{type}' blocks are not allowed in {(assistant ? "an assistant" : "a user")} message"),
            _ => throw new AnthropicRequestException($"{path}.type: the gateway does not support '{type}' blocks (use text, image, document, tool_use, tool_result, thinking or redacted_thinking)"),
        };

        CacheControl(block, content);
        return content;
    }

    private static AIContent ReadSource(JsonElement block, string path, string kind)
    {
        if (!block.TryGetProperty("source"u8, out JsonElement source) || source.ValueKind != JsonValueKind.Object)
        {
            throw new AnthropicRequestException($"{path}.source: Field required");
        }

        string sourcePath = path + ".source";
        string type = Type(source, sourcePath);
        switch (type)
        {
            case "base64":
                string mediaType = RequiredString(source, "media_type", sourcePath);
                string data = RequiredString(source, "data", sourcePath);
                try
                {
                    // A data URI keeps the base64 text as sent: an Anthropic upstream gets the same bytes back.
                    return new DataContent(string.Concat("data:", mediaType, ";base64,", data));
                }
                catch (Exception ex) when (ex is ArgumentException or FormatException)
                {
                    throw new AnthropicRequestException($"{sourcePath}: the media type or base64 data is not valid ({ex.Message})");
                }

            case "url":
                string url = RequiredString(source, "url", sourcePath);
                if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
                {
                    throw new AnthropicRequestException($"{sourcePath}.url: must be an absolute http(s) URL");
                }

                return new UriContent(uri, kind == "image" ? "image/*" : "application/pdf");
            default:
                throw new AnthropicRequestException($"{sourcePath}.type: the gateway supports 'base64' and 'url' sources, not '{type}'");
        }

    }

    private static FunctionCallContent ReadToolUse(JsonElement block, string path)
    {
        string id = RequiredString(block, "id", path);
        string name = RequiredString(block, "name", path);
        var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (block.TryGetProperty("input"u8, out JsonElement input) && input.ValueKind != JsonValueKind.Null)
        {
            if (input.ValueKind != JsonValueKind.Object)
            {
                throw new AnthropicRequestException($"{path}.input: Input should be a valid dictionary");
            }

            foreach (JsonProperty property in input.EnumerateObject())
            {
                arguments[property.Name] = property.Value;
            }
        }

        return new FunctionCallContent(id, name, arguments);
    }

    private static FunctionResultContent ReadToolResult(JsonElement block, string path)
    {
        string id = RequiredString(block, "tool_use_id", path);
        object? result = null;
        if (block.TryGetProperty("content"u8, out JsonElement content))
        {
            result = content.ValueKind switch
            {
                JsonValueKind.String => content.GetString(),
                JsonValueKind.Array => ResultBlocks(content, path + ".content"),
                JsonValueKind.Null => null,
                _ => throw new AnthropicRequestException($"{path}.content: Input should be a valid string or a list of content blocks"),
            };
        }

        bool isError = block.TryGetProperty("is_error"u8, out JsonElement error) && error.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False or JsonValueKind.Null => false,
            _ => throw new AnthropicRequestException($"{path}.is_error: Input should be a valid boolean"),
        };

        return new FunctionResultContent(id, result ?? "")
        {
            // The codecs mark a result with an exception as an error (is_error), and send the result's text as it is.
            Exception = isError ? new InvalidOperationException(result as string ?? "The tool failed.") : null,
        };
    }

    /// <summary>A tool result's blocks: one text as a string (how every codec sends it), else the list of contents.</summary>
    private static object ResultBlocks(JsonElement content, string path)
    {
        var contents = new List<AIContent>();
        int index = 0;
        foreach (JsonElement item in content.EnumerateArray())
        {
            string itemPath = $"{path}.{index++}";
            contents.Add(Type(item, itemPath) switch
            {
                "text" => new TextContent(RequiredString(item, "text", itemPath)),
                "image" => ReadSource(item, itemPath, "image"),
                "document" => ReadSource(item, itemPath, "document"),
                string other => throw new AnthropicRequestException($"{itemPath}.type: tool results hold text, image or document blocks, not '{other}'"),
            });
        }

        return contents is [TextContent single] ? single.Text : contents;
    }

    private static List<AITool> ReadTools(JsonElement tools)
    {
        if (tools.ValueKind != JsonValueKind.Array)
        {
            throw new AnthropicRequestException("tools: Input should be a valid list");
        }

        var result = new List<AITool>(tools.GetArrayLength());
        int index = 0;
        foreach (JsonElement tool in tools.EnumerateArray())
        {
            string path = $"tools.{index++}";
            if (tool.ValueKind != JsonValueKind.Object)
            {
                throw new AnthropicRequestException($"{path}: Input should be a valid dictionary");
            }

            if (OptionalString(tool, "type", path) is { } type && type != "custom")
            {
                throw new AnthropicRequestException($"{path}.type: the gateway forwards client tools only (name, description, input_schema), not the server tool '{type}'");
            }

            string name = RequiredString(tool, "name", path);
            if (!tool.TryGetProperty("input_schema"u8, out JsonElement schema) || schema.ValueKind != JsonValueKind.Object)
            {
                throw new AnthropicRequestException($"{path}.input_schema: Field required (a JSON Schema object)");
            }

            Dictionary<string, object?>? properties = null;
            if (tool.TryGetProperty("cache_control"u8, out JsonElement cache) && cache.ValueKind == JsonValueKind.Object)
            {
                properties = new() { [AnthropicProperties.CacheControlKey] = cache };
            }

            result.Add(new IngressTool(name, OptionalString(tool, "description", path), schema, properties));
        }

        return result;
    }

    private static void ReadToolChoice(JsonElement choice, ChatOptions options)
    {
        if (choice.ValueKind != JsonValueKind.Object)
        {
            throw new AnthropicRequestException("tool_choice: Input should be a valid dictionary");
        }

        options.ToolMode = Type(choice, "tool_choice") switch
        {
            "auto" => ChatToolMode.Auto,
            "any" => ChatToolMode.RequireAny,
            "tool" => ChatToolMode.RequireSpecific(RequiredString(choice, "name", "tool_choice")),
            "none" => ChatToolMode.None,
            string other => throw new AnthropicRequestException($"tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none', not '{other}'"),
        };

        if (choice.TryGetProperty("disable_parallel_tool_use"u8, out JsonElement disable))
        {
            options.AllowMultipleToolCalls = disable.ValueKind switch
            {
                JsonValueKind.True => false,
                JsonValueKind.False or JsonValueKind.Null => null,
                _ => throw new AnthropicRequestException("tool_choice.disable_parallel_tool_use: Input should be a valid boolean"),
            };
        }
    }

    private static void ReadThinking(JsonElement thinking, ChatOptions options)
    {
        if (thinking.ValueKind != JsonValueKind.Object)
        {
            throw new AnthropicRequestException("thinking: Input should be a valid dictionary");
        }

        switch (Type(thinking, "thinking"))
        {
            case "enabled":
                if (!thinking.TryGetProperty("budget_tokens"u8, out JsonElement budgetField))
                {
                    throw new AnthropicRequestException("thinking.budget_tokens: Field required");
                }

                int budget = PositiveInt(budgetField, "thinking.budget_tokens");

                // Other providers take an effort; an Anthropic upstream gets the exact budget (see AnthropicProperties).
                options.Reasoning = new ReasoningOptions
                {
                    Effort = budget switch
                    {
                        <= 1024 => ReasoningEffort.Low,
                        <= 4096 => ReasoningEffort.Medium,
                        <= 16384 => ReasoningEffort.High,
                        _ => ReasoningEffort.ExtraHigh,
                    },
                };
                (options.AdditionalProperties ??= [])[AnthropicProperties.ThinkingBudgetKey] = budget;
                break;
            case "adaptive":
                // The model decides how much to think (what Anthropic's SDKs send for newer models); Anthropic's default
                // effort is high, so that is the effort other upstreams get and the budget an Anthropic one gets.
                options.Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High };
                break;
            case "disabled":
                break;
            case string other:
                throw new AnthropicRequestException($"thinking.type: Input should be 'enabled', 'adaptive' or 'disabled', not '{other}'");
        }
    }

    private static void CacheControl(JsonElement block, AIContent content)
    {
        if (block.TryGetProperty("cache_control"u8, out JsonElement cache) && cache.ValueKind == JsonValueKind.Object)
        {
            (content.AdditionalProperties ??= [])[AnthropicProperties.CacheControlKey] = cache;
        }
    }

    private static string Type(JsonElement block, string path)
    {
        if (block.ValueKind != JsonValueKind.Object)
        {
            throw new AnthropicRequestException($"{path}: Input should be a valid dictionary");
        }

        return RequiredString(block, "type", path);
    }

    private static string RequiredString(JsonElement parent, string name, string? path = null)
    {
        string field = path is null ? name : path + "." + name;
        if (!parent.TryGetProperty(name, out JsonElement value))
        {
            throw new AnthropicRequestException($"{field}: Field required");
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new AnthropicRequestException($"{field}: Input should be a valid string");
    }

    private static string? OptionalString(JsonElement parent, string name, string path) =>
        !parent.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw new AnthropicRequestException($"{path}.{name}: Input should be a valid string");

    private static int PositiveInt(JsonElement value, string field) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number) && number >= 1
            ? number
            : throw new AnthropicRequestException($"{field}: Input should be a positive integer");

    private static float? OptionalFloat(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double number)
            ? (float)number
            : throw new AnthropicRequestException($"{name}: Input should be a valid number");
    }

    private static List<string> Strings(JsonElement array, string field)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new AnthropicRequestException($"{field}: Input should be a valid list");
        }

        var result = new List<string>(array.GetArrayLength());
        int index = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            result.Add(item.ValueKind == JsonValueKind.String
                ? item.GetString()!
                : throw new AnthropicRequestException(string.Create(CultureInfo.InvariantCulture, $"{field}.{index}: Input should be a valid string")));
            index++;
        }

        return result;
    }
}
