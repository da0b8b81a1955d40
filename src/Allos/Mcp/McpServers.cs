using Allos.Tools;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;

namespace Allos.Mcp;

/// <summary>
/// The MCP servers of an application: each is started on first use (when its tools are asked for), kept for the
/// lifetime of this object and closed by <see cref="DisposeAsync"/>. Their tools become Allos tools named
/// <c>mcp__SERVER__TOOL</c>, in the groups <c>mcp__SERVER</c> and <c>mcp</c>; a server that offers resources also gets
/// <c>mcp__SERVER__list_resources</c> and <c>mcp__SERVER__read_resource</c>, and its prompts are <see cref="McpPrompt"/>s
/// named <c>mcp__SERVER__NAME</c>.
/// </summary>
/// <remarks>
/// Permissions: a tool asks by default; one the server annotates <c>readOnlyHint</c> (and not <c>openWorldHint</c>) is
/// allowed, one annotated <c>destructiveHint</c> always asks; the server's <see cref="McpServerOptions.Approval"/> and
/// <see cref="McpServerOptions.ToolApprovals"/> win over the annotations. Every request has the server's
/// <see cref="McpServerOptions.Timeout"/>. Thread-safe.
/// </remarks>
public sealed class McpServers : IAsyncDisposable
{
    private readonly Dictionary<string, McpServerConnection> _connections = new(StringComparer.Ordinal);
    private readonly List<McpServerOptions> _servers;

    /// <summary>Initializes the set; nothing is started until tools are asked for.</summary>
    /// <exception cref="ConfigurationException">A server is invalid, or two servers' names become the same tool group; the message names them.</exception>
    public McpServers(IEnumerable<McpServerOptions> servers, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(servers);
        _servers = [.. servers];
        var groups = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (McpServerOptions server in _servers)
        {
            server.Validate();
            string group = McpToolNames.Group(server.Name);
            if (!groups.TryAdd(group, server.Name))
            {
                throw new ConfigurationException($"MCP servers '{groups[group]}' and '{server.Name}' both become the tool group '{group}'; rename one.");
            }

            _connections[server.Name] = new McpServerConnection(server, loggerFactory, () => Root, () => Sampling);
        }
    }

    /// <summary>
    /// Whether a tool or group name is MCP's (<c>mcp</c>, <c>mcp__SERVER</c>, <c>mcp__SERVER__TOOL</c>): such names are known
    /// only once their servers have answered (<see cref="AddToolsAsync"/>).
    /// </summary>
    public static bool IsToolName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return McpToolNames.IsMcpName(name.Trim());
    }

    /// <summary>Returns the tool group of a server's tools: <c>mcp__SERVER</c>, sanitized as tool names are.</summary>
    public static string GroupName(string server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return McpToolNames.Group(server);
    }

    /// <summary>
    /// Gets or sets the workspace folder the servers are told about: the client then offers the <c>roots</c> capability and
    /// answers <c>roots/list</c> with this folder as a <c>file://</c> URI. Set it before the servers start. Default:
    /// <see langword="null"/> (no roots are offered).
    /// </summary>
    /// <remarks>
    /// Some servers let roots replace their own configuration: server-filesystem, for one, then works only inside this
    /// folder, whatever folders its arguments name. Roots confine nothing by themselves: a server runs with this process's rights.
    /// </remarks>
    public string? Root { get; set; }

    /// <summary>
    /// Gets or sets how servers' sampling requests (<c>sampling/createMessage</c>) are answered: the client then offers the
    /// <c>sampling</c> capability to every server whose <see cref="McpServerOptions.Sampling"/> is not
    /// <see cref="ToolPermission.Deny"/>. Set it before the servers start. Default: <see langword="null"/> (sampling is not offered).
    /// </summary>
    /// <remarks>
    /// Each call is tagged as the prompt <c>mcp__SERVER__sampling</c> (<see cref="Prompts.PromptChatOptions.NameKey"/>), so
    /// call records say which server's sampling it was. See <see cref="McpSamplingOptions"/> for the model chosen and what
    /// of a request is honoured.
    /// </remarks>
    public McpSamplingOptions? Sampling { get; set; }

    /// <summary>Gets the configured servers, enabled or not, in their order.</summary>
    public IReadOnlyList<McpServerOptions> Servers => _servers;

    /// <summary>Starts (if needed) and lists every enabled server, in parallel; a server that fails is reported in its status, never left out.</summary>
    public async Task<IReadOnlyList<McpServerStatus>> ConnectAllAsync(CancellationToken cancellationToken = default) =>
        await Task.WhenAll(_servers.Select(server => ConnectAsync(server.Name, cancellationToken))).ConfigureAwait(false);

    /// <summary>Starts (if needed) one server and lists its tools.</summary>
    /// <returns>Its status: connected with its tools, failed with the reason, or disabled.</returns>
    /// <exception cref="ArgumentException">No server has that name.</exception>
    public async Task<McpServerStatus> ConnectAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        McpServerConnection connection = _connections.TryGetValue(name, out McpServerConnection? found)
            ? found
            : throw new ArgumentException($"There is no MCP server '{name}'. Servers: {string.Join(", ", _connections.Keys)}.", nameof(name));
        McpServerOptions options = connection.Options;
        if (!options.Enabled)
        {
            return new McpServerStatus(name, options.Transport, "disabled", null, [], []);
        }

        IList<McpClientTool> listed;
        try
        {
            listed = await connection.ListToolsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (McpServerException ex)
        {
            return new McpServerStatus(name, options.Transport, "failed", ex.Message, [], []);
        }

        bool resources;
        try
        {
            resources = (await connection.CapabilitiesAsync(cancellationToken).ConfigureAwait(false)).Resources is not null;
        }
        catch (McpServerException ex)
        {
            return new McpServerStatus(name, options.Transport, "failed", ex.Message, [], []);
        }

        (IReadOnlyList<Tool> tools, IReadOnlyList<string> warnings) = McpToolMapping.ToTools(connection, [.. listed.Select(tool => tool.ProtocolTool)], resources);
        return new McpServerStatus(name, options.Transport, "connected", null, tools, warnings);
    }

    /// <summary>Counts the resources a connected server lists (not its URI templates).</summary>
    /// <returns>The count, or <see langword="null"/> when the server offers no resources, is disabled or cannot be reached.</returns>
    /// <exception cref="ArgumentException">No server has that name.</exception>
    public async Task<int?> CountResourcesAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        McpServerConnection connection = _connections.TryGetValue(name, out McpServerConnection? found)
            ? found
            : throw new ArgumentException($"There is no MCP server '{name}'.", nameof(name));
        if (!connection.Options.Enabled)
        {
            return null;
        }

        try
        {
            if ((await connection.CapabilitiesAsync(cancellationToken).ConfigureAwait(false)).Resources is null)
            {
                return null;
            }

            return (await connection.RequestAsync("list its resources", (client, token) => client.ListResourcesAsync(cancellationToken: token), cancellationToken).ConfigureAwait(false)).Count;
        }
        catch (McpServerException)
        {
            // The listing says why a server failed; a count it cannot give is left out.
            return null;
        }
    }

    /// <summary>Whether a prompt reference is an MCP prompt's (<c>mcp__SERVER__NAME</c>) rather than a prompt file's.</summary>
    public static bool IsPromptName(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return reference.Trim().StartsWith(McpToolNames.Prefix, StringComparison.Ordinal);
    }

    /// <summary>Starts (if needed) one server and lists its prompts; a server that offers none gives an empty list.</summary>
    /// <exception cref="ArgumentException">No server has that name.</exception>
    /// <exception cref="McpServerException">The server could not be started or did not list its prompts; the message names it and says why.</exception>
    public async Task<IReadOnlyList<McpPrompt>> ListPromptsAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        McpServerConnection connection = _connections.TryGetValue(name, out McpServerConnection? found)
            ? found
            : throw new ArgumentException($"There is no MCP server '{name}'. Servers: {string.Join(", ", _connections.Keys)}.", nameof(name));
        if (!connection.Options.Enabled || (await connection.CapabilitiesAsync(cancellationToken).ConfigureAwait(false)).Prompts is null)
        {
            return [];
        }

        IList<McpClientPrompt> prompts = await connection.RequestAsync("list its prompts", (client, token) => client.ListPromptsAsync(cancellationToken: token), cancellationToken).ConfigureAwait(false);
        return [.. prompts.Select(prompt => new McpPrompt(connection, prompt.ProtocolPrompt))];
    }

    /// <summary>Returns the MCP prompt <paramref name="reference"/> names (<c>mcp__SERVER__NAME</c>), starting only its server.</summary>
    /// <exception cref="Prompts.PromptException">No enabled server's prompt has that name; the message lists the server's prompts.</exception>
    /// <exception cref="ConfigurationException">No configured server matches the reference's <c>mcp__SERVER</c>.</exception>
    /// <exception cref="McpServerException">The server could not be started or did not list its prompts.</exception>
    public async Task<McpPrompt> GetPromptAsync(string reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        reference = reference.Trim();
        McpServerOptions[] matches = [.. _servers.Where(server => reference != McpToolNames.AllGroup && McpToolNames.Names(reference, server.Name) && reference != McpToolNames.Group(server.Name))];
        if (matches.Length == 0)
        {
            throw new ConfigurationException(_servers.Count == 0
                ? $"'{reference}' is an MCP prompt (mcp__SERVER__NAME), but no MCP servers are configured: add them under mcp_servers: in allos.yaml or in a .mcp.json."
                : $"'{reference}' names no configured MCP server; prompts of MCP servers are named mcp__SERVER__NAME, and the servers are {string.Join(", ", _servers.Select(s => $"{s.Name} ({McpToolNames.Group(s.Name)})"))}.");
        }

        if (matches.All(server => !server.Enabled))
        {
            throw new ConfigurationException($"'{reference}' names the MCP server '{matches[0].Name}', which is disabled (enabled: false{(matches[0].Source is { } source ? $" in {source}" : "")}).");
        }

        var offered = new List<McpPrompt>();
        foreach (McpServerOptions server in matches.Where(server => server.Enabled))
        {
            IReadOnlyList<McpPrompt> prompts = await ListPromptsAsync(server.Name, cancellationToken).ConfigureAwait(false);
            if (prompts.FirstOrDefault(prompt => prompt.Name == reference) is { } prompt)
            {
                return prompt;
            }

            offered.AddRange(prompts);
        }

        string hint = KeySuggestion.Nearest(reference, [.. offered.Select(prompt => prompt.Name)]) is { } near ? $" Did you mean '{near}'?" : "";
        string known = offered.Count == 0 ? $"MCP server '{matches[0].Name}' offers no prompts" : $"its prompts: {string.Join(", ", offered.Select(prompt => prompt.Name))}";
        throw new Prompts.PromptException($"there is no MCP prompt '{reference}'; {known}.{hint}", file: null);
    }

    /// <summary>
    /// Registers the tools of the servers that <paramref name="namesOrGroups"/> names (<c>mcp</c> is every enabled server,
    /// <c>mcp__SERVER</c> one, <c>mcp__SERVER__TOOL</c> one tool's server) in <paramref name="registry"/>, with their groups;
    /// servers not named are not started.
    /// </summary>
    /// <returns>The warnings of the servers started (tools left out and why).</returns>
    /// <exception cref="McpServerException">A named server failed to start or list its tools; the message names it and says why.</exception>
    /// <exception cref="ConfigurationException">A name is MCP's but no enabled server matches it.</exception>
    public async Task<IReadOnlyList<string>> AddToolsAsync(ToolRegistry registry, IEnumerable<string> namesOrGroups, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(namesOrGroups);
        string[] names = [.. namesOrGroups.Select(name => name.Trim()).Where(McpToolNames.IsMcpName).Distinct(StringComparer.Ordinal)];
        if (names.Length == 0)
        {
            return [];
        }

        var wanted = new List<McpServerOptions>();
        foreach (string name in names)
        {
            McpServerOptions[] matches = [.. _servers.Where(server => McpToolNames.Names(name, server.Name))];
            if (matches.Length == 0)
            {
                throw new ConfigurationException(_servers.Count == 0
                    ? $"'{name}' is an MCP tool or group, but no MCP servers are configured: add them under mcp_servers: in allos.yaml or in a .mcp.json."
                    : $"'{name}' names no configured MCP server{(KeySuggestion.Nearest(name, [.. _servers.Select(s => McpToolNames.Group(s.Name))]) is { } near ? $" (did you mean '{near}'?)" : "")}. Servers: {string.Join(", ", _servers.Select(s => $"{s.Name} ({McpToolNames.Group(s.Name)})"))}.");
            }

            if (name != McpToolNames.AllGroup && matches.All(server => !server.Enabled))
            {
                throw new ConfigurationException($"'{name}' names the MCP server '{matches[0].Name}', which is disabled (enabled: false{(matches[0].Source is { } source ? $" in {source}" : "")}).");
            }

            wanted.AddRange(matches.Where(server => server.Enabled && !wanted.Contains(server)));
        }

        McpServerStatus[] statuses = await Task.WhenAll(wanted.Select(server => ConnectAsync(server.Name, cancellationToken))).ConfigureAwait(false);
        var warnings = new List<string>();
        foreach (McpServerStatus status in statuses)
        {
            if (!status.Connected)
            {
                throw new McpServerException(status.Name, status.Error ?? $"MCP server '{status.Name}' is not connected.");
            }

            string group = McpToolNames.Group(status.Name);
            registry.AddToGroup(group);
            registry.AddToGroup(McpToolNames.AllGroup);
            foreach (Tool tool in status.Tools)
            {
                registry.Add(tool, group);
                registry.AddToGroup(McpToolNames.AllGroup, tool.Name);
            }

            warnings.AddRange(status.Warnings);
        }

        return warnings;
    }

    /// <summary>Closes every server that was started.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (McpServerConnection connection in _connections.Values)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The connection of a server, for tests.</summary>
    internal McpServerConnection Connection(string name) => _connections[name];
}
