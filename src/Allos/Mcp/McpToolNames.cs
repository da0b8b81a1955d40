using System.Security.Cryptography;
using System.Text;

namespace Allos.Mcp;

/// <summary>
/// The Allos names of MCP tools: <c>mcp__SERVER__TOOL</c>, with every character outside <c>[A-Za-z0-9_-]</c> replaced by
/// <c>_</c> and at most 64 characters (what every provider accepts); a longer name keeps its start and ends with a short
/// hash of the whole, so it stays unique and the same from run to run.
/// </summary>
internal static class McpToolNames
{
    public const string Prefix = "mcp__";

    /// <summary>The group of every MCP tool.</summary>
    public const string AllGroup = "mcp";

    public const int MaxLength = 64;

    private const int HashLength = 8;

    /// <summary>The tool group of one server: <c>mcp__SERVER</c>.</summary>
    public static string Group(string server) => Prefix + Sanitize(server);

    /// <summary>The Allos name of <paramref name="tool"/> of <paramref name="server"/>.</summary>
    public static string Compose(string server, string tool)
    {
        string full = $"{Prefix}{Sanitize(server)}__{Sanitize(tool)}";
        if (full.Length <= MaxLength)
        {
            return full;
        }

        // The hash is of the names as given, so two long names that sanitize alike still differ.
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{server}\n{tool}"));
        string suffix = Convert.ToHexStringLower(hash)[..HashLength];
        return $"{full[..(MaxLength - HashLength - 1)]}_{suffix}";
    }

    /// <summary>Whether a tool or group name is MCP's (<c>mcp</c>, <c>mcp__…</c>): those are known only once the servers answer.</summary>
    public static bool IsMcpName(string name) => name == AllGroup || name.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Whether <paramref name="name"/> (a tool or group of a list) names <paramref name="server"/> or one of its tools.</summary>
    public static bool Names(string name, string server)
    {
        if (name == AllGroup)
        {
            return true;
        }

        string group = Group(server);
        return name == group || (name.StartsWith(group + "__", StringComparison.Ordinal) && name.Length > group.Length + 2);
    }

    public static string Sanitize(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
        }

        return builder.Length == 0 ? "_" : builder.ToString();
    }
}
