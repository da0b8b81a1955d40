namespace Allos.Tools.BuiltIn;

/// <summary>The sandbox of the <c>shell</c> tool; pass it to <see cref="BuiltInTools.Create"/> or <see cref="ToolRegistry.AddBuiltIns(ShellSandboxOptions?)"/>.</summary>
/// <remarks>
/// Security: inside the bubblewrap sandbox the workspace is read-write and the rest of the file system read-only; home
/// folders (<c>/home</c>, <c>/root</c>, <c>$HOME</c>), <c>/run</c> (sockets such as Docker's) and <c>/etc/shadow</c>-like
/// files are hidden; <c>/tmp</c> is private and empty; the command sees only its own processes (a new <c>/proc</c>);
/// there is no network unless <see cref="AllowNetwork"/> is set. The tool reads the options when it is created; later
/// changes do not reach it.
/// </remarks>
public sealed class ShellSandboxOptions
{
    /// <summary>Gets or sets the sandbox mode.</summary>
    /// <value>The default value is <see cref="ShellSandboxMode.Auto"/>.</value>
    public ShellSandboxMode Mode { get; set; } = ShellSandboxMode.Auto;

    /// <summary>Gets or sets whether sandboxed commands may use the network (<c>sandbox_network: true</c>).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AllowNetwork { get; set; }

    /// <summary>Gets or sets the <c>bwrap</c> program to run.</summary>
    /// <value>The default value is <see langword="null"/>: <c>bwrap</c> is looked up on <c>PATH</c>.</value>
    public string? BwrapPath { get; set; }

    /// <summary>
    /// Describes the sandbox these options give on this machine, such as <c>bwrap (/usr/bin/bwrap), no network</c> or
    /// <c>none (auto: bubblewrap is not installed)</c>; for <c>allos config show</c> and logs. May start <c>bwrap</c> once to check it works.
    /// </summary>
    public string Describe() => Bubblewrap.Describe(this);
}
