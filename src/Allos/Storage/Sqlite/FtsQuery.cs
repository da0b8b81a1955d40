using System.Text;

namespace Allos.Storage.Sqlite;

/// <summary>Turns user text into an FTS5 query: every word quoted (so operators and punctuation are literal), all required or, for recall, any.</summary>
internal static class FtsQuery
{
    /// <summary>Returns the MATCH expression, or <see langword="null"/> when the text has no words.</summary>
    public static string? Build(string text, bool any = false)
    {
        var builder = new StringBuilder();
        foreach (string raw in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            bool prefix = raw.EndsWith('*');
            string word = raw.TrimEnd('*');
            if (word.Length == 0)
            {
                continue;
            }

            if (builder.Length > 0)
            {
                builder.Append(any ? " OR " : " ");
            }

            builder.Append('"').Append(word.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            if (prefix)
            {
                builder.Append('*');
            }
        }

        return builder.Length == 0 ? null : builder.ToString();
    }
}
