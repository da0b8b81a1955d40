using Allos.Configuration;
using Allos.Prompts;

namespace Allos.Cli.Prompts;

/// <summary>
/// The prompts of the effective working folder (<c>--cwd</c> has moved the process there): <c>./prompts/</c>, the user's
/// <c>prompts/</c>, then the <c>prompts:</c> folders of <c>./allos.yaml</c> and of the user's <c>allos.yaml</c>. Only
/// commands that use prompts load them, so a malformed prompt file breaks nothing else.
/// </summary>
internal static class ProjectPrompts
{
    /// <summary>Loads the library and writes its warnings (<c>file:line: warning: …</c>) on standard error.</summary>
    /// <exception cref="PromptException">A prompt file is malformed, two conflict, or a configured folder is missing.</exception>
    /// <exception cref="ConfigurationException">An <c>allos.yaml</c> is invalid.</exception>
    public static PromptLibrary Load(CliConsole console)
    {
        string cwd = Directory.GetCurrentDirectory();
        string[] configured = [.. Configured(Path.Combine(cwd, "allos.yaml")), .. Configured(Path.Combine(AllosPaths.ConfigDirectory, "allos.yaml"))];
        PromptLibrary library = PromptLibrary.ForProject(cwd, configured.Distinct(StringComparer.Ordinal));
        foreach (PromptWarning warning in library.Warnings)
        {
            console.Error.WriteLine(warning.ToString());
        }

        return library;
    }

    private static IEnumerable<string> Configured(string file) =>
        File.Exists(file) ? AllosConfiguration.LoadFile(file).PromptFolders ?? [] : [];
}
