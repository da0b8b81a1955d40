using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Allos.Tools;
using Allos.Yaml;
using YamlDotNet.RepresentationModel;

namespace Allos.Mcp;

/// <summary>Reads MCP servers from <c>allos.yaml</c>'s <c>mcp_servers:</c> and from a <c>.mcp.json</c> (as Claude Code and Cursor write it).</summary>
/// <remarks>
/// <para>
/// In <c>allos.yaml</c> the rules of <see cref="Configuration.AllosConfiguration"/> apply: an unknown key is an error with the
/// file, the line and the nearest valid key, and <c>${VAR}</c> is replaced by the environment variable.
/// </para>
/// <para>
/// <c>.mcp.json</c> is <c>{"mcpServers": {"NAME": {"command", "args", "env"} or {"url", "type", "headers"}}}</c>; keys other
/// tools add are ignored, since the file is shared with them. <c>${VAR}</c> and <c>${VAR:-default}</c> are expanded in
/// every string. A server configured in both places is taken from <c>allos.yaml</c> (<see cref="Merge"/>).
/// </para>
/// </remarks>
/// <example>
/// <code language="yaml">
/// mcp_servers:
///   files: { command: npx, args: [-y, "@modelcontextprotocol/server-filesystem", "."] }
///   search:
///     url: https://mcp.example.com/mcp
///     headers: { Authorization: "Bearer ${SEARCH_TOKEN}" }
///     approval: allow
///     timeout: 30s
///     sampling: allow          # ask (default) | allow | deny: may the server ask the run's model for completions
///     sampling_model: openai/gpt-4o-mini
/// </code>
/// </example>
public static partial class McpConfiguration
{
    /// <summary>The name of the file read from the working folder.</summary>
    public const string McpJsonFileName = ".mcp.json";

    private static readonly string[] ServerKeys = ["command", "args", "env", "cwd", "url", "headers", "tools", "exclude", "approval", "timeout", "enabled", "sampling", "sampling_model"];

    private static readonly Dictionary<string, ToolPermission> Permissions = new()
    {
        ["ask"] = ToolPermission.Ask,
        ["allow"] = ToolPermission.Allow,
        ["deny"] = ToolPermission.Deny,
    };

    /// <summary>Reads a <c>.mcp.json</c> file.</summary>
    /// <returns>The servers, in the file's order; empty when the file does not exist.</returns>
    /// <exception cref="ConfigurationException">The file is not valid JSON, a server lacks a command or url, or a variable is unset; the message names the file and the server.</exception>
    public static IReadOnlyList<McpServerOptions> LoadMcpJson(string path) => LoadMcpJson(path, System.Environment.GetEnvironmentVariable);

    /// <summary>Returns <paramref name="preferred"/>'s servers and those of <paramref name="others"/> whose names it does not have.</summary>
    public static IReadOnlyList<McpServerOptions> Merge(IEnumerable<McpServerOptions> preferred, IEnumerable<McpServerOptions> others)
    {
        ArgumentNullException.ThrowIfNull(preferred);
        ArgumentNullException.ThrowIfNull(others);
        List<McpServerOptions> result = [.. preferred];
        var names = new HashSet<string>(result.Select(server => server.Name), StringComparer.Ordinal);
        result.AddRange(others.Where(server => names.Add(server.Name)));
        return result;
    }

    internal static IReadOnlyList<McpServerOptions> LoadMcpJson(string path, Func<string, string?> environment)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            return [];
        }

        string source = Path.GetFileName(path);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            string line = ex.LineNumber is long number ? $":{(number + 1).ToString(CultureInfo.InvariantCulture)}" : "";
            throw new ConfigurationException($"{source}{line}: not valid JSON ({ex.Message.Split(" Path:")[0].TrimEnd('.')}). Fix the file or remove it.");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigurationException($"{source}: the file must hold an object like {{\"mcpServers\": {{\"name\": {{\"command\": \"...\"}}}}}}.");
            }

            if (!document.RootElement.TryGetProperty("mcpServers", out JsonElement servers))
            {
                return [];
            }

            if (servers.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigurationException($"{source}: mcpServers must be an object of servers by name.");
            }

            var result = new List<McpServerOptions>();
            foreach (JsonProperty entry in servers.EnumerateObject())
            {
                result.Add(ReadJsonServer(entry.Name, entry.Value, $"{source}: mcpServers.{entry.Name}", environment));
            }

            return result;
        }
    }

    /// <summary>Reads <c>mcp_servers:</c>.</summary>
    internal static List<McpServerOptions> ReadServers(ConfigurationReader reader, YamlMappingNode servers)
    {
        var result = new List<McpServerOptions>();
        foreach (KeyValuePair<YamlNode, YamlNode> entry in servers)
        {
            string name = ConfigurationReader.KeyOf(entry).Trim();
            if (name.Length == 0)
            {
                throw reader.Error(entry.Key, "an MCP server needs a name.");
            }

            YamlMappingNode server = reader.Mapping(entry.Value, $"MCP server '{name}'");
            result.Add(ReadServer(reader, name, server, entry.Key));
        }

        return result;
    }

    private static McpServerOptions ReadServer(ConfigurationReader reader, string name, YamlMappingNode node, YamlNode key)
    {
        reader.CheckKeys(node, $"MCP server '{name}'", ServerKeys);
        string where = reader.Error(key, "").Message.TrimEnd(' ', ':');
        var options = new McpServerOptions
        {
            Name = name,
            Command = NonBlank(reader.String(node, "command")),
            WorkingDirectory = NonBlank(reader.String(node, "cwd")),
            Tools = reader.Get(node, "tools") is null ? null : [.. reader.Names(node, "tools")],
            Timeout = reader.Duration(node, "timeout", allowZero: false) ?? TimeSpan.FromSeconds(60),
            Enabled = reader.Boolean(node, "enabled") ?? true,
            Source = where,
        };

        foreach (string argument in Strings(reader, node, "args"))
        {
            options.Arguments.Add(argument);
        }

        foreach ((string variable, string value) in Pairs(reader, node, "env"))
        {
            options.Environment[variable] = value;
        }

        foreach ((string header, string value) in Pairs(reader, node, "headers"))
        {
            options.Headers[header] = value;
        }

        foreach (string tool in reader.Names(node, "exclude"))
        {
            options.Exclude.Add(tool);
        }

        if (reader.String(node, "url") is { } url)
        {
            options.Url = Uri.TryCreate(url.Trim(), UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https"
                ? uri
                : throw reader.Error(reader.Get(node, "url")!, $"url must be an http:// or https:// address, not '{url}'.");
        }

        switch (reader.Get(node, "approval"))
        {
            case null:
                break;
            case YamlMappingNode perTool:
                foreach (KeyValuePair<YamlNode, YamlNode> tool in perTool)
                {
                    string toolName = ConfigurationReader.KeyOf(tool);
                    options.ToolApprovals[toolName] = reader.Choice(perTool, toolName, Permissions, "approval")
                        ?? throw reader.Error(tool.Key, $"give '{toolName}' an approval: ask, allow or deny.");
                }

                break;
            default:
                options.Approval = reader.Choice(node, "approval", Permissions);
                break;
        }

        options.Sampling = reader.Choice(node, "sampling", Permissions) ?? ToolPermission.Ask;
        if (reader.Get(node, "sampling_model") is { } samplingModel)
        {
            options.SamplingModel = NonBlank(reader.String(samplingModel, "sampling_model"))
                ?? throw reader.Error(samplingModel, "sampling_model must name a model or alias, such as openai/gpt-4o-mini; remove it to use the run's model.");
        }

        if (options.Command is null && options.Url is null)
        {
            throw reader.Error(key, $"MCP server '{name}' needs a command (a program started over stdio) or a url (a Streamable HTTP endpoint).");
        }

        if (options.Command is not null && options.Url is not null)
        {
            throw reader.Error(reader.Get(node, "url")!, $"MCP server '{name}' has both a command and a url; keep one.");
        }

        string[] stdioOnly = options.Url is null ? ["headers"] : ["args", "env", "cwd"];
        foreach (string misplaced in stdioOnly)
        {
            if (reader.Get(node, misplaced) is { } wrong)
            {
                throw reader.Error(wrong, $"{misplaced} applies only to a server with {(options.Url is null ? "a url" : "a command")}.");
            }
        }

        return options;
    }

    private static IEnumerable<string> Strings(ConfigurationReader reader, YamlMappingNode node, string key) => reader.Get(node, key) switch
    {
        null => [],
        YamlSequenceNode sequence => [.. sequence.Select(item => reader.String(item, $"each entry of {key}"))],
        YamlNode other => throw reader.Error(other, $"{key} must be a list, such as [-y, some-package]."),
    };

    private static IEnumerable<(string Key, string Value)> Pairs(ConfigurationReader reader, YamlMappingNode node, string key)
    {
        if (reader.Get(node, key) is not { } value)
        {
            return [];
        }

        YamlMappingNode mapping = reader.Mapping(value, key);
        return [.. mapping.Select(pair => (ConfigurationReader.KeyOf(pair), reader.String(pair.Value, ConfigurationReader.KeyOf(pair))))];
    }

    private static McpServerOptions ReadJsonServer(string name, JsonElement server, string where, Func<string, string?> environment)
    {
        if (server.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigurationException($"{where}: must be an object with a command or a url.");
        }

        var options = new McpServerOptions { Name = name, Source = where.Split(':')[0] };
        options.Command = JsonString(server, "command", where, environment);
        if (JsonString(server, "url", where, environment) is { } url)
        {
            options.Url = Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https"
                ? uri
                : throw new ConfigurationException($"{where}.url must be an http:// or https:// address, not '{url}'.");
        }

        if (server.TryGetProperty("args", out JsonElement args))
        {
            if (args.ValueKind != JsonValueKind.Array)
            {
                throw new ConfigurationException($"{where}.args must be an array of strings.");
            }

            foreach (JsonElement argument in args.EnumerateArray())
            {
                options.Arguments.Add(Expand(argument.ValueKind == JsonValueKind.String ? argument.GetString()! : argument.GetRawText(), where, environment));
            }
        }

        foreach ((string key, string value) in JsonPairs(server, "env", where, environment))
        {
            options.Environment[key] = value;
        }

        foreach ((string key, string value) in JsonPairs(server, "headers", where, environment))
        {
            options.Headers[key] = value;
        }

        if (server.TryGetProperty("disabled", out JsonElement disabled) && disabled.ValueKind == JsonValueKind.True)
        {
            options.Enabled = false;
        }

        if (options.Command is null && options.Url is null)
        {
            throw new ConfigurationException($"{where}: needs a \"command\" (a program started over stdio) or a \"url\" (a Streamable HTTP endpoint).");
        }

        if (options.Command is not null && options.Url is not null)
        {
            throw new ConfigurationException($"{where}: has both a \"command\" and a \"url\"; keep one.");
        }

        return options;
    }

    private static string? JsonString(JsonElement server, string key, string where, Func<string, string?> environment)
    {
        if (!server.TryGetProperty(key, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? NonBlank(Expand(value.GetString()!, where, environment))
            : throw new ConfigurationException($"{where}.{key} must be a string.");
    }

    private static List<(string Key, string Value)> JsonPairs(JsonElement server, string key, string where, Func<string, string?> environment)
    {
        if (!server.TryGetProperty(key, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigurationException($"{where}.{key} must be an object of strings.");
        }

        return [.. value.EnumerateObject().Select(pair => (pair.Name,
            Expand(pair.Value.ValueKind == JsonValueKind.String ? pair.Value.GetString()! : pair.Value.GetRawText(), $"{where}.{key}", environment)))];
    }

    /// <summary><c>${VAR}</c> and <c>${VAR:-default}</c>, as Claude Code expands them; an unset variable without a default is an error.</summary>
    private static string Expand(string value, string where, Func<string, string?> environment) =>
        !value.Contains("${", StringComparison.Ordinal) ? value : VariablePattern().Replace(value, match =>
        {
            string name = match.Groups[1].Value;
            if (environment(name) is { Length: > 0 } found)
            {
                if (Security.SecretRedactor.IsSecretName(name))
                {
                    Security.SecretRedactor.Register(name, found);
                }

                return found;
            }

            return match.Groups[2].Success
                ? match.Groups[2].Value
                : throw new ConfigurationException($"{where}: environment variable {name} is not set; set it or change this value.", name);
        });

    private static string? NonBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}", RegexOptions.CultureInvariant)]
    private static partial Regex VariablePattern();
}
