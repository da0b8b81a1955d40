namespace Allos.Mcp;

/// <summary>The last lines a stdio server wrote to standard error, to show when it fails. Thread-safe.</summary>
internal sealed class StderrTail(int capacity = 10)
{
    private readonly Queue<string> _lines = new();
    private readonly Lock _gate = new();

    public void Add(string line)
    {
        lock (_gate)
        {
            _lines.Enqueue(line.Length > 300 ? line[..300] + "…" : line);
            while (_lines.Count > capacity)
            {
                _lines.Dequeue();
            }
        }
    }

    /// <summary>" Its last standard error lines: …", or an empty string when it wrote none.</summary>
    public string Describe()
    {
        lock (_gate)
        {
            string[] lines = [.. _lines.Where(line => !string.IsNullOrWhiteSpace(line))];
            return lines.Length == 0 ? " It wrote nothing to standard error." : $" Its last standard error lines: {string.Join(" | ", lines)}";
        }
    }
}
