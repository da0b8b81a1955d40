using Allos.Tools.BuiltIn;
using Microsoft.Extensions.AI;

namespace Allos.Tools;

/// <summary>The tools an application offers, by name, and named groups of them (<c>files</c>, <c>search</c>, <c>shell</c>, <c>web</c>).</summary>
/// <remarks>Not thread-safe for writes; fill it before runs start, then share it.</remarks>
public sealed class ToolRegistry
{
    private readonly Dictionary<string, Tool> _tools = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _groups = new(StringComparer.Ordinal);

    /// <summary>Gets the registered tool names, sorted.</summary>
    public IReadOnlyList<string> Names => [.. _tools.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Gets the group names, sorted.</summary>
    public IReadOnlyList<string> GroupNames => [.. _groups.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Gets every registered tool, sorted by name.</summary>
    public IReadOnlyList<Tool> Tools => [.. _tools.Values.OrderBy(t => t.Name, StringComparer.Ordinal)];

    /// <summary>A registry holding the built-in tools and their groups (<c>files</c>, <c>search</c>, <c>shell</c>, <c>web</c>).</summary>
    public static ToolRegistry CreateWithBuiltIns() => new ToolRegistry().AddBuiltIns();

    /// <summary>A registry holding the built-in tools and their groups, the <c>shell</c> tool with the given sandbox.</summary>
    public static ToolRegistry CreateWithBuiltIns(ShellSandboxOptions? sandbox) => new ToolRegistry().AddBuiltIns(sandbox);

    /// <summary>Adds the built-in tools and their groups.</summary>
    public ToolRegistry AddBuiltIns() => AddBuiltIns(null);

    /// <summary>Adds the built-in tools and their groups, the <c>shell</c> tool with the given sandbox.</summary>
    /// <param name="sandbox">The <c>shell</c> tool's sandbox; <see langword="null"/> for the default (<see cref="ShellSandboxMode.Auto"/>, no network).</param>
    public ToolRegistry AddBuiltIns(ShellSandboxOptions? sandbox)
    {
        foreach (Tool tool in sandbox is null ? BuiltInTools.All : BuiltInTools.Create(sandbox))
        {
            Add(tool);
        }

        foreach (KeyValuePair<string, IReadOnlyList<string>> group in BuiltInTools.Groups)
        {
            AddToGroup(group.Key, [.. group.Value]);
        }

        return this;
    }

    /// <summary>Adds (or replaces) a tool; <paramref name="group"/> also puts it in a group.</summary>
    public ToolRegistry Add(Tool tool, string? group = null)
    {
        ArgumentNullException.ThrowIfNull(tool);
        _tools[tool.Name] = tool;
        if (group is not null)
        {
            AddToGroup(group, tool.Name);
        }

        return this;
    }

    /// <summary>Adds any <see cref="AIFunction"/> (a C# method through <see cref="AIFunctionFactory"/>, an MCP tool) with its risk.</summary>
    public ToolRegistry Add(AIFunction function, ToolRisk risk = ToolRisk.ReadOnly, ToolPermission? permission = null, string? group = null) =>
        Add(Tool.From(function, risk, permission), group);

    /// <summary>Adds tool names to a group, creating it if needed.</summary>
    public ToolRegistry AddToGroup(string group, params string[] toolNames)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(group);
        if (!_groups.TryGetValue(group, out List<string>? members))
        {
            _groups[group] = members = [];
        }

        foreach (string name in toolNames)
        {
            if (!members.Contains(name, StringComparer.Ordinal))
            {
                members.Add(name);
            }
        }

        return this;
    }

    /// <summary>Returns the tool of that name, if registered.</summary>
    public bool TryGet(string name, out Tool tool) => _tools.TryGetValue(name, out tool!);

    /// <summary>Resolves tool names and group names to tools, in order, without duplicates.</summary>
    /// <exception cref="ConfigurationException">A name is neither a tool nor a group; the message lists what is available.</exception>
    public IReadOnlyList<Tool> Resolve(IEnumerable<string> namesOrGroups)
    {
        ArgumentNullException.ThrowIfNull(namesOrGroups);
        var result = new List<Tool>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string raw in namesOrGroups)
        {
            string name = raw.Trim();

            // The provider's own search is no tool here: the agent declares it to the model (see BuiltInTools.HostedWebSearch).
            if (name.Length == 0 || name == BuiltIn.BuiltInTools.HostedWebSearch)
            {
                continue;
            }

            IEnumerable<string> members = _groups.TryGetValue(name, out List<string>? group) ? group
                : _tools.ContainsKey(name) ? [name]
                : throw new ConfigurationException(
                    $"Unknown tool or group '{name}'{(KeySuggestion.Nearest(name, [.. _tools.Keys, .. _groups.Keys]) is { } near ? $" (did you mean '{near}'?)" : "")}. Tools: {string.Join(", ", Names)}. Groups: {string.Join(", ", GroupNames)}.");

            foreach (string member in members)
            {
                if (seen.Add(member))
                {
                    result.Add(_tools.TryGetValue(member, out Tool? tool)
                        ? tool
                        : throw new ConfigurationException($"Group '{name}' names the tool '{member}', which is not registered."));
                }
            }
        }

        return result;
    }
}
