namespace Allos.Tools;

/// <summary>What a tool can do to the world, in increasing order of consequence; approvals are decided from it.</summary>
public enum ToolRisk
{
    /// <summary>Only reads (files, search). Never needs approval in supervised mode.</summary>
    ReadOnly = 0,

    /// <summary>Reaches the network (fetching URLs).</summary>
    Network = 1,

    /// <summary>Changes files or other state.</summary>
    Writes = 2,

    /// <summary>Runs programs.</summary>
    Executes = 3,
}
