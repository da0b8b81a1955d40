using System.Diagnostics;

namespace Allos.Storage.Sqlite;

/// <summary>Who owns a running run: host, process id and process start time (so a reused process id is not mistaken for the owner).</summary>
internal static class ProcessIdentity
{
    public static string Host { get; } = Environment.MachineName;

    public static int Id { get; } = Environment.ProcessId;

    public static long StartedMs { get; } = CurrentStartTimeMs();

    /// <summary>Whether the process that marked a run on this host still runs. Unknown answers count as alive.</summary>
    public static bool IsAlive(int pid, long? startedMs)
    {
        try
        {
            using Process process = Process.GetProcessById(pid);
            if (process.HasExited)
            {
                return false;
            }

            // Start times are compared loosely: platforms derive them from boot time with some jitter.
            return startedMs is not { } expected || StartTimeMs(process) is not { } actual || Math.Abs(actual - expected) < 2000;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static long CurrentStartTimeMs()
    {
        using Process current = Process.GetCurrentProcess();
        return StartTimeMs(current) ?? 0;
    }

    private static long? StartTimeMs(Process process)
    {
        try
        {
            return new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds();
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return null;
        }
    }
}
