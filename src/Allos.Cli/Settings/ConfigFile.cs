using IOPath = System.IO.Path;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Allos.Cli.Settings;

/// <summary>The command's own keys of an <c>allos.yaml</c> (the Router reads <c>router:</c> and <c>models:</c> from the same file).</summary>
internal sealed record ConfigFile(string Path)
{
    public string? Model { get; init; }

    public IReadOnlyList<string>? Tools { get; init; }

    public string? Autonomy { get; init; }

    public int? MaxIterations { get; init; }

    public string? System { get; init; }

    public string? AgentsFile { get; init; }

    /// <summary>Gets whether the file configures the Router (model groups or router settings).</summary>
    public bool HasRouter { get; init; }

    /// <summary>Reads <paramref name="path"/>, or returns <see langword="null"/> when it does not exist.</summary>
    /// <exception cref="ConfigurationException">The file is not valid YAML or a key has the wrong shape.</exception>
    public static ConfigFile? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var stream = new YamlStream();
        try
        {
            using var reader = new StringReader(File.ReadAllText(path));
            stream.Load(reader);
        }
        catch (YamlException ex)
        {
            throw new ConfigurationException($"{path}:{ex.Start.Line}: {ex.Message}");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return new ConfigFile(path);
        }

        string? agents = Scalar(root, "agents", path);
        return new ConfigFile(path)
        {
            Model = Scalar(root, "default_model", path) ?? Scalar(root, "model", path),
            Tools = List(root, "tools", path),
            Autonomy = Scalar(root, "autonomy", path),
            MaxIterations = Scalar(root, "max_iterations", path) is string max
                ? int.TryParse(max, out int n) && n > 0 ? n : throw new ConfigurationException($"{path}: max_iterations must be a positive number; it was '{max}'.")
                : null,
            System = Scalar(root, "system", path),
            AgentsFile = agents is null ? null : IOPath.GetFullPath(agents, IOPath.GetDirectoryName(IOPath.GetFullPath(path))!),
            HasRouter = root.Children.ContainsKey(new YamlScalarNode("models")) || root.Children.ContainsKey(new YamlScalarNode("router")),
        };
    }

    private static string? Scalar(YamlMappingNode root, string key, string path)
    {
        if (!root.Children.TryGetValue(new YamlScalarNode(key), out YamlNode? node))
        {
            return null;
        }

        return node is YamlScalarNode { Value: var value }
            ? string.IsNullOrWhiteSpace(value) ? null : value.Trim()
            : throw new ConfigurationException($"{path}:{node.Start.Line}: '{key}' must be a single value.");
    }

    private static List<string>? List(YamlMappingNode root, string key, string path)
    {
        if (!root.Children.TryGetValue(new YamlScalarNode(key), out YamlNode? node))
        {
            return null;
        }

        return node switch
        {
            YamlSequenceNode items => [.. items.Children.OfType<YamlScalarNode>().Select(item => item.Value!.Trim()).Where(item => item.Length > 0)],
            YamlScalarNode { Value: { } text } => [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
            _ => throw new ConfigurationException($"{path}:{node.Start.Line}: '{key}' must be a list, such as [files, search, shell]."),
        };
    }
}
