namespace Allos.Cli.Settings;

/// <summary>What the user typed for <c>run</c> or <c>chat</c>, before configuration files and the environment are consulted.</summary>
internal sealed record RunRequest
{
    public string? Model { get; init; }

    public string? Provider { get; init; }

    public string? Tools { get; init; }

    public bool AutoApprove { get; init; }

    public string? Autonomy { get; init; }

    public string? Session { get; init; }

    /// <summary>Gets whether <c>-c</c> asked for the most recent session.</summary>
    public bool Continue { get; init; }

    public string? Agent { get; init; }

    public string? System { get; init; }

    public int? MaxIterations { get; init; }

    public string? Memory { get; init; }

    public string? Cwd { get; init; }

    public bool NoStream { get; init; }

    public bool Json { get; init; }

    public bool Verbose { get; init; }

    public bool Quiet { get; init; }

    public bool Wait { get; init; }
}
