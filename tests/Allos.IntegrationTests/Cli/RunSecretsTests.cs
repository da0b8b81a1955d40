using System.Text;

namespace Allos.IntegrationTests.Cli;

/// <summary><c>allos run</c> as a real process: the keys in its own environment and .env never reach the model or the store.</summary>
public sealed class RunSecretsTests : IAsyncLifetime
{
    private readonly CliProcess _cli = new();
    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _cli.Dispose();
    }

    [Fact]
    public async Task Run_ShellReadsTheAllosProcessEnvironment_KeyNeverLeavesTheProcess()
    {
        string key = "sk-cli-" + Guid.NewGuid().ToString("N");
        _cli.UseFakeServer(_server, "openai");
        _cli.Environment["OPENAI_API_KEY"] = key;

        // bash -c is the child of the allos process, so $PPID's environ is allos's own, key included. Without the sandbox,
        // that is: in bubblewrap the process is not visible (the next test).
        File.WriteAllText(Path.Combine(_cli.Workspace, "allos.yaml"), "sandbox: none\n");
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("s1", "shell", """{"command":"tr '\\0' '\\n' < /proc/$PPID/environ"}""")),
            FakeTurn.Text("Here is the environment."));

        CliResult result = await _cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "-y", "--json", "Print the parent's environment");

        result.ExitCode.ShouldBe(0, result.ToString());
        _server.Requests.Count.ShouldBe(2);
        _server.Requests[1].Body.ShouldContain("OPENAI_API_KEY=[redacted OPENAI_API_KEY]", customMessage: "the shell did read the environ");
        _server.Requests[1].Body.ShouldNotContain(key);
        result.Stdout.ShouldNotContain(key);
        result.Stderr.ShouldNotContain(key);
        string session = result.Json().GetProperty("session").GetString()!;

        CliResult export = await _cli.RunAsync("sessions", "export", session);
        export.ExitCode.ShouldBe(0, export.ToString());
        export.Stdout.ShouldContain("[redacted OPENAI_API_KEY]");
        export.Stdout.ShouldNotContain(key);
        CliResult markdown = await _cli.RunAsync("sessions", "export", session, "--format", "md");
        markdown.Stdout.ShouldNotContain(key);
        AssertNotStored(key);
    }

    [Fact]
    public async Task Run_SandboxedShellReadsTheParentsEnvironment_SeesNoAllosProcessAndNoKey()
    {
        string key = "sk-cli-" + Guid.NewGuid().ToString("N");
        _cli.UseFakeServer(_server, "openai");
        _cli.Environment["OPENAI_API_KEY"] = key;
        File.WriteAllText(Path.Combine(_cli.Workspace, "allos.yaml"), "sandbox: bwrap\n");
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("s1", "shell", """{"command":"tr '\\0' '\\n' < /proc/$PPID/environ | grep -c OPENAI_API_KEY; touch /etc/allos-cli-sandbox; echo end"}""")),
            FakeTurn.Text("Nothing there."));

        CliResult result = await _cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "-y", "--json", "Print the parent's environment");

        result.ExitCode.ShouldBe(0, result.ToString());
        string body = _server.Requests[1].Body;
        body.ShouldContain("Read-only file system", customMessage: body);
        body.ShouldNotContain("OPENAI_API_KEY=", customMessage: body);
        body.ShouldNotContain(key);
        File.Exists("/etc/allos-cli-sandbox").ShouldBeFalse();
    }

    [Theory]
    [InlineData("--json")]
    [InlineData("-v")]
    public async Task Run_ProviderErrorEchoesTheKey_ErrorOutputAndVerboseLogNeverShowIt(string flag)
    {
        // Some servers quote the key they rejected: the message reaches stderr, the JSON report and the -v log.
        string key = "sk-cli-" + Guid.NewGuid().ToString("N");
        _cli.UseFakeServer(_server, "openai");
        _cli.Environment["OPENAI_API_KEY"] = key;
        _server.FallbackTurn = FakeTurn.ProviderError(401, $"Incorrect API key provided: {key}. You can find your API key at the dashboard.", "invalid_api_key");

        CliResult result = await _cli.RunAsync("run", "-m", "openai/gpt-4o-mini", flag, "Hi");

        result.ExitCode.ShouldNotBe(0, result.ToString());
        (result.Stdout + result.Stderr).ShouldContain("[redacted OPENAI_API_KEY]", customMessage: "the provider's message is shown, redacted");
        result.Stdout.ShouldNotContain(key);
        result.Stderr.ShouldNotContain(key);
        AssertNotStored(key);
    }

    [Fact]
    public async Task Run_ReadFileDotEnvWithoutATerminal_StopsForApprovalAndGrepSkipsIt()
    {
        string key = "sk-dotenv-" + Guid.NewGuid().ToString("N");
        _cli.UseFakeServer(_server, "openai");
        _cli.Environment.Remove("OPENAI_API_KEY");
        File.WriteAllText(Path.Combine(_cli.Workspace, ".env"), $"OPENAI_API_KEY={key}\n");
        File.WriteAllText(Path.Combine(_cli.Workspace, "app.cfg"), "provider=openai\n");
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("g1", "grep", """{"pattern":"OPENAI|openai"}""")),
            FakeTurn.ToolCalls(new FakeToolCall("r1", "read_file", """{"path":".env"}""")),
            FakeTurn.Text("Could not read it."));

        CliResult result = await _cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "Find the key");

        // Without a terminal `run` asks no one: the escalated call is not run, and the run stops to be continued with --approve.
        result.ExitCode.ShouldBe(4, result.ToString());
        result.Stderr.ShouldContain("needs approval: read_file was not run");
        _server.Requests.Count.ShouldBe(2);
        _server.Requests[1].Body.ShouldContain("app.cfg:1: provider=openai");
        _server.Requests[1].Body.ShouldContain("skipped 1 file(s) that usually hold secrets");
        foreach (RecordedRequest request in _server.Requests)
        {
            request.Body.ShouldNotContain(key);
        }

        result.Stdout.ShouldNotContain(key);
        result.Stderr.ShouldNotContain(key);
        AssertNotStored(key);
    }

    private void AssertNotStored(string key)
    {
        foreach (string file in Directory.GetFiles(_cli.Home, "*", SearchOption.AllDirectories))
        {
            Encoding.UTF8.GetString(File.ReadAllBytes(file)).ShouldNotContain(key, customMessage: file);
        }
    }
}
