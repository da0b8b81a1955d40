using Allos.Yaml;
using Microsoft.Extensions.AI;
using YamlDotNet.RepresentationModel;

namespace Allos.Prompts;

/// <summary>Reads a prompt file's <c>options:</c> into the <see cref="ChatOptions"/> each render starts from.</summary>
internal static class PromptOptionsReader
{
    private static readonly string[] OptionKeys = ["temperature", "top_p", "top_k", "max_tokens", "stop", "seed", "frequency_penalty", "presence_penalty", "response_format"];

    public static Func<ChatOptions> Read(ConfigurationReader reader, YamlMappingNode root, string? model)
    {
        YamlMappingNode? node = reader.Get(root, "options") is { } optionsNode ? reader.Mapping(optionsNode, "options") : null;
        if (node is not null)
        {
            reader.CheckKeys(node, "options", OptionKeys);
        }

        float? temperature = node is null ? null : (float?)reader.Number(node, "temperature");
        float? topP = node is null ? null : (float?)reader.Number(node, "top_p");
        int? topK = node is null ? null : reader.Integer(node, "top_k", 1);
        int? maxTokens = node is null ? null : reader.Integer(node, "max_tokens", 1);
        long? seed = node is null ? null : reader.Integer(node, "seed", int.MinValue);
        float? frequency = node is null ? null : (float?)reader.Number(node, "frequency_penalty");
        float? presence = node is null ? null : (float?)reader.Number(node, "presence_penalty");
        List<string>? stop = node is not null && reader.Get(node, "stop") is not null ? PromptTestReader.Texts(reader, node, "stop") : null;
        ChatResponseFormat? format = node is not null && reader.Get(node, "response_format") is { } formatNode ? ResponseFormat(reader, formatNode) : null;

        return () => new ChatOptions
        {
            ModelId = model,
            Temperature = temperature,
            TopP = topP,
            TopK = topK,
            MaxOutputTokens = maxTokens,
            Seed = seed,
            FrequencyPenalty = frequency,
            PresencePenalty = presence,
            StopSequences = stop is null ? null : [.. stop],
            ResponseFormat = format,
        };
    }

    private static ChatResponseFormat ResponseFormat(ConfigurationReader reader, YamlNode node)
    {
        if (node is YamlScalarNode)
        {
            return reader.String(node, "response_format").Trim() switch
            {
                "text" => ChatResponseFormat.Text,
                "json" or "json_object" => ChatResponseFormat.Json,
                string other => throw reader.Error(node, $"response_format must be text, json, or {{ json_schema: {{...}} }}, not '{other}'."),
            };
        }

        YamlMappingNode mapping = reader.Mapping(node, "response_format");
        reader.CheckKeys(mapping, "response_format", ["json_schema", "name"]);
        YamlNode schema = reader.Get(mapping, "json_schema") ?? throw reader.Error(node, "response_format as a mapping needs json_schema: { ... }.");
        return ChatResponseFormat.ForJsonSchema(YamlValues.ToJson(schema), reader.String(mapping, "name"));
    }
}
