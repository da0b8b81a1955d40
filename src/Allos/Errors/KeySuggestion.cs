namespace Allos;

/// <summary>Finds the valid name a misspelt one was meant to be, for "did you mean" hints (configuration keys, flag values, commands).</summary>
public static class KeySuggestion
{
    /// <summary>Returns the candidate closest to <paramref name="key"/>, or <see langword="null"/> when none is close enough to be a typo.</summary>
    /// <remarks>Case and <c>_</c>/<c>-</c> are ignored; a longer key may be further off (1 edit up to 4 letters, 2 up to 9, then 3).</remarks>
    public static string? Nearest(string key, IEnumerable<string> candidates)
    {
        string typed = Normalize(key);
        if (typed.Length == 0)
        {
            return null;
        }

        int limit = typed.Length <= 4 ? 1 : typed.Length <= 9 ? 2 : 3;
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in candidates)
        {
            int distance = Distance(typed, Normalize(candidate));
            if (distance <= limit && distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    /// <summary>Edit distance with adjacent transpositions counted as one edit (optimal string alignment).</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    private static string Normalize(string key) =>
        key.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
}
