namespace Allos.Storage;

/// <summary>A run's state as stored, so an interrupted run can be detected after a crash.</summary>
public enum RunMark
{
    /// <summary>The run is in progress (or its process died; recovery turns it into <see cref="Incomplete"/>).</summary>
    Running,

    /// <summary>The run finished.</summary>
    Completed,

    /// <summary>The run stopped before finishing: its process died, or it failed or was cancelled.</summary>
    Incomplete,
}
