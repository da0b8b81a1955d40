namespace Allos.Tools.BuiltIn;

/// <summary>How the <c>shell</c> tool confines the commands it runs (<c>sandbox:</c> in <c>allos.yaml</c>).</summary>
public enum ShellSandboxMode
{
    /// <summary>Bubblewrap when it is installed and works on this machine; otherwise no sandbox, said once in the first result.</summary>
    Auto,

    /// <summary>Bubblewrap (<c>bwrap</c>) always; a call fails with an error naming the <c>bubblewrap</c> package when it is missing or cannot start.</summary>
    Bwrap,

    /// <summary>No sandbox: commands run with the user's own access (approval is the only guard).</summary>
    None,
}
