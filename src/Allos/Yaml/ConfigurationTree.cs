using System.Globalization;
using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;

namespace Allos.Yaml;

/// <summary>
/// Turns an <see cref="IConfiguration"/> tree into the YAML nodes <see cref="ConfigurationReader"/> reads, so appsettings.json
/// and environment variables go through exactly the rules of <c>allos.yaml</c>; remembers each node's path for errors.
/// </summary>
internal sealed class ConfigurationTree(string source)
{
    private readonly Dictionary<YamlNode, string> _paths = new(ReferenceEqualityComparer.Instance);

    public YamlMappingNode Build(IConfiguration configuration) => (YamlMappingNode)Convert(configuration, source, asMapping: true);

    /// <summary>The configuration path of a node, such as <c>Allos:Router:Retries</c>.</summary>
    public string Locate(YamlNode node) => _paths.TryGetValue(node, out string? path) ? path : source;

    private YamlNode Convert(IConfiguration configuration, string path, bool asMapping)
    {
        List<IConfigurationSection> children = [.. configuration.GetChildren()];
        YamlNode node;
        if (children.Count == 0 && !asMapping)
        {
            node = new YamlScalarNode(((IConfigurationSection)configuration).Value ?? "");
        }
        else if (!asMapping && IsList(children))
        {
            // Configuration has no lists: an array is a section whose keys are 0, 1, 2...
            node = new YamlSequenceNode(children
                .OrderBy(child => int.Parse(child.Key, CultureInfo.InvariantCulture))
                .Select(child => Convert(child, $"{path}:{child.Key}", asMapping: false)));
        }
        else
        {
            var mapping = new YamlMappingNode();
            foreach (IConfigurationSection child in children)
            {
                var key = new YamlScalarNode(child.Key);
                _paths[key] = $"{path}:{child.Key}";
                mapping.Add(key, Convert(child, $"{path}:{child.Key}", asMapping: false));
            }

            node = mapping;
        }

        _paths[node] = path;
        return node;
    }

    private static bool IsList(List<IConfigurationSection> children) =>
        children.Count > 0 && children.All(child => int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _));
}
