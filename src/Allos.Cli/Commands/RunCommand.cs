using System.CommandLine;
using Allos.Agents;
using Allos.Cli.Admin;
using Allos.Cli.Hosting;
using Allos.Cli.Output;
using Allos.Cli.Prompts;
using Allos.Cli.Settings;
using Allos.Prompts;

namespace Allos.Cli.Commands;

/// <summary>
/// <c>allos run [TASK]</c>: one task, then exit. The task comes from the argument, else from standard input when it is
/// not a terminal; with both, the piped text is attached to the task. <c>-s ID --approve</c> / <c>--deny</c> continue a
/// run that stopped awaiting approval.
/// </summary>
internal static class RunCommand
{
    public static Command Create(RunFlags flags)
    {
        var task = new Argument<string[]>("task") { Arity = ArgumentArity.ZeroOrMore, Description = "The task; piped standard input is the task when absent, attached to it when given" };
        var approve = new Option<bool>("--approve") { Description = "With -s ID: allow the calls a run stopped for (exit 4) and carry on" };
        var deny = new Option<bool>("--deny") { Description = "With -s ID: deny those calls and carry on; a TASK is the note the model gets" };
        var prompt = new Option<string?>("--prompt") { HelpName = "REF", Description = "Run a prompt template (name, name@3, name@label): its system part is the instructions, its user part is sent, then TASK if given" };
        var variables = new VariableFlags();
        var command = new Command("run", "Run one task, then exit") { task, approve, deny, prompt };
        flags.AddTo(command);
        variables.AddTo(command);
        command.Validators.Add(result =>
        {
            bool approving = result.GetValue(approve);
            bool denying = result.GetValue(deny);
            if (approving && denying)
            {
                result.AddError("--approve and --deny answer the same calls: pass one of them.");
            }
            else if ((approving || denying) && result.GetValue(flags.Session) is null)
            {
                result.AddError($"{(approving ? "--approve" : "--deny")} continues a stopped run: name its session with -s ID (the id the run printed).");
            }
            else if (approving && result.GetValue(task) is { Length: > 0 })
            {
                result.AddError("--approve continues the stopped run and takes no task; run the new task after it.");
            }
            else if ((approving || denying) && result.GetValue(prompt) is not null)
            {
                result.AddError("--prompt starts a new run, and --approve / --deny continue a stopped one: pass one of them.");
            }
            else if (result.GetValue(prompt) is not null && result.GetValue(flags.System) is not null)
            {
                result.AddError("--prompt and --system both set the instructions: put them in the prompt's system: section, or drop --prompt.");
            }
        });
        command.SetAction((result, cancellationToken) => ExecuteAsync(
            flags.Read(result),
            Join(result.GetValue(task)),
            result.GetValue(approve) ? true : result.GetValue(deny) ? false : null,
            result.GetValue(prompt),
            variables.Read(result)));
        return command;
    }

    public static string? Join(string[]? words) => words is { Length: > 0 } ? string.Join(' ', words) : null;

    /// <param name="request">The flags.</param>
    /// <param name="task">The task (for <c>--deny</c>, the note to the model), or <see langword="null"/>.</param>
    /// <param name="answer"><see langword="true"/> for <c>--approve</c>, <see langword="false"/> for <c>--deny</c>, else <see langword="null"/>.</param>
    /// <param name="prompt">The prompt template of <c>--prompt</c>, or <see langword="null"/>.</param>
    /// <param name="variables">The <c>--var</c> and <c>--var-file</c> values: the prompt's inputs, and the run's variables.</param>
    public static async Task<int> ExecuteAsync(RunRequest request, string? task, bool? answer = null, string? prompt = null, IReadOnlyDictionary<string, object?>? variables = null)
    {
        var console = new CliConsole();

        // Piped input is read whole, before the run: it is the task, or it is attached to it. Either way it cannot
        // also answer approvals, so on a pipe a call that needs one stops the run (exit 4) to be continued with --approve.
        if (!console.InputIsTerminal && answer is null)
        {
            string piped = await console.In.ReadToEndAsync();
            task = string.IsNullOrWhiteSpace(task) ? piped : string.IsNullOrWhiteSpace(piped) ? task : Attach(task, piped);
        }

        // The prompt is loaded and rendered before anything else is opened: a template error costs nothing.
        PromptRun? promptRun = null;
        if (prompt is not null)
        {
            try
            {
                string? usage;
                if (Mcp.McpServers.IsPromptName(prompt))
                {
                    // The prompt's server is started to render it and closed; the run starts the servers its tools name.
                    (promptRun, usage) = await McpPromptCatalog.UseAsync(prompt, mcp => PromptRun.PrepareAsync(mcp, variables ?? new Dictionary<string, object?>(), task, CancellationToken.None), CancellationToken.None);
                }
                else
                {
                    promptRun = PromptRun.Prepare(ProjectPrompts.Load(console), prompt, variables ?? new Dictionary<string, object?>(), task, out usage);
                }

                if (promptRun is null)
                {
                    console.Error.WriteLine($"error: {usage}");
                    return ExitCodes.Usage;
                }
            }
            catch (Exception ex) when (ex is PromptException or ConfigurationException or Mcp.McpServerException)
            {
                return ErrorReport.Report(console, ex, request.Json, request.Verbose);
            }

            request = promptRun.Apply(request);
            task = promptRun.Input;
        }

        if (string.IsNullOrWhiteSpace(task) && answer is null)
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
            if (promptRun?.Options is { } promptOptions)
            {
                host.UsePromptOptions(promptOptions);
            }

            Conversation conversation = await Conversation.OpenAsync(host, request.Session, interrupts.Token);
            RunState? paused = answer is null ? null : await PausedRunAsync(console, host, conversation, interrupts.Token);

            // Approvals are asked on a terminal only (never with --json): piped input was the task or its attachment.
            bool canAsk = !request.Json && console.InputIsTerminal;
            TurnExecution? turn = null;
            ApprovalPrompt? asker = canAsk ? new ApprovalPrompt(console, settings.Workspace) : null;
            ApprovalHandler? approvals = asker?.Handler(() => turn);
            McpSampling.UseApprovals(host, asker, () => turn);
            AgentRunner runner = host.CreateRunner(conversation.Id, approvals);
            turn = new TurnExecution(host, conversation, runner, console);
            if (answer is bool approved)
            {
                return await ContinueAsync(console, host, conversation, turn, paused, approved, task, request, interrupts.Token);
            }

            if (promptRun is not null)
            {
                await conversation.AppendAsync(host, promptRun.Before, interrupts.Token);
            }

            // The run variables reach the agent's instructions and its tools (ToolContext.Variables).
            RunOptions? runOptions = variables is { Count: > 0 } ? new RunOptions { Variables = new Dictionary<string, object?>(variables, StringComparer.Ordinal) } : null;
            TurnOutcome outcome = await turn.RunAsync(task!.Trim(), request.Quiet, request.Json, interrupts.Token, runOptions);
            if (!request.Json && !request.Quiet && !conversation.IsFile)
            {
                // One line on stderr, so a script reading the answer on stdout is not disturbed.
                string id = await SessionLookup.ShortIdOrWholeAsync(host.Store.Sessions, conversation.Id);
                console.Error.WriteLine(outcome.ExitCode == ExitCodes.AwaitingApproval
                    ? $"session {id}  (answer: allos run -s {id} --approve, or --deny \"what to do instead\")"
                    : $"session {id}  (continue: allos run -s {id} \"…\")");
            }

            return outcome.ExitCode;
        }
        catch (Exception ex) when (ex is AllosException or IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            return ErrorReport.Report(console, ex, request.Json, request.Verbose);
        }
    }

    /// <summary>The task, then the piped text as a fenced block (a fence longer than any run of backticks in the text).</summary>
    internal static string Attach(string task, string piped)
    {
        int longest = 0;
        for (int i = 0, run = 0; i < piped.Length; i++)
        {
            run = piped[i] == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        string fence = new('`', Math.Max(3, longest + 1));
        return $"{task.Trim()}\n\n{fence}\n{piped.TrimEnd('\r', '\n')}\n{fence}";
    }

    /// <summary>
    /// Loads the run <c>--approve</c>/<c>--deny</c> continues and gives the host the tools it ran with (its MCP servers
    /// started), before the runner is built; <see langword="null"/> when the session has no paused run.
    /// </summary>
    private static async Task<RunState?> PausedRunAsync(CliConsole console, AgentHost host, Conversation conversation, CancellationToken cancellationToken)
    {
        RunState? state = PendingApprovals.Load(conversation.Id);
        if (state is null || !conversation.EndsWith(state) || !host.Agents.Any(agent => agent.Name == state.CurrentAgent))
        {
            return state;
        }

        try
        {
            await host.RestoreToolsAsync(state, cancellationToken);
        }
        catch (Exception ex) when (ex is Mcp.McpServerException or ConfigurationException)
        {
            // Nothing ran: the paused run is left as it was, to be continued once the server is back.
            string id = await SessionLookup.ShortIdOrWholeAsync(host.Store.Sessions, conversation.Id);
            string still = $" The paused run needs it to continue and is still paused: fix the server, then run `allos run -s {id} --approve` (or --deny) again.";
            throw ex is Mcp.McpServerException mcp ? new Mcp.McpServerException(mcp.Server, mcp.Message + still, mcp) : new ConfigurationException(ex.Message + still);
        }

        return state;
    }

    private static async Task<int> ContinueAsync(CliConsole console, AgentHost host, Conversation conversation, TurnExecution turn, RunState? state, bool approved, string? note, RunRequest request, CancellationToken cancellationToken)
    {
        if (state is null || !conversation.EndsWith(state))
        {
            console.Error.WriteLine($"error: session {conversation.Id} has no run waiting for approval, so there is nothing to {(approved ? "approve" : "deny")}.");
            console.Error.WriteLine("hint: --approve and --deny continue a run that ended with exit code 4 (\"needs approval\") in this session.");
            return ExitCodes.Usage;
        }

        if (!host.Agents.Any(agent => agent.Name == state.CurrentAgent))
        {
            console.Error.WriteLine($"error: the stopped run of session {conversation.Id} was with the agent '{state.CurrentAgent}': pass --agent {state.EntryAgent} to continue it.");
            return ExitCodes.Usage;
        }

        string? reason = string.IsNullOrWhiteSpace(note) ? null : ApprovalPrompt.NoteReason(note);
        ApprovalDecision[] decisions = [.. state.PendingApprovals.Select(pending => approved
            ? ApprovalDecision.Approve(pending.ApprovalId)
            : ApprovalDecision.Deny(pending.ApprovalId, reason: reason))];
        if (!request.Quiet && !request.Json)
        {
            console.Error.WriteLine($"{(approved ? "approved" : "denied")}: {string.Join(", ", state.PendingApprovals.Select(pending => pending.ToolName))}");
        }

        TurnOutcome outcome = await turn.ResumeAsync(state, decisions, request.Quiet, request.Json, cancellationToken);
        return outcome.ExitCode;
    }
}
