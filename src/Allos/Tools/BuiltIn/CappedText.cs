using System.Globalization;
using System.Text;

namespace Allos.Tools.BuiltIn;

/// <summary>
/// Collects a stream of text up to a cap, keeping its start and its end (where errors and summaries usually are) and
/// counting what was cut in between. Thread-safe: the reader appends while a timed-out caller takes a snapshot.
/// </summary>
internal sealed class CappedText(int maxCharacters)
{
    private readonly object _gate = new();
    private readonly StringBuilder _head = new();
    private readonly char[] _tail = new char[maxCharacters - (maxCharacters / 2)];
    private readonly int _headCapacity = maxCharacters / 2;
    private long _tailCount;
    private long _total;

    /// <summary>Reads <paramref name="reader"/> to its end.</summary>
    public async Task ReadToEndAsync(TextReader reader, CancellationToken cancellationToken)
    {
        char[] buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            Append(buffer.AsSpan(0, read));
        }
    }

    public void Append(ReadOnlySpan<char> text)
    {
        lock (_gate)
        {
            _total += text.Length;
            int toHead = Math.Min(text.Length, _headCapacity - _head.Length);
            if (toHead > 0)
            {
                _head.Append(text[..toHead]);
                text = text[toHead..];
            }

            foreach (char c in text)
            {
                _tail[(int)(_tailCount % _tail.Length)] = c;
                _tailCount++;
            }
        }
    }

    /// <summary>The text collected so far, with a marker where the middle was cut.</summary>
    public override string ToString()
    {
        lock (_gate)
        {
            var text = new StringBuilder(_head.Length + _tail.Length + 100).Append(_head);
            long kept = Math.Min(_tailCount, _tail.Length);
            long cut = _tailCount - kept;
            if (cut > 0)
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"\n[... output cut: {cut:N0} of {_total:N0} characters left out here ...]\n");
            }

            for (long i = _tailCount - kept; i < _tailCount; i++)
            {
                text.Append(_tail[(int)(i % _tail.Length)]);
            }

            return text.ToString();
        }
    }
}
