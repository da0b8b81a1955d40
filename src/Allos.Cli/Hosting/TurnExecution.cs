using System.Diagnostics;
using Allos.Agents;
using Allos.Cli.Output;
using Allos.Storage;

namespace Allos.Cli.Hosting;

/// <summary>Runs one turn of a conversation and shows it, for <c>run</c> and for each message of <c>chat</c>.</summary>
internal sealed class TurnExecution(AgentHost host, Conversation conversation, AgentRunner runner, CliConsole console)
{
    private CancellationTokenSource? _turn;
    private TurnRenderer? _renderer;

    /// <summary>Gets the tool whose approval nobody answered (standard input ended), which stopped the turn.</summary>
    public string? Unanswered { get; private set; }

    /// <summary>Stops the turn because no one can answer the approval of <paramref name="tool"/>: it ends as awaiting approval.</summary>
    public void StopUnanswered(string tool)
    {
        Unanswered ??= tool;
        _turn?.Cancel();
    }

    /// <summary>Stops the spinner of the running turn, so a question asked while a tool runs (MCP sampling) is not drawn over.</summary>
    public void PauseSpinner() => _renderer?.PauseSpinner();

    /// <param name="options">The run's options (its variables, from <c>--var</c>), or <see langword="null"/>.</param>
    public Task<TurnOutcome> RunAsync(string input, bool quiet, bool json, CancellationToken interrupt, RunOptions? options = null) =>
        ExecuteAsync(token => conversation.RunStreamingAsync(host, runner, input, options, token), quiet, json, interrupt);

    /// <summary>Continues the paused run <paramref name="state"/> with <paramref name="decisions"/> (<c>run --approve</c> / <c>--deny</c>).</summary>
    public Task<TurnOutcome> ResumeAsync(RunState state, IReadOnlyList<ApprovalDecision> decisions, bool quiet, bool json, CancellationToken interrupt) =>
        ExecuteAsync(token => conversation.ResumeStreamingAsync(runner, state, decisions, token), quiet, json, interrupt);

    private async Task<TurnOutcome> ExecuteAsync(Func<CancellationToken, IAsyncEnumerable<RunEvent>> run, bool quiet, bool json, CancellationToken interrupt)
    {
        using var turn = CancellationTokenSource.CreateLinkedTokenSource(interrupt);
        _turn = turn;
        CancellationToken cancellationToken = turn.Token;
        using var renderer = new TurnRenderer(console, quiet || json);
        _renderer = renderer;
        var watch = Stopwatch.StartNew();
        RunResult? result = null;
        Exception? error = null;
        if (!json)
        {
            renderer.Begin();
        }

        try
        {
            await foreach (RunEvent e in run(cancellationToken))
            {
                if (!json)
                {
                    renderer.Handle(e);
                }
                else if (e is ToolCallCompletedEvent call)
                {
                    renderer.ToolCalls.Add(call);
                }

                if (e is RunCompletedEvent completed)
                {
                    result = completed.Result;
                }
            }
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            error = ex;
        }
        catch (Exception ex) when (ex is AllosException or IOException or UnauthorizedAccessException or System.Data.Common.DbException)
        {
            error = ex;
        }

        _turn = null;
        _renderer = null;
        if (result is null)
        {
            // The run ended without its last event: a call it had started did not complete.
            renderer.Unfinished(cancelled: error is OperationCanceledException);
        }

        // A run whose history could not be stored (the session file or the store failed after the answer) failed: it was
        // paid for, and the next turn would not see it.
        bool notSaved = result is not null && error is not null and not OperationCanceledException;
        error ??= result?.Error;
        string status = notSaved ? "failed"
            : Unanswered is not null ? "awaiting_approval"
            : result is not null ? JsonReport.StatusOf(result.Status)
            : error is OperationCanceledException ? "cancelled" : "failed";
        int exitCode = status switch
        {
            "completed" => ExitCodes.Success,
            "awaiting_approval" => ExitCodes.AwaitingApproval,
            "cancelled" => ExitCodes.Interrupted,
            _ => error is null ? ExitCodes.Failed : ErrorReport.ExitCode(error),
        };

        // A run that paused (no one could be asked) can be continued from another process: `run -s ID --approve`.
        bool resumable = status == "awaiting_approval" && result?.State is not null;
        SavePending(resumable ? result!.State : null);

        if (json)
        {
            JsonReport.Write(console.Out, result, status, conversation.Id, host.Model, renderer.ToolCalls, status is "completed" or "awaiting_approval" ? null : error);
        }
        else
        {
            if (result is not null && (result.Status != RunStatus.Failed || result.Usage.InputTokenCount > 0))
            {
                renderer.Footer(result, watch.Elapsed, host.Model);
            }

            if (status == "awaiting_approval")
            {
                string tools = string.Join(", ", (result?.PendingApprovals ?? []).Select(pending => pending.ToolName).Append(Unanswered).OfType<string>().Distinct());
                console.Error.WriteLine(
                    $"needs approval: {(tools.Length > 0 ? tools : "a tool")} was not run, because no one could be asked. " +
                    (resumable
                        ? $"Continue with `allos run -s {conversation.Id} --approve` (or --deny \"what to do instead\"), run in a terminal to be asked, or pass -y to allow."
                        : "Run in a terminal to be asked, or pass -y to allow."));
            }
            else if (result?.Guardrail is { } trip)
            {
                console.Error.WriteLine($"stopped by guardrail '{trip.Name}' ({(trip.Stage == Agents.Guardrails.GuardrailStage.Input ? "input" : "output")}): {trip.Reason}");
            }
            else if (status == "max_iterations")
            {
                console.Error.WriteLine($"stopped after the most model calls allowed ({result?.Steps.Count(s => s.Kind == RunStepKind.ModelCall)}); raise --max-iterations to let it go on.");
            }
            else if (error is not null && error is not OperationCanceledException)
            {
                ErrorReport.Write(console, error, host.Settings.Verbose);
            }
            else if (status == "cancelled")
            {
                console.Error.WriteLine("cancelled");
            }
        }

        return new TurnOutcome(status, exitCode, result, error);
    }

    private void SavePending(RunState? state)
    {
        try
        {
            if (state is not null)
            {
                PendingApprovals.Save(conversation.Id, state);
            }
            else
            {
                PendingApprovals.Delete(conversation.Id);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The run itself is stored; only continuing it with --approve is lost, and that refuses with a clear message.
        }
    }
}
