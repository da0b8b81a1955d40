namespace Allos.Agents;

/// <summary>How much an agent may do without asking.</summary>
public enum AutonomyLevel
{
    /// <summary>Every tool call needs approval.</summary>
    Manual,

    /// <summary>
    /// Calls whose permission is <see cref="Tools.ToolPermission.Ask"/> need approval; by default that is every tool at or
    /// above the approval threshold (network, writes, executes). The default level.
    /// </summary>
    Supervised,

    /// <summary>No approval is asked; <see cref="Tools.ToolPermission.Deny"/> still denies.</summary>
    Autonomous,
}
