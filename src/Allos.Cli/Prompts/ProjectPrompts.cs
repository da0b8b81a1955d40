using Allos.Configuration;
using Allos.Prompts;
using YamlDotNet.RepresentationModel;

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

    private static IEnumerable<string> Configured(string file)
    {
        if (!File.Exists(file))
        {
            return [];
        }

        try
        {
            return AllosConfiguration.LoadFile(file).PromptFolders ?? [];
        }
        catch (ConfigurationException ex) when (ex.VariableName is not null)
        {
            // An unset ${KEY} of some provider stops a model call, not the listing or rendering of prompts: read only prompts:.
            return FoldersOnly(file);
        }
    }

    private static IEnumerable<string> FoldersOnly(string file)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(file))
        {
            yaml.Load(reader);
        }

        string folder = Path.GetDirectoryName(Path.GetFullPath(file))!;
        return yaml.Documents is [{ RootNode: YamlMappingNode root }, ..] && root.Children.TryGetValue(new YamlScalarNode("prompts"), out YamlNode? node) && node is YamlSequenceNode list
            ? [.. list.Children.OfType<YamlScalarNode>().Select(item => Path.GetFullPath(item.Value ?? ".", folder))]
            : [];
    }
}
