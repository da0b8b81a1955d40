namespace Allos.Storage.Limits;

/// <summary>What the shared-limits stores' background loops (the settle writer and the heartbeat) have in common.</summary>
internal static class LimitWorkers
{
    /// <summary>Waits <paramref name="wait"/> on <paramref name="time"/>; <see langword="false"/> when <paramref name="stopping"/> is cancelled.</summary>
    public static async Task<bool> PauseAsync(TimeProvider time, TimeSpan wait, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(wait, time, stopping).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Stops the loops: no more settles are taken, the writer gets up to 5 seconds to write those queued, then both loops
    /// are cancelled and waited for (5 seconds more at most).
    /// </summary>
    public static async Task StopAsync<T>(System.Threading.Channels.ChannelWriter<T> settles, Task writer, Task beating, CancellationTokenSource stopping)
    {
        settles.TryComplete();
        await Task.WhenAny(writer, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        await stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(writer, beating).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }
}
