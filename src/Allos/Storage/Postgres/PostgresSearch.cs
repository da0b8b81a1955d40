using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Allos.Storage.Postgres;

/// <summary>
/// Words for <c>tsvector</c> search, split here rather than by PostgreSQL's parser (which keeps <c>notes/a.txt</c> or
/// an e-mail address as one token): a word is a run of letters and digits, lower-cased without diacritics, as SQLite's
/// <c>unicode61 remove_diacritics</c> tokenizer sees it. The index and every query use the same split.
/// </summary>
internal static partial class PostgresSearch
{
    [GeneratedRegex(@"[\p{L}\p{N}\p{Mn}]+")]
    private static partial Regex WordPattern();

    /// <summary>The text's words, space-separated, for <c>to_tsvector('simple', …)</c>.</summary>
    public static string Document(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (Match match in WordPattern().Matches(text))
        {
            if (builder.Length > 0)
            {
                builder.Append(' ');
            }

            builder.Append(Fold(match.Value));
        }

        return builder.ToString();
    }

    /// <summary>
    /// A <c>to_tsquery('simple', …)</c> expression requiring every word (or, <paramref name="any"/>, one of the words) of <paramref name="text"/> (a word ending in
    /// <c>*</c> as a prefix), or <see langword="null"/> when it has none. Punctuation and operators are never syntax.
    /// </summary>
    public static (string Query, IReadOnlyList<(string Word, bool Prefix)> Terms)? Build(string text, bool any = false)
    {
        var parts = new List<string>();
        var terms = new List<(string, bool)>();
        foreach (string raw in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            bool prefix = raw.EndsWith('*');
            var words = WordPattern().Matches(raw.TrimEnd('*')).Select(m => Fold(m.Value)).ToList();
            if (words.Count == 0)
            {
                continue;
            }

            // A "word" with inner punctuation (write_file, e-mail) is its words side by side, as FTS5 reads a quoted phrase.
            var phrase = new StringBuilder();
            for (int i = 0; i < words.Count; i++)
            {
                bool last = i == words.Count - 1;
                phrase.Append(i > 0 ? " <-> " : "").Append('\'').Append(words[i]).Append('\'').Append(last && prefix ? ":*" : "");
                terms.Add((words[i], last && prefix));
            }

            parts.Add(words.Count > 1 ? "(" + phrase + ")" : phrase.ToString());
        }

        return parts.Count == 0 ? null : (string.Join(any ? " | " : " & ", parts), terms);
    }

    /// <summary>Up to 16 words around the first match, matches in brackets, "…" where text was cut (as FTS5's snippet).</summary>
    public static string Snippet(string text, IReadOnlyList<(string Word, bool Prefix)> terms)
    {
        MatchCollection words = WordPattern().Matches(text);
        if (words.Count == 0)
        {
            return text;
        }

        bool Hit(Match word)
        {
            string folded = Fold(word.Value);
            return terms.Any(t => t.Prefix ? folded.StartsWith(t.Word, StringComparison.Ordinal) : folded == t.Word);
        }

        int first = 0;
        while (first < words.Count && !Hit(words[first]))
        {
            first++;
        }

        const int Window = 16;
        int start = Math.Max(0, Math.Min(first == words.Count ? 0 : first - 2, words.Count - Window));
        int end = Math.Min(words.Count, start + Window);
        var snippet = new StringBuilder();
        if (start > 0)
        {
            snippet.Append('…');
        }

        int position = start == 0 ? 0 : words[start].Index;
        for (int i = start; i < end; i++)
        {
            Match word = words[i];
            snippet.Append(text, position, word.Index - position);
            snippet.Append(Hit(word) ? "[" + word.Value + "]" : word.Value);
            position = word.Index + word.Length;
        }

        if (end < words.Count)
        {
            snippet.Append('…');
        }
        else
        {
            snippet.Append(text, position, text.Length - position);
        }

        return snippet.ToString();
    }

    private static string Fold(string word)
    {
        string decomposed = word.ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (char c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                builder.Append(c);
            }
        }

        return builder.ToString().Normalize(NormalizationForm.FormC);
    }
}
