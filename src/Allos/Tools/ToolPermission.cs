namespace Allos.Tools;

/// <summary>Whether a tool may run without asking.</summary>
public enum ToolPermission
{
    /// <summary>Runs without asking (except in manual autonomy, where every call is asked).</summary>
    Allow,

    /// <summary>Runs only after the user approves the call (except in autonomous mode).</summary>
    Ask,

    /// <summary>Never runs; the model is told the call was denied. Holds in every autonomy level.</summary>
    Deny,
}
