using Microsoft.ML.Tokenizers;

namespace Allos.Context;

/// <summary>
/// One of OpenAI's BPE vocabularies (<c>o200k_base</c>, <c>cl100k_base</c>), loaded on first use, once per process, and
/// the rule that says which models use it.
/// </summary>
/// <remarks>
/// The vocabularies are megabytes of embedded data that take a few hundred milliseconds to parse, so nothing is loaded
/// until a text is counted. If loading fails (an app trimmed the data assembly away), counting falls back to the
/// estimate rather than failing the request. Thread-safe.
/// </remarks>
internal sealed class TiktokenEncoding
{
    /// <summary>The longest run of non-whitespace characters tokenized in one piece.</summary>
    internal const int MaxRun = 128;

    private readonly Lazy<Tokenizer?> _tokenizer;

    private TiktokenEncoding(string name)
    {
        Name = name;
        _tokenizer = new Lazy<Tokenizer?>(() => Load(name), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Gets the vocabulary of GPT-4o, GPT-4.1, GPT-5 and the o-series.</summary>
    public static TiktokenEncoding O200kBase { get; } = new("o200k_base");

    /// <summary>Gets the vocabulary of GPT-4, GPT-3.5 Turbo and the second and third generation of embeddings.</summary>
    public static TiktokenEncoding Cl100kBase { get; } = new("cl100k_base");

    /// <summary>Gets the encoding's name, as tiktoken spells it.</summary>
    public string Name { get; }

    /// <summary>Gets the tokenizer, loading it on first use; <see langword="null"/> when it could not be loaded.</summary>
    public Tokenizer? Tokenizer => _tokenizer.Value;

    /// <summary>
    /// The encoding of <paramref name="model"/>, or <see langword="null"/> when it does not use one of OpenAI's (or is not
    /// known to). Takes a bare name (<c>gpt-4o-mini</c>) or an id with providers in front (<c>openai/gpt-4o</c>,
    /// <c>openrouter/openai/gpt-4.1</c>); dated snapshots and fine-tunes (<c>ft:gpt-4o-mini:org::id</c>) count as their base.
    /// </summary>
    public static TiktokenEncoding? ForModel(string? model)
    {
        if (string.IsNullOrWhiteSpace(model))
        {
            return null;
        }

        // The model is the last path segment: providers and routers put theirs in front.
        ReadOnlySpan<char> name = model.AsSpan().Trim();
        name = name[(name.LastIndexOf('/') + 1)..];
        if (name.StartsWith("ft:", StringComparison.OrdinalIgnoreCase))
        {
            name = name[3..];
        }

        if (StartsWithModel(name, "gpt-4o") || StartsWithModel(name, "chatgpt-4o") || StartsWithModel(name, "gpt-4.1")
            || StartsWithModel(name, "gpt-4.5") || StartsWithModel(name, "gpt-5") || StartsWithModel(name, "gpt-oss")
            || StartsWithModel(name, "o1") || StartsWithModel(name, "o3") || StartsWithModel(name, "o4"))
        {
            return O200kBase;
        }

        if (StartsWithModel(name, "gpt-4") || StartsWithModel(name, "gpt-3.5") || StartsWithModel(name, "gpt-35")
            || StartsWithModel(name, "text-embedding-3") || StartsWithModel(name, "text-embedding-ada-002"))
        {
            return Cl100kBase;
        }

        return null;
    }

    /// <summary>The tokens of <paramref name="text"/>, or <see langword="null"/> when the tokenizer could not be loaded.</summary>
    /// <remarks>
    /// BPE merges cost quadratic time in the length of a run without whitespace (1,600 repeated letters took 16 ms, 6,400
    /// took 150 ms), and tool results carry such runs (base64, minified code, hashes). Runs longer than
    /// <see cref="MaxRun"/> are counted in pieces, which can differ from the exact count by a token per piece.
    /// </remarks>
    public long? Count(string text)
    {
        if (Tokenizer is not Tokenizer tokenizer)
        {
            return null;
        }

        long total = 0;
        int start = 0;
        int run = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                run = 0;
            }
            else if (++run == MaxRun)
            {
                total += tokenizer.CountTokens(text.AsSpan(start, i + 1 - start));
                start = i + 1;
                run = 0;
            }
        }

        return start == 0 ? tokenizer.CountTokens(text) : total + tokenizer.CountTokens(text.AsSpan(start));
    }

    // "o1" matches o1, o1-mini and o1-2024-12-17, not o10 or o1x; "gpt-5" matches gpt-5.1 and gpt-5-mini too.
    private static bool StartsWithModel(ReadOnlySpan<char> name, string prefix) =>
        name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
        && (name.Length == prefix.Length || name[prefix.Length] is '-' or '.' or ':' or '@' or '_');

    private static Tokenizer? Load(string name)
    {
        try
        {
            return TiktokenTokenizer.CreateForEncoding(name);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or NotSupportedException or ArgumentException or TypeLoadException or BadImageFormatException)
        {
            return null;
        }
    }
}
