namespace Allos.Bench.Gateway;

/// <summary>A count shared by concurrent callers: completed calls, or failures (the first one printed).</summary>
internal sealed class Counter
{
    private long _value;

    public long Value => Interlocked.Read(ref _value);

    public void Add() => Interlocked.Increment(ref _value);

    /// <summary>Counts a failure; the first one is printed, so a broken proxy says why.</summary>
    public void Add(Exception ex)
    {
        if (Interlocked.Increment(ref _value) == 1)
        {
            Console.Error.WriteLine($"  first error: {ex.GetType().Name}: {ex.Message}");
        }
    }
}
