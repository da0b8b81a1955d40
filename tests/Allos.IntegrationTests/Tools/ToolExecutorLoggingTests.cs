using Allos.IntegrationTests.Logging;
using Allos.Providers;
using Allos.Security;
using Allos.Tools;
using Microsoft.Extensions.Logging;

namespace Allos.IntegrationTests.Tools;

public sealed class ToolExecutorLoggingTests
{
    private const string Secret = "sk-tool-logging-9d2b7c4e1a6f";
    private const string Visible = "argument-marker-5e8a";

    [Fact]
    public async Task ExecuteAsync_DebugLevel_LogsNameOutcomeAndDurationButNotArgumentsOrResult()
    {
        using ILoggerFactory loggers = CapturingLoggerProvider.CreateFactory(out CapturingLoggerProvider logs, LogLevel.Debug);

        ToolCallResult result = await RunEchoAsync(loggers);

        result.Text.ShouldStartWith("echo: " + Visible);
        LogEntry called = logs.Named("ToolCalled").ShouldHaveSingleItem();
        called.Level.ShouldBe(LogLevel.Debug);
        called.Fields["Tool"].ShouldBe("echo");
        called.Fields["Outcome"].ShouldBe(ToolCallOutcome.Ok);
        called.Fields["DurationMs"].ShouldBeOfType<double>();
        logs.Named("ToolArguments").ShouldBeEmpty();
        logs.Named("ToolResult").ShouldBeEmpty();
        logs.Entries.ShouldAllBe(entry => !entry.AllText.Contains(Visible));
    }

    [Fact]
    public async Task ExecuteAsync_TraceLevel_LogsArgumentsAndResultRedacted()
    {
        SecretRedactor.Register("tool logging test key", Secret);
        using ILoggerFactory loggers = CapturingLoggerProvider.CreateFactory(out CapturingLoggerProvider logs, LogLevel.Trace);

        await RunEchoAsync(loggers);

        LogEntry arguments = logs.Named("ToolArguments").ShouldHaveSingleItem();
        arguments.Level.ShouldBe(LogLevel.Trace);
        arguments.Message.ShouldContain(Visible);
        logs.Named("ToolResult").ShouldHaveSingleItem().Message.ShouldContain("echo: " + Visible);
        logs.Entries.ShouldAllBe(entry => !entry.AllText.Contains(Secret));
    }

    private static Task<ToolCallResult> RunEchoAsync(ILoggerFactory loggers)
    {
        Tool tool = Tool.Create("echo", "Echoes.", """{"type":"object"}""",
            (arguments, _, _) => ValueTask.FromResult<object?>($"echo: {arguments.GetProperty("text").GetString()} {arguments.GetProperty("token").GetString()}"));
        var executor = new ToolExecutor(new ToolExecutionOptions { LoggerFactory = loggers });
        FunctionCallContent call = WireContent.ParseCall("call-1", "echo", $$"""{"text":"{{Visible}}","token":"{{Secret}}"}""");
        var context = new ToolContext { CallId = "call-1", ToolName = "echo", Workspace = Workspace.Current };
        return executor.ExecuteAsync(tool, call, context, ["echo"], CancellationToken.None);
    }
}
