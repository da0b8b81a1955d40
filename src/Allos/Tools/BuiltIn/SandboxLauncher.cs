using System.Collections.Concurrent;
using System.Diagnostics;

namespace Allos.Tools.BuiltIn;

/// <summary>Starts bubblewrap processes from one thread that lives as long as the host.</summary>
/// <remarks>
/// bwrap's <c>--die-with-parent</c> is a parent-death signal, and Linux sends it when the <em>thread</em> that forked the
/// process ends, not the process: started from a pool thread that later retires, a sandbox would be killed (exit 137)
/// in the middle of its command. Thread-safe.
/// </remarks>
internal static class SandboxLauncher
{
    private static readonly BlockingCollection<(ProcessStartInfo StartInfo, TaskCompletionSource<Process> Started)> Queue = [];

    private static readonly Lazy<Thread> Launcher = new(() =>
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "Allos sandbox launcher" };
        thread.Start();
        return thread;
    });

    /// <summary>Starts the process on the launcher thread; its exceptions (a missing program) come back to the caller.</summary>
    public static Process Start(ProcessStartInfo startInfo)
    {
        _ = Launcher.Value;
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        Queue.Add((startInfo, started));
        return started.Task.GetAwaiter().GetResult();
    }

    private static void Run()
    {
        foreach ((ProcessStartInfo startInfo, TaskCompletionSource<Process> started) in Queue.GetConsumingEnumerable())
        {
            try
            {
                var process = new Process { StartInfo = startInfo };
                process.Start();
                started.SetResult(process);
            }
#pragma warning disable CA1031 // Every failure belongs to the caller, who rethrows it; the launcher must keep running.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                started.SetException(exception);
            }
        }
    }
}
