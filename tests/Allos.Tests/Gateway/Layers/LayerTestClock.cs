using Microsoft.Extensions.Time.Testing;

namespace Allos.Tests.Gateway.Layers;

/// <summary>Drives a fake clock until a call that waits on it finishes.</summary>
internal static class LayerTestClock
{
    /// <summary>Advances <paramref name="time"/> by <paramref name="step"/> until <paramref name="call"/> completes, and returns its result.</summary>
    public static async Task<T> RunAsync<T>(FakeTimeProvider time, Task<T> call, TimeSpan step)
    {
        for (int i = 0; i < 10_000 && !call.IsCompleted; i++)
        {
            // Real time only to let the call reach its next timer; the fake clock decides when it fires.
            await Task.Delay(1);
            time.Advance(step);
        }

        return await call;
    }
}
