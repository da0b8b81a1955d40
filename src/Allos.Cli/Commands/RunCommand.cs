using System.CommandLine;
using Allos.Agents;
using Allos.Cli.Admin;
using Allos.Cli.Hosting;
using Allos.Cli.Output;
using Allos.Cli.Settings;

namespace Allos.Cli.Commands;

/// <summary><c>allos run [TASK]</c>: one task, then exit. The task comes from the argument, else from standard input when it is not a terminal.</summary>
internal static class RunCommand
{
    public static Command Create(RunFlags flags)
    {
        var task = new Argument<string[]>("task") { Arity = ArgumentArity.ZeroOrMore, Description = "The task (read from standard input when absent and input is piped)" };
        var command = new Command("run", "Run one task, then exit") { task };
        flags.AddTo(command);
        command.SetAction((result, cancellationToken) => ExecuteAsync(flags.Read(result), Join(result.GetValue(task))));
        return command;
    }

    public static string? Join(string[]? words) => words is { Length: > 0 } ? string.Join(' ', words) : null;

    public static async Task<int> ExecuteAsync(RunRequest request, string? task)
    {
        var console = new CliConsole();
        bool taskFromInput = false;
        if (string.IsNullOrWhiteSpace(task) && !console.InputIsTerminal)
        {
            task = await console.In.ReadToEndAsync();
            taskFromInput = true;
        }

        if (string.IsNullOrWhiteSpace(task))
        {
            console.Error.WriteLine("error: no task. Pass one (allos run \"fix the failing test\") or pipe it on standard input.");
            return ExitCodes.Usage;
        }

        using var interrupts = new Interrupts();
        try
        {
            (RunRequest? resolved, int exitCode) = await SessionChoice.ResolveAsync(request, console, interrupts.Token);
            if (resolved is null)
            {
                return exitCode;
            }

            request = resolved;
            CliSettings settings = CliSettings.Load(request);
            await using AgentHost host = await AgentHost.OpenAsync(settings, request.Verbose ? console.Error : null, interrupts.Token);
            Conversation conversation = await Conversation.OpenAsync(host, request.Session, interrupts.Token);

            // Approvals are asked on standard input, a terminal or a pipe, unless it carried the task or the output is JSON.
            bool canAsk = !request.Json && !taskFromInput;
            TurnExecution? turn = null;
            ApprovalHandler? approvals = canAsk ? new ApprovalPrompt(console, settings.Workspace).Handler(() => turn) : null;
            AgentRunner runner = host.CreateRunner(conversation.Id, approvals);
            turn = new TurnExecution(host, conversation, runner, console);
            TurnOutcome outcome = await turn.RunAsync(task.Trim(), request.Quiet, request.Json, interrupts.Token);
            if (!request.Json && !request.Quiet && !conversation.IsFile)
            {
                // One line on stderr, so a script reading the answer on stdout is not disturbed.
                string id = await SessionLookup.ShortIdOrWholeAsync(host.Store.Sessions, conversation.Id);
                console.Error.WriteLine($"session {id}  (continue: allos run -s {id} \"…\")");
            }

            return outcome.ExitCode;
        }
        catch (Exception ex) when (ex is AllosException or IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            return ErrorReport.Report(console, ex, request.Json, request.Verbose);
        }
    }
}
