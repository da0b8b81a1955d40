namespace Allos.Bench.Gateway;

/// <summary>Every stream's TTFT, the largest gap seen and how many streams had a gap above the stall threshold.</summary>
internal sealed class StreamTimes(LoadSettings settings)
{
    public List<double> Ttft { get; } = [];

    public double MaxGap { get; private set; }

    public int Stalled { get; private set; }

    public int Count => Ttft.Count;

    /// <summary>Adds one stream's figures; a stream that lost text frames is an error, not a fast stream (a failed one, -1 frames, was counted already).</summary>
    public void Add(double ttft, double maxGap, int frames, Counter errors)
    {
        if (frames < settings.Chunks)
        {
            if (frames >= 0)
            {
                errors.Add();
            }

            return;
        }

        Ttft.Add(ttft);
        MaxGap = Math.Max(MaxGap, maxGap);
        if (maxGap > settings.StallMs)
        {
            Stalled++;
        }
    }
}
