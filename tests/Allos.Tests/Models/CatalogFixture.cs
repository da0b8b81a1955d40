using Allos.Models;
using Allos.Providers;

namespace Allos.Tests.Models;

/// <summary>The embedded catalog, loaded with a registry that ignores the machine's AI_PROVIDER.</summary>
internal static class CatalogFixture
{
    public static ProviderRegistry Registry(params (string Name, string Value)[] variables)
    {
        var values = variables.ToDictionary(pair => pair.Name, pair => pair.Value);
        return new ProviderRegistry(name => values.GetValueOrDefault(name));
    }

    public static string EmbeddedJson()
    {
        using Stream stream = typeof(ModelCatalog).Assembly.GetManifestResourceStream("Allos.Models.catalog.json")
            ?? throw new InvalidOperationException("The catalog resource is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static ModelCatalog Embedded(ProviderRegistry? registry = null) =>
        ModelCatalog.FromJson(EmbeddedJson(), "the embedded model catalog", registry ?? Registry());
}
