using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Allos.Configuration;
using Allos.Tools;

namespace Allos.Cli.Settings;

/// <summary>
/// Checks the values of <see cref="RunFlags"/> while parsing, so a bad value is a usage error (exit 2, with "did you
/// mean" for a near miss) before anything is read or sent, not a configuration error pointing at <c>allos.yaml</c>.
/// </summary>
internal static class FlagValidation
{
    private static readonly string[] AutonomyLevels = ["manual", "supervised", "autonomous", "auto"];

    public static void AddTo(RunFlags flags)
    {
        flags.MaxIterations.CustomParser = ParseMaxIterations;
        flags.Memory.Validators.Add(result => Check(result, value => value.Trim() is "recall" or "none" ? null : $"--memory takes recall or none, not '{value}'."));
        flags.Autonomy.Validators.Add(result => Check(result, value => AutonomyLevels.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase)
            ? null
            : $"--autonomy takes manual, supervised or autonomous, not '{value}'{Suggestion(value, AutonomyLevels)}."));
        flags.Tools.Validators.Add(result => Check(result, CheckTools));
        flags.Session.Validators.Add(result => Check(result, CheckSessionFile));
        flags.Cwd.Validators.Add(result => Check(result, value => Directory.Exists(value)
            ? null
            : $"--cwd names a folder that does not exist: '{Path.GetFullPath(value)}'."));
    }

    private static int? ParseMaxIterations(ArgumentResult result)
    {
        string? text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : null;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= 1)
        {
            return value;
        }

        result.AddError($"--max-iterations takes a whole number of model calls, 1 or more, not '{text}'.");
        return null;
    }

    /// <summary>A session file is saved after every turn: its folder must exist before anything is paid for.</summary>
    private static string? CheckSessionFile(string value)
    {
        if (!value.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            return null; // a session id in the store
        }

        string path = Path.GetFullPath(value);
        return Directory.Exists(path) ? $"--session names a folder, not a session file: '{path}'."
            : !Directory.Exists(Path.GetDirectoryName(path)) ? $"--session: the folder of the session file does not exist: '{Path.GetDirectoryName(path)}'."
            : null;
    }

    private static string? CheckTools(string value)
    {
        if (value.Trim().Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            // MCP tools and groups are known only once their servers answer: the run checks them then.
            ToolRegistry.CreateWithBuiltIns().Resolve(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(name => !Mcp.McpServers.IsToolName(name)));
            return null;
        }
        catch (ConfigurationException ex)
        {
            return $"--tools: {ex.Message} Or 'none'.";
        }
    }

    private static void Check(OptionResult result, Func<string, string?> check)
    {
        if (result.Tokens.Count > 0 && check(result.Tokens[^1].Value) is { } error)
        {
            result.AddError(error);
        }
    }

    private static string Suggestion(string value, IEnumerable<string> candidates) =>
        KeySuggestion.Nearest(value, candidates) is { } near ? $" (did you mean '{near}'?)" : "";
}
