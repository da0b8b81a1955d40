using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Allos.Tools;
using Allos.Tools.BuiltIn;

namespace Allos.Tests.Tools.BuiltIn;

/// <summary>The shell tool in bubblewrap, with real processes. bwrap must be installed: without it these fail, saying to install bubblewrap.</summary>
public sealed class ShellSandboxTests : IDisposable
{
    private readonly TempWorkspace _temp = new();
    private readonly Tool _sandboxed = ShellTool.Create(new ShellSandboxOptions { Mode = ShellSandboxMode.Bwrap });

    public ShellSandboxTests()
    {
        if (Bubblewrap.Find(new ShellSandboxOptions { Mode = ShellSandboxMode.Bwrap }, out string? problem) is null)
        {
            throw new InvalidOperationException($"The sandbox tests need bubblewrap: {problem}; {Bubblewrap.InstallHint}.");
        }
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Invoke_WriteInsideTheWorkspace_WorksAndIsSeenOnTheHost()
    {
        string result = await _temp.InvokeAsync(_sandboxed, """{"command":"mkdir -p sub && echo inside > sub/made.txt && pwd"}""");

        result.ShouldStartWith("Exit code: 0\n", customMessage: result);
        result.ShouldContain(_temp.RootPath + "\n");
        _temp.Read("sub/made.txt").ShouldBe("inside\n");
    }

    [Fact]
    public async Task Invoke_WriteOutsideTheWorkspace_Fails()
    {
        string beside = Path.Combine(_temp.OutsidePath, "escaped.txt");
        string etc = "/etc/allos-sandbox-" + Guid.NewGuid().ToString("N");
        string usr = "/usr/allos-sandbox-" + Guid.NewGuid().ToString("N");

        string result = await _temp.InvokeAsync(_sandboxed,
            $$"""{"command":"echo x > {{beside}}; echo x > {{etc}}; echo x > {{usr}}; echo x > ../escaped.txt; echo done"}""");

        result.ShouldContain("done", customMessage: result);
        result.ShouldContain("Read-only file system", customMessage: result);
        File.Exists(beside).ShouldBeFalse();
        File.Exists(etc).ShouldBeFalse();
        File.Exists(usr).ShouldBeFalse();
        File.Exists(Path.Combine(_temp.Base, "escaped.txt")).ShouldBeFalse();
    }

    [Fact]
    public async Task Invoke_WriteToTmp_IsPrivateToTheSandbox()
    {
        string name = "/tmp/allos-sandbox-" + Guid.NewGuid().ToString("N");
        try
        {
            string result = await _temp.InvokeAsync(_sandboxed, $$"""{"command":"echo private > {{name}} && cat {{name}} && ls -A /tmp"}""");

            result.ShouldStartWith("Exit code: 0\n", customMessage: result);
            result.ShouldContain("private\n");
            File.Exists(name).ShouldBeFalse();

            // The host's /tmp (which holds the test's own workspace folders) is not shown either.
            result.ShouldNotContain(Path.GetFileName(_temp.OutsidePath) + "\n");
        }
        finally
        {
            File.Delete(name);
        }
    }

    [Fact]
    public async Task Invoke_FileInTheHomeFolder_IsHidden()
    {
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string planted = Path.Combine(home, ".allos-sandbox-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(planted, "secret-in-home");
        try
        {
            string result = await _temp.InvokeAsync(_sandboxed, $$"""{"command":"cat {{planted}} 2>/dev/null || echo hidden; ls -A {{home}} /home /root 2>&1"}""");

            File.Exists(planted).ShouldBeTrue();
            result.ShouldStartWith("Exit code: 0\n--- stdout ---\nhidden\n", customMessage: result);
            result.ShouldNotContain("secret-in-home");
            result.ShouldNotContain(Path.GetFileName(planted));
        }
        finally
        {
            File.Delete(planted);
        }
    }

    [Fact]
    public async Task Invoke_ProcOfTheHostProcess_IsNotReadable()
    {
        int pid = Environment.ProcessId;
        File.Exists($"/proc/{pid}/cmdline").ShouldBeTrue();

        string result = await _temp.InvokeAsync(_sandboxed,
            $$"""{"command":"cat /proc/{{pid}}/cmdline; cat /proc/{{pid}}/environ; ls /proc | grep -cE '^[0-9]+$'"}""");

        result.ShouldContain($"/proc/{pid}/cmdline: No such file or directory", customMessage: result);
        result.ShouldContain($"/proc/{pid}/environ: No such file or directory", customMessage: result);

        // Only the sandbox's own few processes are listed.
        int count = int.Parse(result.Split('\n')[2], CultureInfo.InvariantCulture);
        count.ShouldBeLessThan(10, result);
    }

    [Fact]
    public async Task Invoke_Network_IsUnreachableUnlessAllowed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        string arguments = $$"""{"command":"echo > /dev/tcp/127.0.0.1/{{port}} && echo connected","timeout_seconds":10}""";

        string blocked = await _temp.InvokeAsync(_sandboxed, arguments);
        string allowed = await _temp.InvokeAsync(ShellTool.Create(new ShellSandboxOptions { Mode = ShellSandboxMode.Bwrap, AllowNetwork = true }), arguments);
        string unsandboxed = await _temp.InvokeAsync(ShellTool.Create(new ShellSandboxOptions { Mode = ShellSandboxMode.None }), arguments);

        blocked.ShouldNotContain("connected", customMessage: blocked);
        blocked.ShouldStartWith("Exit code: 1\n", customMessage: blocked);
        allowed.ShouldContain("connected", customMessage: allowed);
        unsandboxed.ShouldContain("connected", customMessage: unsandboxed);
    }

    [Fact]
    public async Task Invoke_Timeout_KillsEveryProcessInTheSandbox()
    {
        // The sandbox's pids are not the host's: a unique sleep argument finds the child among the host's processes.
        string token = "3600." + Guid.NewGuid().ToString("N")[..8].Select(c => (c % 10).ToString(CultureInfo.InvariantCulture)).Aggregate(string.Concat);

        ToolException exception = await Should.ThrowAsync<ToolException>(() => _temp.InvokeAsync(_sandboxed,
            $$"""{"command":"sleep {{token}} & sleep {{token}} & echo started; wait","timeout_seconds":1}"""));

        exception.Message.ShouldContain("timed out after 1 s");
        exception.Message.ShouldContain("started");
        for (int i = 0; i < 40 && HostProcessesWith(token) > 0; i++)
        {
            await Task.Delay(50);
        }

        HostProcessesWith(token).ShouldBe(0);
    }

    [Fact]
    public async Task Invoke_StartedFromAThreadThatEnds_IsNotKilledWithIt()
    {
        // --die-with-parent fires when the forking thread ends: the sandbox must not be forked from the caller's thread.
        Task<string>? call = null;
        var thread = new Thread(() => call = _temp.InvokeAsync(_sandboxed, """{"command":"sleep 0.5; echo survived"}"""));
        thread.Start();
        thread.Join();

        string result = await call!;

        result.ShouldBe("Exit code: 0\n--- stdout ---\nsurvived\n--- stderr ---\n(empty)\n");
    }

    [Fact]
    public async Task Invoke_BwrapRequestedButMissing_FailsNamingBubblewrapWithoutRunning()
    {
        Tool tool = ShellTool.Create(new ShellSandboxOptions { Mode = ShellSandboxMode.Bwrap, BwrapPath = "/nonexistent/bwrap" });

        ToolException exception = await Should.ThrowAsync<ToolException>(() => _temp.InvokeAsync(tool, """{"command":"touch ran.txt"}"""));

        exception.Message.ShouldContain("install bubblewrap");
        exception.Message.ShouldContain("/nonexistent/bwrap");
        File.Exists(Path.Combine(_temp.RootPath, "ran.txt")).ShouldBeFalse();
    }

    [Fact]
    public async Task Invoke_AutoWithoutBwrap_RunsUnsandboxedAndSaysSoOnce()
    {
        Tool tool = ShellTool.Create(new ShellSandboxOptions { Mode = ShellSandboxMode.Auto, BwrapPath = "/nonexistent/bwrap" });
        string beside = Path.Combine(_temp.OutsidePath, "allowed.txt");

        string first = await _temp.InvokeAsync(tool, $$"""{"command":"echo x > {{beside}}"}""");
        string second = await _temp.InvokeAsync(tool, """{"command":"true"}""");

        first.ShouldStartWith("Note: no sandbox (bubblewrap was not found at '/nonexistent/bwrap')");
        File.Exists(beside).ShouldBeTrue();
        second.ShouldStartWith("Exit code: 0\n");
    }

    [Fact]
    public async Task Invoke_Auto_UsesBwrapWhenItWorks()
    {
        string result = await _temp.InvokeAsync(ShellTool.Create(), """{"command":"touch /etc/allos-auto-test"}""");

        result.ShouldContain("Read-only file system", customMessage: result);
        result.ShouldNotContain("Note: no sandbox");
    }

    [Fact]
    public async Task Invoke_WorkspaceReachedThroughALink_IsStillWritable()
    {
        string link = Path.Combine(_temp.Base, "link");
        Directory.CreateSymbolicLink(link, _temp.RootPath);
        var linked = new TempWorkspaceLink(link);

        string result = await linked.InvokeAsync(_sandboxed, """{"command":"echo via-link > linked.txt"}""");

        result.ShouldStartWith("Exit code: 0\n", customMessage: result);
        _temp.Read("linked.txt").ShouldBe("via-link\n");
    }

    [Fact]
    public void Describe_SaysWhichSandboxIsInEffect()
    {
        new ShellSandboxOptions { Mode = ShellSandboxMode.None }.Describe().ShouldBe("none");
        new ShellSandboxOptions().Describe().ShouldStartWith("bwrap (");
        new ShellSandboxOptions().Describe().ShouldEndWith("no network");
        new ShellSandboxOptions { AllowNetwork = true }.Describe().ShouldEndWith("network allowed");
        new ShellSandboxOptions { BwrapPath = "/nonexistent/bwrap" }.Describe().ShouldStartWith("none (auto: bubblewrap was not found");
        new ShellSandboxOptions { Mode = ShellSandboxMode.Bwrap, BwrapPath = "/nonexistent/bwrap" }.Describe().ShouldContain("install bubblewrap");
    }

    [Fact]
    public void Create_DescriptionTellsTheModelAboutTheSandbox()
    {
        ShellTool.Create(new ShellSandboxOptions { Mode = ShellSandboxMode.Bwrap }).Description.ShouldContain("no network");
        ShellTool.Create(new ShellSandboxOptions { Mode = ShellSandboxMode.None }).Description.ShouldNotContain("sandbox");
    }

    private static int HostProcessesWith(string token)
    {
        int count = 0;
        foreach (string folder in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (int.TryParse(Path.GetFileName(folder), out _) && File.ReadAllText(Path.Combine(folder, "cmdline")).Contains(token, StringComparison.Ordinal)
                    && !File.ReadAllText(Path.Combine(folder, "stat")).Contains(") Z ", StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // The process ended while being read.
            }
            catch (UnauthorizedAccessException)
            {
                // Another user's process.
            }
        }

        return count;
    }

    /// <summary>Invokes a tool with a workspace opened through a symbolic link.</summary>
    private sealed class TempWorkspaceLink(string path)
    {
        public async Task<string> InvokeAsync(Tool tool, string argumentsJson)
        {
            using var document = System.Text.Json.JsonDocument.Parse(argumentsJson);
            var arguments = document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone());
            object? result = await tool.InvokeAsync(new Microsoft.Extensions.AI.AIFunctionArguments(arguments)
            {
                Context = new Dictionary<object, object?> { [typeof(ToolContext)] = new ToolContext { CallId = "c1", ToolName = tool.Name, Workspace = new Workspace(path) } },
            });
            return result.ShouldBeOfType<string>();
        }
    }
}
