namespace Allos.Storage;

/// <summary>A stored run.</summary>
/// <param name="RunId">The run id.</param>
/// <param name="SessionId">The session the run belongs to.</param>
/// <param name="Status">The run's state.</param>
/// <param name="Started">When the run was first marked.</param>
/// <param name="Ended">When the run was marked completed or incomplete.</param>
public sealed record RunRecord(string RunId, string SessionId, RunMark Status, DateTimeOffset Started, DateTimeOffset? Ended);
