using System.Text.Json;

namespace Allos.IntegrationTests.Cli;

/// <summary>
/// Messages of several lines in <c>allos chat</c> (issue 12, bug 5): a paste in a real terminal is one message, and a
/// trailing backslash or Alt+Enter starts a new line instead of sending.
/// </summary>
public sealed class ChatMultilineTests : FakeServerCliTests
{
    private const string Model = "openai/gpt-4o-mini";

    [Fact]
    public async Task Chat_TerminalPasteOfSeveralLines_IsOneMessageThatCanStillBeEdited()
    {
        Server.Enqueue(FakeTurn.Text("Got all three lines."), FakeTurn.Text("spare"), FakeTurn.Text("spare"));
        using TmuxTerminal terminal = await TmuxTerminal.StartAsync(Cli, "chat", "--model", Model);
        await terminal.WaitForPromptAsync();

        await terminal.PasteAsync("first pasted line\nsecond pasted line\nthird pasted line");
        await terminal.WaitForAsync("third pasted line");

        // Home goes to the start of the message: typing there redraws all three lines from the prompt.
        await terminal.KeysAsync("Home");
        await terminal.KeysAsync("-l", "X");
        await terminal.WaitForAsync("› Xfirst pasted line");
        await terminal.KeysAsync("End");
        await terminal.KeysAsync("-l", " END");
        string screen = await terminal.WaitForAsync("third pasted line END");
        Server.Requests.Count.ShouldBe(0, "nothing is sent before Enter:\n" + screen);
        Lines(screen).ShouldBe(["› Xfirst pasted line", "  second pasted line", "  third pasted line END"], customMessage: screen);

        await terminal.KeysAsync("Enter");
        await terminal.WaitForAsync("Got all three lines.");
        await terminal.WaitForPromptAsync();

        Server.Requests.Count.ShouldBe(1, await terminal.ScreenAsync());
        LastUserText(Server.Requests[0]).ShouldBe("Xfirst pasted line\nsecond pasted line\nthird pasted line END");
        await terminal.TypeLineAsync("/exit");
        (await terminal.WaitForExitAsync()).ShouldBe(0, await terminal.ScreenAsync());

        // Bracketed paste was turned off at exit: a paste into what runs next arrives without the marks.
        await terminal.PasteAsync("pasted after exit");
        (await terminal.WaitForAsync("pasted after exit")).ShouldNotContain("[200~");
    }

    [Fact]
    public async Task Chat_TerminalTrailingBackslash_ContinuesTheMessageOnANewLine()
    {
        Server.Enqueue(FakeTurn.Text("One message."), FakeTurn.Text("spare"));
        using TmuxTerminal terminal = await TmuxTerminal.StartAsync(Cli, "chat", "--model", Model);
        await terminal.WaitForPromptAsync();

        await terminal.TypeLineAsync("alpha line\\");
        await terminal.TypeLineAsync("beta line");
        await terminal.WaitForAsync("One message.");
        await terminal.WaitForPromptAsync();

        Server.Requests.Count.ShouldBe(1, await terminal.ScreenAsync());
        LastUserText(Server.Requests[0]).ShouldBe("alpha line\nbeta line");
        Lines(await terminal.ScreenAsync()).ShouldContain("  beta line");
    }

    [Fact]
    public async Task Chat_TerminalAltEnter_InsertsANewlineInsteadOfSending()
    {
        Server.Enqueue(FakeTurn.Text("One message."), FakeTurn.Text("spare"));
        using TmuxTerminal terminal = await TmuxTerminal.StartAsync(Cli, "chat", "--model", Model);
        await terminal.WaitForPromptAsync();

        await terminal.KeysAsync("-l", "gamma line");
        await terminal.KeysAsync("M-Enter");
        await terminal.KeysAsync("-l", "delta line");
        await terminal.WaitForAsync("delta line");
        await terminal.KeysAsync("Enter");
        await terminal.WaitForAsync("One message.");
        await terminal.WaitForPromptAsync();

        Server.Requests.Count.ShouldBe(1, await terminal.ScreenAsync());
        LastUserText(Server.Requests[0]).ShouldBe("gamma line\ndelta line");
    }

    [Fact]
    public async Task Chat_PipedLineEndingWithBackslash_GoesOnWithTheNextLine()
    {
        Server.Enqueue(FakeTurn.Text("One."), FakeTurn.Text("Two."), FakeTurn.Text("spare"));

        CliResult result = await Cli.RunWithInputAsync("first\\\nsecond\nthird\n", "chat", "--model", Model);

        result.ExitCode.ShouldBe(0, result.ToString());
        Server.Requests.Count.ShouldBe(2, result.ToString());
        LastUserText(Server.Requests[0]).ShouldBe("first\nsecond");
        LastUserText(Server.Requests[1]).ShouldBe("third");
    }

    private static string[] Lines(string screen) =>
        [.. screen.Split('\n').Select(line => line.TrimEnd()).Where(line => line.Length > 0 && !line.StartsWith("allos chat", StringComparison.Ordinal))
            .SkipWhile(line => !line.StartsWith("› ", StringComparison.Ordinal))];

    private static string LastUserText(RecordedRequest request)
    {
        JsonElement last = request.Json.GetProperty("messages").EnumerateArray().Last(message => message.GetProperty("role").GetString() == "user");
        JsonElement content = last.GetProperty("content");
        return content.ValueKind == JsonValueKind.String
            ? content.GetString()!
            : string.Concat(content.EnumerateArray().Select(part => part.GetProperty("text").GetString()));
    }
}
