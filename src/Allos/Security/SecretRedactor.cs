using System.Buffers;
using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Allos.Security;

/// <summary>
/// The secrets this process knows, and the one place that replaces them with a <c>[redacted NAME]</c> marker. Every
/// tool result, error result and denial passes through <see cref="Redact"/> before it reaches a model, the run trace,
/// the session store or an exception message.
/// </summary>
/// <remarks>
/// <para>
/// Known from the start: the values of the environment variables whose names say they hold a secret (every provider's
/// key variable, and names ending in <c>_API_KEY</c>, <c>_TOKEN</c>, <c>_SECRET</c>, <c>_PASSWORD</c>,
/// <c>_ACCESS_KEY</c> and the like), read once on first use. Added as they are met: every key a provider client is
/// created with (<see cref="ChatClientOptions.ApiKey"/> included), keys and <c>${VAR}</c> secrets of a Router
/// configuration, and whatever a host registers with <see cref="Register"/> (the CLI registers its <c>.env</c> values).
/// </para>
/// <para>
/// Besides the raw value, its JSON-escaped and URL-encoded forms and its base64 encoding (at each of the three byte
/// alignments it can have inside a longer encoded text) are redacted. Other transformations (hex dumps, reversed or
/// split text) are not: this is a safety net against accidental disclosure, while approvals and the shell tool's
/// scrubbed environment are what stand between a deliberately hostile command and a secret.
/// </para>
/// <para>Values shorter than <see cref="MinimumLength"/> characters are ignored, so common words are never redacted. Thread-safe.</para>
/// </remarks>
public static class SecretRedactor
{
    /// <summary>The shortest value that is redacted: 8 characters.</summary>
    public const int MinimumLength = 8;

    private static readonly JavaScriptEncoder RelaxedJson = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
    private static readonly Lock Gate = new();

    /// <summary>Every redacted form (value and encodings), with the name its marker shows; written under <see cref="Gate"/>.</summary>
    private static readonly Dictionary<string, string> Forms = new(StringComparer.Ordinal);

    private static Snapshot? _snapshot;

    /// <summary>Registers a secret: from now on, <paramref name="value"/> (and its common encodings) is shown as <c>[redacted <paramref name="name"/>]</c>.</summary>
    /// <param name="name">What the marker calls the secret, for example <c>OPENAI_API_KEY</c>; never the value itself.</param>
    /// <param name="value">The secret. Surrounding white space is ignored.</param>
    /// <returns><see langword="true"/> when the value is redacted; <see langword="false"/> when it is null or shorter than <see cref="MinimumLength"/>.</returns>
    /// <remarks>A value registered twice keeps the name it was first registered with.</remarks>
    public static bool Register(string name, string? value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        EnsureInitialized();
        lock (Gate)
        {
            return Add(name.Trim(), value);
        }
    }

    /// <summary>Returns <paramref name="text"/> with every known secret replaced by its marker; the same instance when it holds none.</summary>
    /// <remarks>The common case (no secret in the text) is one vectorized search, without allocation.</remarks>
    [return: NotNullIfNotNull(nameof(text))]
    public static string? Redact(string? text)
    {
        if (text is null)
        {
            return null;
        }

        Snapshot snapshot = EnsureInitialized();
        if (snapshot.Values.Length == 0 || text.Length < MinimumLength)
        {
            return text;
        }

        ReadOnlySpan<char> span = text;
        int next = span.IndexOfAny(snapshot.Search);
        if (next < 0)
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        int position = 0;
        while (next >= 0)
        {
            int start = position + next;

            // The search says some form starts here; the forms are longest first, so the first that fits is the longest.
            foreach ((string value, string marker) in snapshot.Values)
            {
                if (span[start..].StartsWith(value, StringComparison.Ordinal))
                {
                    result.Append(span[position..start]).Append(marker);
                    position = start + value.Length;
                    break;
                }
            }

            next = span[position..].IndexOfAny(snapshot.Search);
        }

        return result.Append(span[position..]).ToString();
    }

    /// <summary>Whether an environment variable's name says it holds a secret (as the shell tool's scrubbing and this redactor read it).</summary>
    public static bool IsSecretName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return SecretNames.IsSecret(name);
    }

    /// <summary>Whether <paramref name="value"/> is a registered secret (so a child process's environment can leave it out whatever its name).</summary>
    internal static bool IsKnownValue(string? value)
    {
        if (value is null || value.Trim().Length < MinimumLength)
        {
            return false;
        }

        EnsureInitialized();
        lock (Gate)
        {
            return Forms.ContainsKey(value.Trim());
        }
    }

    private static Snapshot EnsureInitialized()
    {
        if (Volatile.Read(ref _snapshot) is { } ready)
        {
            return ready;
        }

        lock (Gate)
        {
            if (_snapshot is null)
            {
                // The environment as it is at first use: the CLI loads its .env before anything can redact.
                foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
                {
                    if (entry.Key is string name && SecretNames.IsSecret(name))
                    {
                        Add(name, entry.Value as string);
                    }
                }

                Volatile.Write(ref _snapshot, Build());
            }

            return _snapshot!;
        }
    }

    /// <summary>Adds a value's forms; the caller holds <see cref="Gate"/>.</summary>
    private static bool Add(string name, string? value)
    {
        string? secret = value?.Trim();
        if (secret is null || secret.Length < MinimumLength)
        {
            return false;
        }

        bool added = false;
        foreach (string form in Encodings(secret))
        {
            added |= Forms.TryAdd(form, name);
        }

        if (added && _snapshot is not null)
        {
            Volatile.Write(ref _snapshot, Build());
        }

        return true;
    }

    private static IEnumerable<string> Encodings(string secret)
    {
        yield return secret;
        yield return JsonEncodedText.Encode(secret, RelaxedJson).Value;
        yield return JsonEncodedText.Encode(secret).Value;
        yield return Uri.EscapeDataString(secret);

        // Inside a longer base64 text the value starts at one of three byte offsets; the characters that depend on its
        // bytes alone are those of its whole 3-byte groups at that offset.
        byte[] bytes = Encoding.UTF8.GetBytes(secret);
        for (int skip = 0; skip < 3; skip++)
        {
            int whole = (bytes.Length - skip) / 3 * 3;
            string encoded = Convert.ToBase64String(bytes, skip, whole);
            if (encoded.Length >= MinimumLength)
            {
                yield return encoded;
                yield return encoded.Replace('+', '-').Replace('/', '_');
            }
        }
    }

    private static Snapshot Build()
    {
        (string Value, string Marker)[] values =
        [
            .. Forms.OrderByDescending(form => form.Key.Length).ThenBy(form => form.Key, StringComparer.Ordinal)
                .Select(form => (form.Key, $"[redacted {form.Value}]")),
        ];
        return new Snapshot(values, SearchValues.Create([.. values.Select(v => v.Value)], StringComparison.Ordinal));
    }

    /// <summary>An immutable view for readers: the forms longest first, and a search over all of them.</summary>
    private sealed record Snapshot((string Value, string Marker)[] Values, SearchValues<string> Search);
}
