using Allos.IntegrationTests.Mcp;

namespace Allos.IntegrationTests.Cli;

/// <summary>
/// A run that paused on an MCP call (exit 4) and is continued by a new process with <c>run -s ID --approve</c> and no
/// <c>--tools</c>: the paused run remembers its tools, so its MCP server is started again and runs the call.
/// </summary>
public sealed class McpPausedRunCliTests : FakeServerCliTests
{
    private const string Model = "openai/gpt-4o-mini";

    [Fact]
    public async Task RunApprove_PausedOnAnMcpCall_ANewProcessStartsTheServerAndTheCallRuns()
    {
        WriteFilesystemConfig();
        string target = Path.Combine(Cli.Workspace, "note.txt");
        Server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("c1", "mcp__files__write_file", $$"""{"path":{{Quote(target)}},"content":"written after approval"}""")),
            FakeTurn.Text("Wrote the note."));

        CliResult paused = await Cli.RunAsync("run", "-m", Model, "--tools", "mcp__files", "-s", "job-1", "Write a note");
        paused.ExitCode.ShouldBe(4, paused.ToString());
        File.Exists(target).ShouldBeFalse("the call waits for approval");

        CliResult approved = await Cli.RunAsync("run", "-m", Model, "-s", "job-1", "--approve");

        approved.ExitCode.ShouldBe(0, approved.ToString());
        approved.Stdout.Trim().ShouldBe("Wrote the note.");
        File.ReadAllText(target).ShouldBe("written after approval", "server-filesystem, started by the new process, ran the call");
        Server.Requests.Count.ShouldBe(2);
        Server.Requests[1].Body.ShouldContain("Successfully wrote to");
        Server.Requests[1].Body.ShouldContain("\"mcp__files__write_file\"", customMessage: "the continued run still offers the server's tools to the model");
    }

    [Fact]
    public async Task RunApprove_ServerGoneAtResume_NamesItAndTheRunStaysPaused()
    {
        WriteFilesystemConfig();
        string target = Path.Combine(Cli.Workspace, "note.txt");
        Server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("c1", "mcp__files__write_file", $$"""{"path":{{Quote(target)}},"content":"second try"}""")),
            FakeTurn.Text("Wrote the note."));
        CliResult paused = await Cli.RunAsync("run", "-m", Model, "--tools", "mcp__files", "-s", "job-2", "Write a note");
        paused.ExitCode.ShouldBe(4, paused.ToString());

        File.WriteAllText(Path.Combine(Cli.Workspace, "allos.yaml"), "mcp_servers:\n  files: { command: no-such-mcp-server-program }\n");
        CliResult gone = await Cli.RunAsync("run", "-m", Model, "-s", "job-2", "--approve");

        gone.ExitCode.ShouldBe(1, gone.ToString());
        gone.Stderr.ShouldContain("MCP server 'files' failed to start");
        gone.Stderr.ShouldContain("still paused");
        gone.Stderr.ShouldNotContain("   at ");
        File.Exists(target).ShouldBeFalse();
        Server.Requests.Count.ShouldBe(1, "nothing was sent to the model");

        WriteFilesystemConfig();
        CliResult back = await Cli.RunAsync("run", "-m", Model, "-s", "job-2", "--approve");

        back.ExitCode.ShouldBe(0, back.ToString());
        File.ReadAllText(target).ShouldBe("second try", "the paused run was kept whole and continued once the server was back");
    }

    private void WriteFilesystemConfig() => File.WriteAllText(Path.Combine(Cli.Workspace, "allos.yaml"), $"""
        mcp_servers:
          files: {"{"} command: node, args: [{Quote(McpPeers.NpmServer("server-filesystem"))}, {Quote(Cli.Workspace)}] {"}"}
        """ + "\n");

    /// <summary>A path as a double-quoted string, which JSON and YAML read alike.</summary>
    private static string Quote(string text) => $"\"{text.Replace("\\", "\\\\", StringComparison.Ordinal)}\"";
}
