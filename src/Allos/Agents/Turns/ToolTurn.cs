using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Allos.Storage;
using Allos.Tools;
using Microsoft.Extensions.AI;

namespace Allos.Agents.Turns;

/// <summary>
/// Settles the tool calls of the last assistant turn: handoffs, permissions, approvals, execution, results. Nothing of
/// a turn runs until every call of it is decided, so a paused turn resumes whole.
/// </summary>
internal sealed class ToolTurn(
    AgentRunnerOptions options,
    IReadOnlyDictionary<string, AgentDefinition> agents,
    IReadOnlyDictionary<string, AgentTools> tools,
    ApprovalPolicy approvals,
    Handoffs handoffs,
    RunTrace trace,
    Lazy<Workspace> workspace)
{
    private readonly ToolExecutor _executor = new(options.ToolExecution);

    /// <summary>Settles the turn; never throws (a pause, cancellation or failure lands in <paramref name="outcome"/>).</summary>
    public async IAsyncEnumerable<RunEvent> SettleAsync(RunState state, Dictionary<string, ApprovalDecision>? decisions, TurnOutcome outcome, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        TurnPlan plan = Plan(state);
        string agent = plan.Agent.Name;

        // Approvals: by decisions brought to a resume, or by the handler; otherwise the run pauses.
        var unanswered = new List<ApprovalRequest>();
        var decided = new List<(ApprovalRequest Request, ApprovalDecision Decision)>();
        foreach ((Tool tool, FunctionCallContent call, ApprovalRequest request) in plan.NeedApproval)
        {
            ApprovalDecision? decision = null;
            if (decisions?.TryGetValue(request.ApprovalId, out ApprovalDecision? given) == true)
            {
                decision = given;
            }
            else if (options.ApprovalHandler is { } handler)
            {
                yield return new ApprovalRequestedEvent(agent, request);
                try
                {
                    decision = await handler(request, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    outcome.Fail(ex, cancellationToken);
                }

                if (outcome.Status is not null)
                {
                    if (CloseOnStop(state, plan, outcome) is { } closed)
                    {
                        yield return new MessageAddedEvent(agent, closed);
                    }

                    yield break;
                }
            }

            if (decision is null)
            {
                unanswered.Add(request);
                continue;
            }

            ApprovalPolicy.Remember(state, request, decision);
            decided.Add((request, decision));
            if (decision.Approved)
            {
                plan.ToRun.Add((tool, call, Context(state, call, plan)));
            }
            else
            {
                plan.Results[call.CallId] = ToolExecutor.Denied(call, "the user" + (decision.Reason is { Length: > 0 } why ? $" ({why})" : ""));
            }
        }

        if (unanswered.Count > 0)
        {
            // The state keeps the whole turn: a resume decides the rest and runs it all.
            state.Pending.Clear();
            state.Pending.AddRange(unanswered);
            foreach (ApprovalRequest request in unanswered)
            {
                yield return new ApprovalRequestedEvent(agent, request);
            }

            outcome.Status = RunStatus.AwaitingApproval;
            yield break;
        }

        state.Pending.Clear();
        state.Decisions.Clear();
        foreach ((ApprovalRequest request, ApprovalDecision decision) in decided)
        {
            RunStep approval = trace.Step(state, RunStepKind.Approval, agent, toolName: request.ToolName, callId: request.CallId, input: request.ArgumentsJson,
                status: decision.Approved ? "approved" : "denied", output: decision.Reason);
            yield return new StepCompletedEvent(agent, approval);
        }

        await foreach (RunEvent e in ExecuteAsync(state, plan, outcome, cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    /// <summary>The result of a call the runner answers itself (a handoff, a refusal, a stopped turn).</summary>
    public static ToolCallResult Result(FunctionCallContent call, string text, ToolCallOutcome outcome) =>
        new(new FunctionResultContent(call.CallId, text), outcome, TimeSpan.Zero);

    /// <summary>Sorts the turn's calls: handoffs, unknown tools, denials, calls that run and calls that ask.</summary>
    private TurnPlan Plan(RunState state)
    {
        AgentDefinition agent = agents[state.CurrentAgent];
        ChatMessage? assistant = state.History.LastOrDefault(m => m.Role == ChatRole.Assistant);
        var plan = new TurnPlan(agent, assistant?.Contents.OfType<FunctionCallContent>().ToList() ?? []);
        Dictionary<string, Tool> byName = tools[agent.Name].ByName;
        AutonomyLevel autonomy = state.Autonomy ?? agent.Autonomy ?? options.Autonomy;

        foreach (FunctionCallContent call in plan.Calls)
        {
            if (Handoffs.IsHandoff(agent, call))
            {
                if (plan.Handoff is null)
                {
                    plan.Handoff = call;
                }
                else
                {
                    plan.Results[call.CallId] = Result(call, "Error: only one handoff per turn; this one was ignored.", ToolCallOutcome.Error);
                }

                continue;
            }

            if (!byName.TryGetValue(call.Name, out Tool? tool))
            {
                plan.ToRun.Add((null, call, Context(state, call, plan)));
                continue;
            }

            (ToolCallResult? denied, ApprovalRequest? ask) = approvals.Judge(state, agent, autonomy, tool, call);
            if (denied is not null)
            {
                plan.Results[call.CallId] = denied;
            }
            else if (ask is not null)
            {
                plan.NeedApproval.Add((tool, call, ask));
            }
            else
            {
                plan.ToRun.Add((tool, call, Context(state, call, plan)));
            }
        }

        return plan;
    }

    /// <summary>Runs the approved calls, records them, appends the results and carries out a handoff.</summary>
    private async IAsyncEnumerable<RunEvent> ExecuteAsync(RunState state, TurnPlan plan, TurnOutcome outcome, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string agent = plan.Agent.Name;
        foreach ((Tool? tool, FunctionCallContent call, _) in plan.ToRun)
        {
            yield return new ToolCallStartedEvent(agent, call.CallId, tool?.Name ?? call.Name, RunTrace.ArgumentsJson(call));
        }

        // Progress the calls report while they run is streamed as it comes; the channel closes when they are all done.
        Task<IReadOnlyList<ToolCallResult>> running = RunAllAsync(plan, tools[agent].Names, cancellationToken);
        await foreach (RunEvent progress in plan.Progress.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            yield return progress;
        }

        IReadOnlyList<ToolCallResult> executed = [];
        try
        {
            executed = await running.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            outcome.Fail(ex, cancellationToken);
        }

        if (outcome.Status is not null)
        {
            if (CloseOnStop(state, plan, outcome) is { } closed)
            {
                yield return new MessageAddedEvent(agent, closed);
            }

            yield break;
        }

        for (int i = 0; i < plan.ToRun.Count; i++)
        {
            plan.Results[plan.ToRun[i].Call.CallId] = executed[i];
        }

        string? target = null;
        if (plan.Handoff is { } handoff)
        {
            (plan.Results[handoff.CallId], target) = handoffs.Accept(state, handoff);
        }

        foreach (FunctionCallContent call in plan.Calls)
        {
            ToolCallResult result = plan.Results[call.CallId];
            string arguments = RunTrace.ArgumentsJson(call);
            RunStep step = trace.Step(state, RunStepKind.ToolCall, agent, toolName: call.Name, callId: call.CallId, input: arguments,
                output: result.Text, status: RunTrace.OutcomeText(result.Outcome), latencyMs: result.Duration.TotalMilliseconds);
            yield return new ToolCallCompletedEvent(agent, call.CallId, call.Name, arguments, result.Outcome, result.Text, result.Duration);
            yield return new StepCompletedEvent(agent, step);
        }

        if (AppendResults(state, plan) is { } resultsMessage)
        {
            yield return new MessageAddedEvent(agent, resultsMessage);
        }

        if (target is not null)
        {
            string? reason = Handoffs.Reason(plan.Handoff!);
            RunStep step = trace.Step(state, RunStepKind.Handoff, agent, toolName: target, callId: plan.Handoff!.CallId, input: reason, status: "ok");
            handoffs.Transfer(state, target);
            yield return new HandoffEvent(agent, target, reason);
            yield return new StepCompletedEvent(agent, step);
        }
    }

    private async Task<IReadOnlyList<ToolCallResult>> RunAllAsync(TurnPlan plan, IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        try
        {
            return await _executor.ExecuteAllAsync(plan.ToRun, names, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            plan.Progress.Writer.TryComplete();
        }
    }

    /// <summary>On cancellation or failure mid-turn, every call still gets a result, so the conversation stays valid.</summary>
    private static ChatMessage? CloseOnStop(RunState state, TurnPlan plan, TurnOutcome outcome)
    {
        string text = outcome.Status == RunStatus.Cancelled
            ? "Error: the run was cancelled before this call completed."
            : "Error: the run failed before this call completed.";
        foreach (FunctionCallContent call in plan.Calls)
        {
            plan.Results.TryAdd(call.CallId, Result(call, text, ToolCallOutcome.Error));
        }

        state.Pending.Clear();
        return AppendResults(state, plan);
    }

    private static ChatMessage? AppendResults(RunState state, TurnPlan plan)
    {
        if (plan.Calls.Count == 0)
        {
            return null;
        }

        var message = new ChatMessage(ChatRole.Tool, [.. plan.Calls.Select(c => (AIContent)plan.Results[c.CallId].Content)]);
        state.History.Add(message);
        state.Added.Add(message);
        return message;
    }

    private ToolContext Context(RunState state, FunctionCallContent call, TurnPlan plan) => new()
    {
        Progress = new ProgressEvents(plan.Progress.Writer, state.CurrentAgent, call.CallId, call.Name),
        CallId = call.CallId,
        ToolName = call.Name,
        Workspace = workspace.Value,
        AgentName = state.CurrentAgent,
        Variables = state.Variables.AsReadOnly(),
        SessionId = state.SessionId,
        User = state.User,
    };

    /// <summary>One turn's calls, sorted: what runs, what asks, the handoff, and the results so far by call id.</summary>
    private sealed class TurnPlan(AgentDefinition agent, List<FunctionCallContent> calls)
    {
        public AgentDefinition Agent { get; } = agent;

        public List<FunctionCallContent> Calls { get; } = calls;

        public Dictionary<string, ToolCallResult> Results { get; } = new(StringComparer.Ordinal);

        public List<(Tool? Tool, FunctionCallContent Call, ToolContext Context)> ToRun { get; } = [];

        /// <summary>Gets the progress the running calls report, as events.</summary>
        public Channel<RunEvent> Progress { get; } = Channel.CreateUnbounded<RunEvent>(new UnboundedChannelOptions { SingleReader = true });

        public List<(Tool Tool, FunctionCallContent Call, ApprovalRequest Request)> NeedApproval { get; } = [];

        public FunctionCallContent? Handoff { get; set; }
    }
}
