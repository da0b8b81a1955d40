using System.Globalization;

namespace Allos.Bench.Gateway;

/// <summary><c>--name value</c> pairs; a name given twice keeps every value (for <c>--target</c>).</summary>
internal sealed class BenchArguments
{
    private readonly Dictionary<string, List<string>> _values = [];

    public static BenchArguments Parse(string[] args)
    {
        var parsed = new BenchArguments();
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected '--name value', got '{args[i]}'");
            }

            string name = args[i][2..];
            if (!parsed._values.TryGetValue(name, out List<string>? list))
            {
                parsed._values[name] = list = [];
            }

            list.Add(args[++i]);
        }

        return parsed;
    }

    public string String(string name, string? fallback = null) =>
        _values.TryGetValue(name, out List<string>? list) ? list[^1]
        : fallback ?? throw new ArgumentException($"missing --{name}");

    public int Int(string name, int fallback) =>
        _values.TryGetValue(name, out List<string>? list) ? int.Parse(list[^1], CultureInfo.InvariantCulture) : fallback;

    public IReadOnlyList<string> All(string name) => _values.TryGetValue(name, out List<string>? list) ? list : [];
}
