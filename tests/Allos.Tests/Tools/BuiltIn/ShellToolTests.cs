using System.Diagnostics;
using Allos.Security;
using Allos.Tools;
using Allos.Tools.BuiltIn;

namespace Allos.Tests.Tools.BuiltIn;

public sealed class ShellToolTests : IDisposable
{
    private readonly TempWorkspace _temp = new();
    // These are the unsandboxed run's tests (host pids, the host's session); ShellSandboxTests cover bubblewrap.
    private readonly Tool _tool = ShellTool.Create(new ShellSandboxOptions { Mode = ShellSandboxMode.None });

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Invoke_Success_ReturnsExitCodeStdoutAndStderr() =>
        (await _temp.InvokeAsync(_tool, """{"command":"echo out; echo err >&2"}"""))
            .ShouldBe("Exit code: 0\n--- stdout ---\nout\n--- stderr ---\nerr\n");

    [Fact]
    public async Task Invoke_NonZeroExit_IsAResultNotAnError() =>
        (await _temp.InvokeAsync(_tool, """{"command":"exit 3"}"""))
            .ShouldBe("Exit code: 3\n--- stdout ---\n(empty)\n--- stderr ---\n(empty)\n");

    [Fact]
    public async Task Invoke_RunsInTheWorkspaceRoot()
    {
        _temp.Write("marker.txt", "");

        string result = await _temp.InvokeAsync(_tool, """{"command":"pwd; ls"}""");

        result.ShouldContain(_temp.RootPath + "\n");
        result.ShouldContain("marker.txt");
    }

    [Fact]
    public async Task Invoke_CommandReadingStdin_GetsEndOfFileInsteadOfHanging() =>
        (await _temp.InvokeAsync(_tool, """{"command":"cat; echo done","timeout_seconds":5}""")).ShouldContain("done");

    [Fact]
    public async Task Invoke_Timeout_KillsTheCommandAndSaysItTimedOut()
    {
        var stopwatch = Stopwatch.StartNew();

        ToolException exception = await Should.ThrowAsync<ToolException>(
            () => _temp.InvokeAsync(_tool, """{"command":"echo started; sleep 5","timeout_seconds":1}"""));

        stopwatch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(4.5));
        exception.Message.ShouldContain("timed out after 1 s");
        exception.Message.ShouldContain("started");
    }

    [Fact]
    public async Task Invoke_Timeout_KillsChildProcessesToo()
    {
        string pidFile = Path.Combine(_temp.RootPath, "child.pid");

        await Should.ThrowAsync<ToolException>(
            () => _temp.InvokeAsync(_tool, """{"command":"sleep 30 & echo $! > child.pid; wait","timeout_seconds":1}"""));

        int pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        for (int i = 0; i < 40 && IsRunning(pid); i++)
        {
            await Task.Delay(50);
        }

        IsRunning(pid).ShouldBeFalse();
    }

    [Fact]
    public async Task Invoke_Cancelled_KillsTheProcessAndThrowsOperationCanceled()
    {
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var stopwatch = Stopwatch.StartNew();

        await Should.ThrowAsync<OperationCanceledException>(
            () => _temp.InvokeAsync(_tool, """{"command":"sleep 5"}""", cancellation.Token));

        stopwatch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task Invoke_Command_RunsInASessionOfItsOwnSoTheTerminalsCtrlCDoesNotReachIt()
    {
        // Field 6 of /proc/PID/stat is the session id: the shell leads its own session, apart from the test host's.
        string result = await _temp.InvokeAsync(_tool, """{"command":"echo $$; cut -d' ' -f6 /proc/$$/stat"}""");

        string[] lines = result.Split('\n'); // Exit code, --- stdout ---, pid, session
        lines[3].ShouldBe(lines[2], result);
        lines[3].ShouldNotBe(File.ReadAllText($"/proc/{Environment.ProcessId}/stat").Split(' ')[5], result);
    }

    [Fact]
    public async Task Invoke_ApiKeysInTheEnvironment_AreScrubbed()
    {
        Environment.SetEnvironmentVariable("FOO_API_KEY", "sk-fake-123");
        Environment.SetEnvironmentVariable("ALLOS_TEST_TOKEN", "tok-fake-456");
        Environment.SetEnvironmentVariable("ALLOS_TEST_VISIBLE", "visible-789");
        try
        {
            string result = await _temp.InvokeAsync(_tool, """{"command":"env"}""");

            result.ShouldNotContain("FOO_API_KEY");
            result.ShouldNotContain("sk-fake-123");
            result.ShouldNotContain("tok-fake-456");
            result.ShouldContain("ALLOS_TEST_VISIBLE=visible-789");
        }
        finally
        {
            Environment.SetEnvironmentVariable("FOO_API_KEY", null);
            Environment.SetEnvironmentVariable("ALLOS_TEST_TOKEN", null);
            Environment.SetEnvironmentVariable("ALLOS_TEST_VISIBLE", null);
        }
    }

    [Fact]
    public async Task Invoke_VariableHoldingARegisteredSecretUnderAPlainName_IsScrubbed()
    {
        string secret = "plain-name-" + Guid.NewGuid().ToString("N");
        SecretRedactor.Register("ALLOS_TEST_SERVICE", secret);
        Environment.SetEnvironmentVariable("ALLOS_TEST_SERVICE", secret);
        try
        {
            string result = await _temp.InvokeAsync(_tool, """{"command":"env"}""");

            result.ShouldNotContain(secret);
            result.ShouldNotContain("ALLOS_TEST_SERVICE=");
        }
        finally
        {
            Environment.SetEnvironmentVariable("ALLOS_TEST_SERVICE", null);
        }
    }

    [Fact]
    public void Prepare_SecretVariable_IsRegisteredForRedaction()
    {
        string secret = "sk-prepared-" + Guid.NewGuid().ToString("N");
        var environment = new Dictionary<string, string?> { ["LATE_API_KEY"] = secret, ["HOME"] = "/home/me" };

        ShellEnvironment.Prepare(environment);

        environment.ShouldNotContainKey("LATE_API_KEY");
        SecretRedactor.Redact($"LATE_API_KEY={secret}").ShouldBe("LATE_API_KEY=[redacted LATE_API_KEY]");
    }

    [Theory]
    [InlineData("OPENAI_API_KEY", true)]
    [InlineData("anthropic_api_key", true)]
    [InlineData("GITHUB_TOKEN", true)]
    [InlineData("AZURE_CLIENT_SECRET", true)]
    [InlineData("PGPASSWORD", true)]
    [InlineData("PATH", false)]
    [InlineData("HOME", false)]
    [InlineData("TOKENIZER_PATH", false)]
    public void IsSecret_RecognizesSecretNames(string name, bool expected) => ShellEnvironment.IsSecret(name).ShouldBe(expected);

    [Fact]
    public void IsSecret_EveryBuiltInProvidersKeyVariable()
    {
        // SecretNames does not list them (the security layer knows no providers): its suffix rule must cover each.
        string[] variables = [.. Allos.Providers.BuiltInProvider.All.SelectMany(provider => provider.ApiKeyVariables)];
        variables.ShouldNotBeEmpty();
        variables.Where(variable => !ShellEnvironment.IsSecret(variable)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Invoke_LongOutput_KeepsStartAndEndWithAMarker()
    {
        string result = await _temp.InvokeAsync(_tool, """{"command":"echo FIRST; seq 1 20000; echo LAST"}""");

        result.ShouldContain("FIRST");
        result.ShouldContain("LAST");
        result.ShouldContain("[... output cut:");
        result.Length.ShouldBeLessThan((2 * ShellTool.MaxStreamCharacters) + 500);
    }

    [Fact]
    public async Task Invoke_DeniedCommand_IsRefusedWithoutRunning()
    {
        string marker = Path.Combine(_temp.RootPath, "ran.txt");

        ToolException exception = await Should.ThrowAsync<ToolException>(
            () => _temp.InvokeAsync(_tool, $$"""{"command":"touch {{marker}} && rm -rf /"}"""));

        exception.Message.ShouldStartWith("refused:");
        exception.Message.ShouldContain("matches the deny list");
        File.Exists(marker).ShouldBeFalse();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(601)]
    public async Task Invoke_TimeoutOutOfRange_IsAnError(int seconds) =>
        await Should.ThrowAsync<ToolException>(() => _temp.InvokeAsync(_tool, $$"""{"command":"true","timeout_seconds":{{seconds}}}"""));

    [Fact]
    public void Create_ToolTimeout_IsLongerThanTheLongestCommandTimeout() =>
        _tool.Timeout.ShouldNotBeNull().ShouldBeGreaterThan(TimeSpan.FromSeconds(ShellTool.MaxTimeoutSeconds));

    /// <summary>Whether a process is alive; a killed one waiting to be reaped (a zombie, state Z) is not.</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
