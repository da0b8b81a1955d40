using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Allos.Providers;
using Allos.Providers.OpenAI;
using Microsoft.Extensions.AI;

namespace Allos.Gateway.Server.OpenAI;

/// <summary>
/// Reads a Chat Completions request body into Microsoft.Extensions.AI messages and options, as tolerantly as OpenAI's own
/// server: content as a string or an array of parts, <c>stop</c> as a string or an array, fields it does not know ignored.
/// </summary>
/// <remarks>Malformed JSON and fields of the wrong type throw <see cref="ChatCompletionRequestException"/> naming the field.</remarks>
internal static class ChatCompletionRequestReader
{
    /// <summary>The <see cref="ChatOptions.AdditionalProperties"/> key holding the caller's <c>user</c> (Allos's own: never sent upstream).</summary>
    public const string UserKey = "allos.user";

    public static ChatCompletionRequest Read(ReadOnlySequence<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            throw new ChatCompletionRequestException("body", $"The request body is not valid JSON ({ex.Message}). Send a JSON object with \"model\" and \"messages\".");
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ChatCompletionRequestException("body", "The request body must be a JSON object with \"model\" and \"messages\".");
            }

            return Read(root);
        }
    }

    private static ChatCompletionRequest Read(JsonElement root)
    {
        string? model = null;
        List<ChatMessage>? messages = null;
        var options = new ChatOptions();
        bool stream = false;
        bool includeUsage = false;
        int? maxTokens = null;
        int? maxCompletionTokens = null;
        foreach (JsonProperty property in root.EnumerateObject())
        {
            JsonElement value = property.Value;
            switch (property.Name)
            {
                case "model":
                    model = String(value, "model");
                    break;
                case "messages":
                    messages = Messages(value);
                    break;
                case "stream":
                    stream = Bool(value, "stream") ?? false;
                    break;
                case "stream_options" when value.ValueKind != JsonValueKind.Null:
                    RequireObject(value, "stream_options");
                    includeUsage = value.TryGetProperty("include_usage", out JsonElement include) && (Bool(include, "stream_options.include_usage") ?? false);
                    break;
                case "temperature":
                    options.Temperature = Float(value, "temperature");
                    break;
                case "top_p":
                    options.TopP = Float(value, "top_p");
                    break;
                case "frequency_penalty":
                    options.FrequencyPenalty = Float(value, "frequency_penalty");
                    break;
                case "presence_penalty":
                    options.PresencePenalty = Float(value, "presence_penalty");
                    break;
                case "max_tokens":
                    maxTokens = Int(value, "max_tokens");
                    break;
                case "max_completion_tokens":
                    maxCompletionTokens = Int(value, "max_completion_tokens");
                    break;
                case "seed":
                    options.Seed = Long(value, "seed");
                    break;
                case "stop":
                    options.StopSequences = Stop(value);
                    break;
                case "n":
                    if (Int(value, "n") is int n && n != 1)
                    {
                        throw new ChatCompletionRequestException("n", $"This gateway returns one choice per request; \"n\" must be 1 (it was {n}). Send several requests for several answers.");
                    }

                    break;
                case "user":
                    if (String(value, "user") is { } user)
                    {
                        (options.AdditionalProperties ??= [])[UserKey] = user;
                    }

                    break;
                case "tools":
                    options.Tools = Tools(value);
                    break;
                case "tool_choice":
                    options.ToolMode = ToolChoice(value);
                    break;
                case "parallel_tool_calls":
                    options.AllowMultipleToolCalls = Bool(value, "parallel_tool_calls");
                    break;
                case "response_format":
                    options.ResponseFormat = ResponseFormat(value);
                    if (IsStrictSchema(value))
                    {
                        (options.AdditionalProperties ??= [])[OpenAIRequestBuilder.StrictSchemaKey] = true;
                    }

                    break;
                case "reasoning_effort":
                    options.Reasoning = Effort(value);
                    break;
            }
        }

        if (string.IsNullOrWhiteSpace(model))
        {
            throw new ChatCompletionRequestException("model", "\"model\" is required: an alias from the gateway's allos.yaml or a provider/model id (GET /v1/models lists them).");
        }

        if (messages is not { Count: > 0 })
        {
            throw new ChatCompletionRequestException("messages", "\"messages\" is required and must hold at least one message.");
        }

        options.ModelId = model;
        options.MaxOutputTokens = maxCompletionTokens ?? maxTokens;
        return new ChatCompletionRequest { Model = model, Messages = messages, Options = options, Stream = stream, IncludeUsage = includeUsage };
    }

    private static List<ChatMessage> Messages(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw WrongType("messages", "an array of messages", value);
        }

        var messages = new List<ChatMessage>(value.GetArrayLength());
        int index = 0;
        foreach (JsonElement item in value.EnumerateArray())
        {
            messages.Add(Message(item, index++));
        }

        return messages;
    }

    private static ChatMessage Message(JsonElement item, int index)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw WrongType(Path(index, null), "an object with \"role\" and \"content\"", item);
        }

        string? role = item.TryGetProperty("role", out JsonElement roleValue) ? String(roleValue, Path(index, "role")) : null;
        item.TryGetProperty("content", out JsonElement content);
        var message = new ChatMessage { Role = role switch
        {
            "system" or "developer" => ChatRole.System,
            "user" => ChatRole.User,
            "assistant" => ChatRole.Assistant,
            "tool" or "function" => ChatRole.Tool,
            null => throw new ChatCompletionRequestException(Path(index, "role"), $"messages[{index}] has no \"role\": use system, developer, user, assistant or tool."),
            _ => throw new ChatCompletionRequestException(Path(index, "role"), $"messages[{index}].role '{role}' is not one of system, developer, user, assistant, tool."),
        } };

        if (item.TryGetProperty("name", out JsonElement name) && name.ValueKind == JsonValueKind.String)
        {
            message.AuthorName = name.GetString();
        }

        if (message.Role == ChatRole.Tool)
        {
            string? callId = item.TryGetProperty("tool_call_id", out JsonElement id) ? String(id, Path(index, "tool_call_id")) : null;
            if (string.IsNullOrEmpty(callId))
            {
                throw new ChatCompletionRequestException(Path(index, "tool_call_id"), $"messages[{index}] is a tool result without \"tool_call_id\": set it to the id of the assistant's tool call it answers.");
            }

            message.Contents.Add(new FunctionResultContent(callId, TextOf(content, index)));
            return message;
        }

        if (message.Role == ChatRole.Assistant && item.TryGetProperty("reasoning_content", out JsonElement reasoning) && reasoning.ValueKind == JsonValueKind.String && reasoning.GetString() is { Length: > 0 } thought)
        {
            message.Contents.Add(new TextReasoningContent(thought));
        }

        AddContent(message, content, index);
        if (message.Role == ChatRole.Assistant && item.TryGetProperty("tool_calls", out JsonElement calls) && calls.ValueKind != JsonValueKind.Null)
        {
            AddToolCalls(message, calls, index);
        }

        return message;
    }

    private static void AddContent(ChatMessage message, JsonElement content, int index)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                return;
            case JsonValueKind.String:
                message.Contents.Add(new TextContent(content.GetString()));
                return;
            case JsonValueKind.Array:
                int part = 0;
                foreach (JsonElement item in content.EnumerateArray())
                {
                    message.Contents.Add(Part(item, index, part++));
                }

                return;
            default:
                throw WrongType(Path(index, "content"), "a string or an array of content parts", content);
        }
    }

    private static AIContent Part(JsonElement part, int index, int position)
    {
        string? type = part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out JsonElement t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        switch (type)
        {
            case "text" or "input_text" when part.TryGetProperty("text", out JsonElement text) && text.ValueKind == JsonValueKind.String:
                return new TextContent(text.GetString());
            case "image_url" when part.TryGetProperty("image_url", out JsonElement image):
                // OpenAI takes {"url": …} and, from older clients, the bare URL string.
                JsonElement url = image.ValueKind == JsonValueKind.Object && image.TryGetProperty("url", out JsonElement inner) ? inner : image;
                if (url.ValueKind == JsonValueKind.String && url.GetString() is { Length: > 0 } address)
                {
                    return Image(address, PartPath(index, position) + ".image_url.url");
                }

                break;
            case "input_audio" when part.TryGetProperty("input_audio", out JsonElement audio) && audio.ValueKind == JsonValueKind.Object
                && audio.TryGetProperty("data", out JsonElement data) && data.ValueKind == JsonValueKind.String:
                string format = audio.TryGetProperty("format", out JsonElement f) && f.ValueKind == JsonValueKind.String ? f.GetString()! : "wav";
                try
                {
                    return new DataContent(Convert.FromBase64String(data.GetString()!), "audio/" + format);
                }
                catch (FormatException)
                {
                    throw new ChatCompletionRequestException(PartPath(index, position) + ".input_audio.data", "input_audio.data must be base64.");
                }
            case "file" when part.TryGetProperty("file", out JsonElement file) && file.ValueKind == JsonValueKind.Object
                && file.TryGetProperty("file_data", out JsonElement fileData) && fileData.ValueKind == JsonValueKind.String
                && fileData.GetString() is { } dataUrl && dataUrl.StartsWith("data:", StringComparison.Ordinal):
                DataContent document;
                try
                {
                    document = new DataContent(dataUrl);
                }
                catch (FormatException)
                {
                    throw new ChatCompletionRequestException(PartPath(index, position) + ".file.file_data", "file.file_data must be a data: URL (data:application/pdf;base64,…).");
                }

                if (file.TryGetProperty("filename", out JsonElement filename) && filename.ValueKind == JsonValueKind.String)
                {
                    document.Name = filename.GetString();
                }

                return document;
        }

        throw new ChatCompletionRequestException(PartPath(index, position),
            $"messages[{index}].content[{position}] is not a content part this gateway reads: use {{\"type\":\"text\",\"text\":…}}, {{\"type\":\"image_url\",\"image_url\":{{\"url\":…}}}}, input_audio or file (with file_data).");
    }

    private static AIContent Image(string address, string param)
    {
        if (address.StartsWith("data:", StringComparison.Ordinal))
        {
            try
            {
                return new DataContent(address);
            }
            catch (FormatException)
            {
                throw new ChatCompletionRequestException(param, "The image's data: URL is malformed: use data:image/png;base64,<base64>.");
            }
        }

        if (Uri.TryCreate(address, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
        {
            return new UriContent(uri, "image/*");
        }

        throw new ChatCompletionRequestException(param, "An image URL must be an http(s) URL or a data: URL.");
    }

    private static void AddToolCalls(ChatMessage message, JsonElement calls, int index)
    {
        if (calls.ValueKind != JsonValueKind.Array)
        {
            throw WrongType(Path(index, "tool_calls"), "an array of tool calls", calls);
        }

        int position = 0;
        foreach (JsonElement call in calls.EnumerateArray())
        {
            if (call.ValueKind != JsonValueKind.Object || !call.TryGetProperty("function", out JsonElement function) || function.ValueKind != JsonValueKind.Object
                || !function.TryGetProperty("name", out JsonElement name) || name.ValueKind != JsonValueKind.String)
            {
                throw new ChatCompletionRequestException($"messages[{index}].tool_calls[{position}]",
                    $"messages[{index}].tool_calls[{position}] must be {{\"id\":…,\"type\":\"function\",\"function\":{{\"name\":…,\"arguments\":\"{{…}}\"}}}}.");
            }

            string id = call.TryGetProperty("id", out JsonElement idValue) && idValue.ValueKind == JsonValueKind.String ? idValue.GetString()! : WireContent.NewCallId();
            string? arguments = function.TryGetProperty("arguments", out JsonElement args) ? args.ValueKind switch
            {
                JsonValueKind.String => args.GetString(),
                JsonValueKind.Object => args.GetRawText(),
                _ => null,
            } : null;
            message.Contents.Add(WireContent.ParseCall(id, name.GetString()!, arguments));
            position++;
        }
    }

    /// <summary>A tool result's or a part array's text: parts are joined, as OpenAI reads them.</summary>
    private static string TextOf(JsonElement content, int index)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return content.GetString()!;
            case JsonValueKind.Undefined or JsonValueKind.Null:
                return "";
            case JsonValueKind.Array:
                var text = new System.Text.StringBuilder();
                foreach (JsonElement part in content.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out JsonElement t) && t.ValueKind == JsonValueKind.String)
                    {
                        text.Append(t.GetString());
                    }
                }

                return text.ToString();
            default:
                throw WrongType(Path(index, "content"), "a string or an array of text parts", content);
        }
    }

    private static List<AITool>? Tools(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw WrongType("tools", "an array of {\"type\":\"function\",\"function\":{…}}", value);
        }

        var tools = new List<AITool>(value.GetArrayLength());
        int index = 0;
        foreach (JsonElement tool in value.EnumerateArray())
        {
            if (tool.ValueKind != JsonValueKind.Object || !tool.TryGetProperty("function", out JsonElement function) || function.ValueKind != JsonValueKind.Object
                || !function.TryGetProperty("name", out JsonElement name) || name.ValueKind != JsonValueKind.String || name.GetString() is not { Length: > 0 } toolName)
            {
                throw new ChatCompletionRequestException($"tools[{index}]", $"tools[{index}] must be {{\"type\":\"function\",\"function\":{{\"name\":…,\"description\":…,\"parameters\":{{JSON schema}}}}}}.");
            }

            string? description = function.TryGetProperty("description", out JsonElement d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            JsonElement schema = function.TryGetProperty("parameters", out JsonElement parameters) && parameters.ValueKind == JsonValueKind.Object
                ? parameters.Clone()
                : EmptySchema;
            tools.Add(AIFunctionFactory.CreateDeclaration(toolName, description, schema));
            index++;
        }

        return tools;
    }

    private static readonly JsonElement EmptySchema = JsonDocument.Parse("{\"type\":\"object\",\"properties\":{}}").RootElement;

    private static ChatToolMode? ToolChoice(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                return value.GetString() switch
                {
                    "auto" => ChatToolMode.Auto,
                    "none" => ChatToolMode.None,
                    "required" => ChatToolMode.RequireAny,
                    var other => throw new ChatCompletionRequestException("tool_choice", $"tool_choice '{other}' is not auto, none, required or {{\"type\":\"function\",\"function\":{{\"name\":…}}}}."),
                };
            case JsonValueKind.Object when value.TryGetProperty("function", out JsonElement function) && function.ValueKind == JsonValueKind.Object
                && function.TryGetProperty("name", out JsonElement name) && name.ValueKind == JsonValueKind.String:
                return ChatToolMode.RequireSpecific(name.GetString()!);
            default:
                throw WrongType("tool_choice", "auto, none, required or {\"type\":\"function\",\"function\":{\"name\":…}}", value);
        }
    }

    private static ChatResponseFormat? ResponseFormat(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        string? type = value.ValueKind == JsonValueKind.Object && value.TryGetProperty("type", out JsonElement t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        switch (type)
        {
            case "text":
                return ChatResponseFormat.Text;
            case "json_object":
                return ChatResponseFormat.Json;
            case "json_schema" when value.TryGetProperty("json_schema", out JsonElement spec) && spec.ValueKind == JsonValueKind.Object
                && spec.TryGetProperty("schema", out JsonElement schema) && schema.ValueKind == JsonValueKind.Object:
                string? name = spec.TryGetProperty("name", out JsonElement n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                string? description = spec.TryGetProperty("description", out JsonElement d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;

                // "strict" has no field in ChatResponseFormatJson; IsStrictSchema carries it beside the format.
                return ChatResponseFormat.ForJsonSchema(schema.Clone(), name, description);
            case "json_schema":
                throw new ChatCompletionRequestException("response_format.json_schema", "response_format json_schema needs {\"json_schema\":{\"name\":…,\"schema\":{JSON schema}}}.");
            default:
                throw new ChatCompletionRequestException("response_format", "response_format.type must be text, json_object or json_schema.");
        }
    }

    /// <summary>Whether a <c>json_schema</c> response format asks for <c>strict</c>, which OpenAI upstreams enforce.</summary>
    private static bool IsStrictSchema(JsonElement value) =>
        value.ValueKind == JsonValueKind.Object
        && value.TryGetProperty("json_schema", out JsonElement spec) && spec.ValueKind == JsonValueKind.Object
        && spec.TryGetProperty("strict", out JsonElement strict) && strict.ValueKind == JsonValueKind.True;

    private static ReasoningOptions? Effort(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => new ReasoningOptions
        {
            Effort = value.GetString() switch
            {
                "none" => ReasoningEffort.None,
                "minimal" or "low" => ReasoningEffort.Low,
                "medium" => ReasoningEffort.Medium,
                "high" => ReasoningEffort.High,
                "xhigh" => ReasoningEffort.ExtraHigh,
                var other => throw new ChatCompletionRequestException("reasoning_effort", $"reasoning_effort '{other}' is not one of none, minimal, low, medium, high, xhigh."),
            },
        },
        _ => throw WrongType("reasoning_effort", "a string (low, medium, high…)", value),
    };

    private static List<string>? Stop(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                return [value.GetString()!];
            case JsonValueKind.Array:
                var stop = new List<string>(value.GetArrayLength());
                foreach (JsonElement item in value.EnumerateArray())
                {
                    stop.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw WrongType("stop", "a string or an array of strings", value));
                }

                return stop;
            default:
                throw WrongType("stop", "a string or an array of strings", value);
        }
    }

    private static void RequireObject(JsonElement value, string param)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw WrongType(param, "an object", value);
        }
    }

    private static string? String(JsonElement value, string param) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null => null,
        _ => throw WrongType(param, "a string", value),
    };

    private static bool? Bool(JsonElement value, string param) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        _ => throw WrongType(param, "true or false", value),
    };

    private static float? Float(JsonElement value, string param) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetDouble(out double number) => (float)number,
        JsonValueKind.Null => null,
        _ => throw WrongType(param, "a number", value),
    };

    private static int? Int(JsonElement value, string param) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt32(out int number) => number,
        JsonValueKind.Null => null,
        _ => throw WrongType(param, "an integer", value),
    };

    private static long? Long(JsonElement value, string param) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt64(out long number) => number,
        JsonValueKind.Null => null,
        _ => throw WrongType(param, "an integer", value),
    };

    private static ChatCompletionRequestException WrongType(string param, string expected, JsonElement value) =>
        new(param, $"\"{param}\" must be {expected}, not {Describe(value.ValueKind)}.");

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static string Path(int index, string? field) =>
        field is null ? string.Create(CultureInfo.InvariantCulture, $"messages[{index}]") : string.Create(CultureInfo.InvariantCulture, $"messages[{index}].{field}");

    private static string PartPath(int index, int position) => string.Create(CultureInfo.InvariantCulture, $"messages[{index}].content[{position}]");
}
