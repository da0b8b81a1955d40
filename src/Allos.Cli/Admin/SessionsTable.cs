using System.Globalization;
using System.Text;
using Allos.Cli.Output;
using Allos.Storage;

namespace Allos.Cli.Admin;

/// <summary>
/// The lines of <c>allos sessions list</c>: one per session, in fixed-width columns that fit the terminal (80 columns
/// when the output is not one), so an id never wraps; only the title is cut, with "…".
/// </summary>
internal static class SessionsTable
{
    private const int ModelWidth = 18;
    private const int CostWidth = 10;
    private const int UpdatedWidth = 8;
    private const int MinTitleWidth = 12;
    private const string Gap = "  ";

    public sealed record Row(string ShortId, bool Pinned, string Title, string? Model, decimal? Cost, DateTimeOffset Updated);

    public static IEnumerable<string> Lines(IReadOnlyList<Row> rows, int width, DateTimeOffset now)
    {
        // The id column is as wide as the longest short id, plus one for the pin mark.
        int idWidth = Math.Max(2, rows.Max(row => row.ShortId.Length)) + 1;
        int titleWidth = Math.Max(MinTitleWidth, width - idWidth - ModelWidth - CostWidth - UpdatedWidth - (4 * Gap.Length));
        yield return Line("id", "title", "model", "cost", "updated", idWidth, titleWidth).TrimEnd();
        foreach (Row row in rows)
        {
            string id = row.ShortId + (row.Pinned ? "*" : "");
            string line = Line(id, row.Title, row.Model ?? "-", row.Cost is null ? "?" : Money.Format(row.Cost), Age(row.Updated, now), idWidth, titleWidth);
            yield return line.TrimEnd();
        }

        if (rows.Any(row => row.Pinned))
        {
            yield return "* pinned: kept by `allos sessions prune`";
        }
    }

    /// <summary>How long ago, in at most 8 characters that read at a glance.</summary>
    public static string Age(DateTimeOffset time, DateTimeOffset now)
    {
        TimeSpan age = now - time;
        return age.TotalMinutes < 1 ? "just now"
            : age.TotalHours < 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalMinutes}m ago")
            : age.TotalDays < 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalHours}h ago")
            : age.TotalDays < 14 ? string.Create(CultureInfo.InvariantCulture, $"{(int)age.TotalDays}d ago")
            : age.TotalDays < 365 ? string.Create(CultureInfo.InvariantCulture, $"{(int)(age.TotalDays / 7)}w ago")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)(age.TotalDays / 365)}y ago");
    }

    /// <summary>Cuts <paramref name="text"/> to <paramref name="width"/> characters, the last one "…" when cut.</summary>
    public static string Cut(string text, int width)
    {
        string flat = text.ReplaceLineEndings(" ");
        return flat.Length <= width ? flat : flat[..(width - 1)] + "…";
    }

    private static string Line(string id, string title, string model, string cost, string updated, int idWidth, int titleWidth)
    {
        var line = new StringBuilder();
        line.Append(id.PadRight(idWidth)).Append(Gap);
        line.Append(Cut(title, titleWidth).PadRight(titleWidth)).Append(Gap);
        line.Append(Cut(model, ModelWidth).PadRight(ModelWidth)).Append(Gap);
        line.Append(Cut(cost, CostWidth).PadLeft(CostWidth)).Append(Gap);
        line.Append(updated.PadLeft(UpdatedWidth));
        return line.ToString();
    }
}
