using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Allos.Context;
using Allos.Models;
using Allos.Providers;
using Allos.Security;
using Allos.Tools;
using Microsoft.Extensions.AI;

namespace Allos.Agents;

/// <summary>
/// Runs agents: calls the model, validates, approves and executes the tools it asks for, hands the conversation between
/// agents, and records every step. One runner serves many runs; it is thread-safe.
/// </summary>
/// <remarks>
/// Security: tool arguments come from a model and may be the product of prompt injection. Tools are confined to
/// <see cref="AgentRunnerOptions.Workspace"/>, and calls that write, execute or reach the network ask first unless the
/// autonomy level or a permission says otherwise.
/// </remarks>
public sealed class AgentRunner
{
    private const string TransferPrefix = "transfer_to_";
    private const int TraceTextLimit = 2_000;

    private static readonly JsonElement TransferSchema = JsonDocument.Parse(
        """{"type":"object","properties":{"reason":{"type":"string","description":"Why this agent should take over, in one sentence."}},"required":["reason"]}""").RootElement.Clone();

    private readonly Dictionary<string, AgentDefinition> _agents;
    private readonly string _entryAgent;
    private readonly AgentRunnerOptions _options;
    private readonly ToolExecutor _executor;
    private readonly ConcurrentDictionary<string, IChatClient> _clients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AgentTools> _tools = new(StringComparer.Ordinal);
    private readonly Lazy<Workspace> _workspace;

    /// <summary>Initializes a runner for a single agent.</summary>
    public AgentRunner(AgentDefinition agent, AgentRunnerOptions? options = null)
        : this([agent ?? throw new ArgumentNullException(nameof(agent))], agent.Name, options)
    {
    }

    /// <summary>Initializes a runner for a team whose conversations start with <paramref name="entryAgent"/>.</summary>
    /// <exception cref="ConfigurationException">An agent names a tool or handoff target that does not exist.</exception>
    public AgentRunner(IEnumerable<AgentDefinition> team, string entryAgent, AgentRunnerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(team);
        ArgumentException.ThrowIfNullOrWhiteSpace(entryAgent);
        _options = options ?? new AgentRunnerOptions();
        _agents = new Dictionary<string, AgentDefinition>(StringComparer.Ordinal);
        foreach (AgentDefinition agent in team)
        {
            if (!_agents.TryAdd(agent.Name, agent))
            {
                throw new ConfigurationException($"Two agents are named '{agent.Name}'.");
            }
        }

        foreach (AgentDefinition agent in _agents.Values)
        {
            // Resolved once: fails early (listing the tools there are) and keeps the loop from rebuilding lists per step.
            IReadOnlyList<Tool> tools = _options.Tools.Resolve(agent.Tools);
            var declared = new List<AITool>(tools);
            foreach (string target in agent.Handoffs)
            {
                AgentDefinition to = _agents.TryGetValue(target, out AgentDefinition? found) ? found
                    : throw new ConfigurationException($"Agent '{agent.Name}' hands off to '{target}', which is not in the team ({string.Join(", ", _agents.Keys)}).");
                string description = $"Hand the conversation to the '{target}' agent" + (to.Description is { Length: > 0 } d ? $": {d}" : ".");
                declared.Add(AIFunctionFactory.CreateDeclaration(TransferPrefix + target, description, TransferSchema));
            }

            _tools[agent.Name] = new AgentTools(tools.ToDictionary(t => t.Name, StringComparer.Ordinal), [.. tools.Select(t => t.Name)], declared);
        }

        _entryAgent = _agents.ContainsKey(entryAgent)
            ? entryAgent
            : throw new ConfigurationException($"The entry agent '{entryAgent}' is not in the team ({string.Join(", ", _agents.Keys)}).");
        _executor = new ToolExecutor(_options.ToolExecution);
        _workspace = new Lazy<Workspace>(() => _options.Workspace ?? Workspace.Current);
    }

    /// <summary>Runs the conversation <paramref name="history"/> plus <paramref name="input"/> until a final answer, a pause or a limit.</summary>
    public async Task<RunResult> RunAsync(string input, IEnumerable<ChatMessage>? history = null, RunOptions? options = null, CancellationToken cancellationToken = default) =>
        await LastResultAsync(RunStreamingAsync(input, history, options, cancellationToken)).ConfigureAwait(false);

    /// <summary>Like <see cref="RunAsync"/>, streaming what happens; the last event is a <see cref="RunCompletedEvent"/>.</summary>
    public IAsyncEnumerable<RunEvent> RunStreamingAsync(string input, IEnumerable<ChatMessage>? history = null, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var state = new RunState(NewRunId(), _entryAgent) { Autonomy = options?.Autonomy };
        foreach (KeyValuePair<string, ToolPermission> entry in options?.ToolPermissions ?? new Dictionary<string, ToolPermission>())
        {
            state.PermissionOverrides[entry.Key] = entry.Value;
        }

        if (history is not null)
        {
            state.History.AddRange(history);
        }

        var user = new ChatMessage(ChatRole.User, input);
        state.History.Add(user);
        state.Added.Add(user);
        return LoopAsync(state, decisions: null, cancellationToken, announce: user);
    }

    /// <summary>Continues a run that paused with <see cref="RunStatus.AwaitingApproval"/>, with the user's decisions (possibly in another process).</summary>
    /// <exception cref="ArgumentException">A decision names an approval the run is not waiting for.</exception>
    public async Task<RunResult> ResumeAsync(RunState state, IEnumerable<ApprovalDecision> decisions, CancellationToken cancellationToken = default) =>
        await LastResultAsync(ResumeStreamingAsync(state, decisions, cancellationToken)).ConfigureAwait(false);

    /// <summary>Like <see cref="ResumeAsync"/>, streaming what happens.</summary>
    public IAsyncEnumerable<RunEvent> ResumeStreamingAsync(RunState state, IEnumerable<ApprovalDecision> decisions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(decisions);
        if (state.Pending.Count == 0)
        {
            throw new InvalidOperationException("The run is not waiting for approval; only a run that ended with AwaitingApproval can be resumed.");
        }

        // Decisions accumulate across resumes: a run resumed with some answers asks again only for the others.
        var byId = new Dictionary<string, ApprovalDecision>(state.Decisions, StringComparer.Ordinal);
        foreach (ApprovalDecision decision in decisions)
        {
            if (!state.Pending.Exists(p => p.ApprovalId == decision.ApprovalId))
            {
                throw new ArgumentException($"The run is not waiting for approval '{decision.ApprovalId}'.", nameof(decisions));
            }

            byId[decision.ApprovalId] = decision;
            state.Decisions[decision.ApprovalId] = decision;
        }

        if (!_agents.ContainsKey(state.CurrentAgent))
        {
            throw new ArgumentException($"The state's agent '{state.CurrentAgent}' is not in this runner's team.", nameof(state));
        }

        return LoopAsync(state, byId, cancellationToken);
    }

    /// <summary>The model an agent of this runner uses, or <see langword="null"/> for an unknown agent.</summary>
    internal string? ModelOf(string agentName) =>
        _agents.TryGetValue(agentName, out AgentDefinition? agent) ? agent.Model ?? _options.DefaultModel : null;

    private static async Task<RunResult> LastResultAsync(IAsyncEnumerable<RunEvent> events)
    {
        RunResult? result = null;
        await foreach (RunEvent e in events.ConfigureAwait(false))
        {
            if (e is RunCompletedEvent completed)
            {
                result = completed.Result;
            }
        }

        return result ?? throw new InvalidOperationException("The run ended without a result.");
    }

    private async IAsyncEnumerable<RunEvent> LoopAsync(RunState state, Dictionary<string, ApprovalDecision>? decisions, [EnumeratorCancellation] CancellationToken cancellationToken, ChatMessage? announce = null)
    {
        if (announce is not null)
        {
            yield return new MessageAddedEvent(state.CurrentAgent, announce);
        }

        RunStatus? status = null;
        Exception? error = null;

        // A resumed run first settles the turn it paused in.
        if (decisions is not null)
        {
            var turn = new TurnOutcome();
            await foreach (RunEvent e in SettleToolTurnSafely(state, decisions, turn, cancellationToken).ConfigureAwait(false))
            {
                yield return e;
            }

            status = turn.Status;
            error = turn.Error;
        }

        while (status is null)
        {
            AgentDefinition agent = _agents[state.CurrentAgent];
            if (state.Iterations >= agent.MaxIterations)
            {
                status = RunStatus.MaxIterations;
                break;
            }

            state.Iterations++;
            var call = new ModelCallOutcome();
            await foreach (RunEvent e in CallModelSafely(state, agent, call, cancellationToken).ConfigureAwait(false))
            {
                yield return e;
            }

            if (call.Status is RunStatus failed)
            {
                status = failed;
                error = call.Error;
                break;
            }

            if (call.Calls.Count == 0)
            {
                RunStep respond = Step(state, RunStepKind.Respond, agent.Name, output: state.LastText, status: "ok");
                yield return new StepCompletedEvent(agent.Name, respond);
                status = RunStatus.Completed;
                break;
            }

            var turn = new TurnOutcome();
            await foreach (RunEvent e in SettleToolTurnSafely(state, decisions: null, turn, cancellationToken).ConfigureAwait(false))
            {
                yield return e;
            }

            status = turn.Status;
            error = turn.Error;
        }

        RunResult result = BuildResult(state, status.Value, error);
        yield return new RunCompletedEvent(state.CurrentAgent, result);
    }

    /// <summary>Calls the model once; never throws (failures and cancellation land in <paramref name="outcome"/>).</summary>
    private async IAsyncEnumerable<RunEvent> CallModelSafely(RunState state, AgentDefinition agent, ModelCallOutcome outcome, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        HistoryRepair.Repair(state.History);
        string model = agent.Model ?? _options.DefaultModel
            ?? throw new ConfigurationException($"Agent '{agent.Name}' names no model and the runner has no DefaultModel.");
        ChatOptions chatOptions = BuildChatOptions(agent);
        DateTimeOffset started = _options.TimeProvider.GetUtcNow();
        long timestamp = Stopwatch.GetTimestamp();

        IAsyncEnumerator<ChatResponseUpdate>? stream = null;
        var updates = new List<ChatResponseUpdate>();
        ChatResponse? response = null;
        try
        {
            IChatClient client = GetClient(model, agent);
            if (_options.Streaming)
            {
                stream = client.GetStreamingResponseAsync(state.History, chatOptions, cancellationToken).GetAsyncEnumerator(cancellationToken);
            }
            else
            {
                response = await client.GetResponseAsync(state.History, chatOptions, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            outcome.Fail(ex, cancellationToken);
        }

        while (stream is not null && outcome.Status is null)
        {
            ChatResponseUpdate update;
            try
            {
                if (!await stream.MoveNextAsync().ConfigureAwait(false))
                {
                    break;
                }

                update = stream.Current;
            }
            catch (Exception ex)
            {
                outcome.Fail(ex, cancellationToken);
                break;
            }

            updates.Add(update);
            foreach (AIContent content in update.Contents)
            {
                if (content is TextContent { Text.Length: > 0 } text)
                {
                    yield return new TextDeltaEvent(agent.Name, text.Text);
                }
                else if (content is TextReasoningContent { Text.Length: > 0 } reasoning)
                {
                    yield return new ReasoningDeltaEvent(agent.Name, reasoning.Text);
                }
            }
        }

        if (stream is not null)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            response = outcome.Status is null ? updates.ToChatResponse() : null;
        }
        else if (response is not null)
        {
            if (response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().FirstOrDefault() is { Text.Length: > 0 } r)
            {
                yield return new ReasoningDeltaEvent(agent.Name, r.Text);
            }

            if (response.Text.Length > 0)
            {
                yield return new TextDeltaEvent(agent.Name, response.Text);
            }
        }

        if (response is null)
        {
            RunStep failed = Step(state, RunStepKind.ModelCall, agent.Name, model: model, status: outcome.Status == RunStatus.Cancelled ? "cancelled" : "error",
                output: outcome.Error?.Message, started: started, timestamp: timestamp);
            yield return new StepCompletedEvent(agent.Name, failed);
            yield break;
        }

        // Usage first, so a listener that stores each message can store the turn's spending with it.
        UsageDetails usage = response.Usage ?? new UsageDetails();
        state.Usage.Add(usage);
        // A pipeline layer that knows the price (the Router) reports what the deployment that answered cost; otherwise
        // the catalog prices the model asked for.
        decimal? cost = ResponseCost.Get(response) ?? CostCalculator.Cost(_options.Models.Get(model), usage);
        state.Cost = state.Cost.Add(cost);
        yield return new UsageEvent(agent.Name, usage, state.Usage) { Cost = cost };
        foreach (ChatMessage message in response.Messages)
        {
            message.AuthorName ??= agent.Name;
            state.History.Add(message);
            state.Added.Add(message);
            yield return new MessageAddedEvent(agent.Name, message);
        }

        state.LastText = response.Text;
        outcome.Calls.AddRange(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        RunStep step = Step(state, RunStepKind.ModelCall, agent.Name, model: model, output: response.Text,
            status: response.FinishReason?.Value ?? "stop", usage: usage, started: started, timestamp: timestamp);
        yield return new StepCompletedEvent(agent.Name, step);
    }

    /// <summary>
    /// Settles the tool calls of the last assistant turn: handoffs, permissions, approvals, execution, results.
    /// Never throws; a pause, cancellation or failure lands in <paramref name="outcome"/>.
    /// </summary>
    private async IAsyncEnumerable<RunEvent> SettleToolTurnSafely(RunState state, Dictionary<string, ApprovalDecision>? decisions, TurnOutcome outcome, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        AgentDefinition agent = _agents[state.CurrentAgent];
        ChatMessage? assistant = state.History.LastOrDefault(m => m.Role == ChatRole.Assistant);
        List<FunctionCallContent> calls = assistant?.Contents.OfType<FunctionCallContent>().ToList() ?? [];
        Dictionary<string, Tool> tools = _tools[agent.Name].ByName;
        AutonomyLevel autonomy = state.Autonomy ?? agent.Autonomy ?? _options.Autonomy;

        var results = new Dictionary<string, ToolCallResult>(StringComparer.Ordinal);
        var toRun = new List<(Tool? Tool, FunctionCallContent Call, ToolContext Context)>();
        var needApproval = new List<(FunctionCallContent Call, Tool Tool, ApprovalRequest Request)>();
        FunctionCallContent? handoff = null;

        foreach (FunctionCallContent call in calls)
        {
            if (call.Name.StartsWith(TransferPrefix, StringComparison.Ordinal) && agent.Handoffs.Contains(call.Name[TransferPrefix.Length..]))
            {
                if (handoff is null)
                {
                    handoff = call;
                }
                else
                {
                    results[call.CallId] = Result(call, "Error: only one handoff per turn; this one was ignored.", ToolCallOutcome.Error);
                }

                continue;
            }

            if (!tools.TryGetValue(call.Name, out Tool? tool))
            {
                toRun.Add((null, call, Context(state, call)));
                continue;
            }

            string approvalId = $"{state.RunId}/{call.CallId}";
            ToolPermission permission = EffectivePermission(state, agent, tool);
            if (permission == ToolPermission.Deny)
            {
                results[call.CallId] = ToolExecutor.Denied(call, "policy (the tool's permission is deny)");
                continue;
            }

            // A tool's own check may escalate one call (read_file on a .env); only an explicit allow lets it through.
            string? escalation = ExplicitPermission(state, agent, tool) == ToolPermission.Allow ? null : Escalation(tool, call);
            bool asks = autonomy switch
            {
                AutonomyLevel.Manual => true,
                AutonomyLevel.Autonomous => escalation is not null,
                _ => permission == ToolPermission.Ask || escalation is not null,
            };

            if (asks && state.StandingDecisions.TryGetValue(tool.Name, out bool standing))
            {
                if (!standing)
                {
                    results[call.CallId] = ToolExecutor.Denied(call, "the user (always deny for this tool)");
                    continue;
                }

                // "Always allow" was given for the tool's ordinary calls; an escalated one is asked about on its own.
                asks = escalation is not null;
            }

            if (!asks)
            {
                toRun.Add((tool, call, Context(state, call)));
                continue;
            }

            string reason = escalation ?? (autonomy == AutonomyLevel.Manual ? "manual autonomy: every call is approved" : $"'{tool.Name}' {RiskText(tool.Risk)}");
            needApproval.Add((call, tool, new ApprovalRequest(approvalId, agent.Name, call.CallId, tool.Name, ArgumentsJson(call), tool.Risk, reason) { Escalated = escalation is not null }));
        }

        // Approvals: by the handler, or by decisions brought to a resume; otherwise the run pauses.
        var unanswered = new List<ApprovalRequest>();
        var approvals = new List<(string Tool, string CallId, string Arguments, ApprovalDecision Decision)>();
        foreach ((FunctionCallContent call, Tool tool, ApprovalRequest request) in needApproval)
        {
            ApprovalDecision? decision = null;
            if (decisions?.TryGetValue(request.ApprovalId, out ApprovalDecision? given) == true)
            {
                decision = given;
            }
            else if (_options.ApprovalHandler is { } handler)
            {
                yield return new ApprovalRequestedEvent(agent.Name, request);
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
                    if (CloseTurnOnStop(state, calls, results, outcome) is { } closedMessage)
                    {
                        yield return new MessageAddedEvent(agent.Name, closedMessage);
                    }

                    yield break;
                }
            }

            if (decision is null)
            {
                unanswered.Add(request);
                continue;
            }

            if (decision.AlwaysForTool)
            {
                state.StandingDecisions[tool.Name] = decision.Approved;
            }

            approvals.Add((tool.Name, call.CallId, request.ArgumentsJson, decision));
            if (decision.Approved)
            {
                toRun.Add((tool, call, Context(state, call)));
            }
            else
            {
                results[call.CallId] = ToolExecutor.Denied(call, "the user" + (decision.Reason is { Length: > 0 } why ? $" ({why})" : ""));
            }
        }

        if (unanswered.Count > 0)
        {
            // Nothing of this turn runs until every call of it is decided; the state keeps the whole turn.
            state.Pending.Clear();
            state.Pending.AddRange(unanswered);
            foreach (ApprovalRequest request in unanswered)
            {
                yield return new ApprovalRequestedEvent(agent.Name, request);
            }

            outcome.Status = RunStatus.AwaitingApproval;
            yield break;
        }

        state.Pending.Clear();
        state.Decisions.Clear();
        foreach ((string tool, string callId, string arguments, ApprovalDecision decision) in approvals)
        {
            RunStep approval = Step(state, RunStepKind.Approval, agent.Name, toolName: tool, callId: callId, input: arguments,
                status: decision.Approved ? "approved" : "denied", output: decision.Reason);
            yield return new StepCompletedEvent(agent.Name, approval);
        }

        foreach ((Tool? tool, FunctionCallContent call, _) in toRun)
        {
            yield return new ToolCallStartedEvent(agent.Name, call.CallId, tool?.Name ?? call.Name, ArgumentsJson(call));
        }

        IReadOnlyList<ToolCallResult> executed = [];
        try
        {
            executed = await _executor.ExecuteAllAsync(toRun, _tools[agent.Name].Names, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            outcome.Fail(ex, cancellationToken);
        }

        if (outcome.Status is not null)
        {
            if (CloseTurnOnStop(state, calls, results, outcome) is { } closed)
            {
                yield return new MessageAddedEvent(agent.Name, closed);
            }

            yield break;
        }

        for (int i = 0; i < toRun.Count; i++)
        {
            results[toRun[i].Call.CallId] = executed[i];
        }

        string? handoffTarget = null;
        if (handoff is not null)
        {
            string target = handoff.Name[TransferPrefix.Length..];
            if (state.HandoffPath.Count - 1 >= _options.MaxHandoffs)
            {
                results[handoff.CallId] = Result(handoff, $"Error: the handoff limit ({_options.MaxHandoffs}) is reached; answer the user yourself.", ToolCallOutcome.Error);
            }
            else
            {
                handoffTarget = target;
                results[handoff.CallId] = Result(handoff, $"Transferred to {target}.", ToolCallOutcome.Ok);
            }
        }

        foreach (FunctionCallContent call in calls)
        {
            ToolCallResult result = results[call.CallId];
            string name = call.Name;
            RunStep step = Step(state, RunStepKind.ToolCall, agent.Name, toolName: name, callId: call.CallId, input: ArgumentsJson(call),
                output: result.Text, status: OutcomeText(result.Outcome), latencyMs: result.Duration.TotalMilliseconds);
            yield return new ToolCallCompletedEvent(agent.Name, call.CallId, name, ArgumentsJson(call), result.Outcome, result.Text, result.Duration);
            yield return new StepCompletedEvent(agent.Name, step);
        }

        if (AppendResults(state, calls, results) is { } resultsMessage)
        {
            yield return new MessageAddedEvent(agent.Name, resultsMessage);
        }

        if (handoffTarget is not null)
        {
            string? reason = handoff!.Arguments?.TryGetValue("reason", out object? r) == true ? r?.ToString() : null;
            RunStep step = Step(state, RunStepKind.Handoff, agent.Name, toolName: handoffTarget, callId: handoff.CallId, input: reason, status: "ok");
            state.CurrentAgent = handoffTarget;
            state.HandoffPath.Add(handoffTarget);
            IList<ChatMessage> visible = (_options.HandoffHistoryFilter ?? DefaultHandoffFilter)(state.History);
            state.History.Clear();
            state.History.AddRange(visible);
            yield return new HandoffEvent(agent.Name, handoffTarget, reason);
            yield return new StepCompletedEvent(agent.Name, step);
        }
    }

    /// <summary>On cancellation or failure mid-turn, every call still gets a result, so the conversation stays valid.</summary>
    private static ChatMessage? CloseTurnOnStop(RunState state, List<FunctionCallContent> calls, Dictionary<string, ToolCallResult> results, TurnOutcome outcome)
    {
        string text = outcome.Status == RunStatus.Cancelled
            ? "Error: the run was cancelled before this call completed."
            : "Error: the run failed before this call completed.";
        foreach (FunctionCallContent call in calls)
        {
            if (!results.ContainsKey(call.CallId))
            {
                results[call.CallId] = Result(call, text, ToolCallOutcome.Error);
            }
        }

        state.Pending.Clear();
        return AppendResults(state, calls, results);
    }

    private static ChatMessage? AppendResults(RunState state, List<FunctionCallContent> calls, Dictionary<string, ToolCallResult> results)
    {
        if (calls.Count == 0)
        {
            return null;
        }

        var message = new ChatMessage(ChatRole.Tool, [.. calls.Select(c => (AIContent)results[c.CallId].Content)]);
        state.History.Add(message);
        state.Added.Add(message);
        return message;
    }

    private static IList<ChatMessage> DefaultHandoffFilter(IReadOnlyList<ChatMessage> history)
    {
        // Signed reasoning is bound to the provider (and model) that produced it; the next agent may use another.
        var filtered = new List<ChatMessage>(history.Count);
        foreach (ChatMessage message in history)
        {
            if (!message.Contents.Any(c => c is TextReasoningContent { ProtectedData: not null }))
            {
                filtered.Add(message);
                continue;
            }

            ChatMessage copy = message.Clone();
            copy.Contents = [.. message.Contents.Where(c => c is not TextReasoningContent)];
            if (copy.Contents.Count > 0)
            {
                filtered.Add(copy);
            }
        }

        return filtered;
    }

    private ChatOptions BuildChatOptions(AgentDefinition agent)
    {
        // A copy per call: a client in the pipeline may change the list it is given.
        List<AITool> tools = [.. _tools[agent.Name].Declared];

        return new ChatOptions
        {
            Instructions = agent.Instructions,
            Temperature = agent.Temperature,
            MaxOutputTokens = agent.MaxOutputTokens,
            Tools = tools.Count > 0 ? tools : null,
            ToolMode = tools.Count == 0 ? null : agent.ToolChoice switch
            {
                null or "" or "auto" => ChatToolMode.Auto,
                "none" => ChatToolMode.None,
                "required" => ChatToolMode.RequireAny,
                string name => ChatToolMode.RequireSpecific(name),
            },
        };
    }

    private ToolPermission EffectivePermission(RunState state, AgentDefinition agent, Tool tool) =>
        state.PermissionOverrides.TryGetValue(tool.Name, out ToolPermission run) ? run
        : agent.ToolPermissions.TryGetValue(tool.Name, out ToolPermission own) ? own
        : tool.Permission ?? (tool.Risk >= _options.ApprovalThreshold ? ToolPermission.Ask : ToolPermission.Allow);

    private static ToolPermission? ExplicitPermission(RunState state, AgentDefinition agent, Tool tool) =>
        state.PermissionOverrides.TryGetValue(tool.Name, out ToolPermission run) ? run
        : agent.ToolPermissions.TryGetValue(tool.Name, out ToolPermission own) ? own
        : null;

    /// <summary>Why the tool's own check wants this call approved, or <see langword="null"/>; a check that fails asks, to be safe.</summary>
    private string? Escalation(Tool tool, FunctionCallContent call)
    {
        if (tool.ApprovalCheck is not { } check || call.Exception is not null)
        {
            return null;
        }

        try
        {
            return check(new ToolApprovalContext { ToolName = tool.Name, Arguments = WireContent.ArgumentsToElement(call.Arguments), Workspace = _workspace.Value });
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return $"'{tool.Name}' could not tell whether this call is safe to run without asking";
        }
    }

    private ToolContext Context(RunState state, FunctionCallContent call) => new()
    {
        CallId = call.CallId,
        ToolName = call.Name,
        Workspace = _workspace.Value,
        AgentName = state.CurrentAgent,
    };

    private IChatClient GetClient(string model, AgentDefinition agent) =>
        _clients.GetOrAdd($"{model}\n{agent.MaxOutputTokens}", _ =>
        {
            IChatClient client = _options.ChatClientFactory is { } factory ? factory(model) : ChatClients.Create(model);

            // The history is fitted to the model's window (output room reserved); an overflow the provider still
            // reports is compacted and retried once. With no policy, only that retry applies.
            ModelInfo info = client.GetService<ModelInfo>() ?? _options.Models.Get(model);
            long reserve = agent.MaxOutputTokens ?? Math.Min(info.MaxOutputTokens, 8_192);
            var budget = new ContextBudget(info.ContextWindow, Math.Min(reserve, info.ContextWindow / 2));
            return client.UseContextWindow(_options.ContextPolicy ?? ContextPolicy.None, budget);
        });

    private RunStep Step(RunState state, RunStepKind kind, string agent, string? model = null, string? toolName = null, string? callId = null,
        string? input = null, string? output = null, string? status = null, UsageDetails? usage = null,
        DateTimeOffset? started = null, long? timestamp = null, double? latencyMs = null)
    {
        var step = new RunStep(
            started ?? _options.TimeProvider.GetUtcNow(), kind, agent, model, toolName, callId, Truncate(SecretRedactor.Redact(input)), Truncate(SecretRedactor.Redact(output)), status,
            usage?.InputTokenCount, usage?.OutputTokenCount, usage?.CachedInputTokenCount, usage?.ReasoningTokenCount,
            latencyMs ?? (timestamp is long t ? Stopwatch.GetElapsedTime(t).TotalMilliseconds : 0));
        state.Steps.Add(step);
        return step;
    }

    private RunResult BuildResult(RunState state, RunStatus status, Exception? error) => new()
    {
        Status = status,
        Text = state.LastText,
        Messages = [.. state.Added],
        Steps = [.. state.Steps],
        Usage = state.Usage,
        Cost = state.Cost.Amount,
        Agent = state.CurrentAgent,
        HandoffPath = [.. state.HandoffPath],
        PendingApprovals = status == RunStatus.AwaitingApproval ? [.. state.Pending] : [],
        State = status == RunStatus.AwaitingApproval ? state : null,
        Error = error,
    };

    private static ToolCallResult Result(FunctionCallContent call, string text, ToolCallOutcome outcome) =>
        new(new FunctionResultContent(call.CallId, text), outcome, TimeSpan.Zero);

    /// <summary>The arguments as shown and recorded (events, approvals, the trace), with known secrets redacted; the tool still gets them as sent.</summary>
    private static string ArgumentsJson(FunctionCallContent call) =>
        call.Arguments is null ? "{}" : SecretRedactor.Redact(JsonSerializer.Serialize(call.Arguments, AllosJson.TypeInfo(typeof(IDictionary<string, object?>))));

    private static string? Truncate(string? text) =>
        text is null || text.Length <= TraceTextLimit ? text : string.Concat(text.AsSpan(0, TraceTextLimit), "…");

    private static string OutcomeText(ToolCallOutcome outcome) => outcome switch
    {
        ToolCallOutcome.Ok => "ok",
        ToolCallOutcome.Denied => "denied",
        _ => "error",
    };

    private static string RiskText(ToolRisk risk) => risk switch
    {
        ToolRisk.Writes => "writes files",
        ToolRisk.Executes => "runs commands",
        ToolRisk.Network => "reaches the network",
        _ => "needs approval",
    };

    private static string NewRunId() => "run_" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>An agent's tools and handoff declarations, built once.</summary>
    private sealed record AgentTools(Dictionary<string, Tool> ByName, IReadOnlyCollection<string> Names, IReadOnlyList<AITool> Declared);

    /// <summary>How a model call ended, when it did not produce a response; the calls it asked for when it did.</summary>
    private sealed class ModelCallOutcome : TurnOutcome
    {
        public List<FunctionCallContent> Calls { get; } = [];
    }

    /// <summary>How a step ended, when the run cannot go on: cancellation by the caller is not failure.</summary>
    private class TurnOutcome
    {
        public RunStatus? Status { get; set; }

        public Exception? Error { get; private set; }

        public void Fail(Exception exception, CancellationToken cancellationToken)
        {
            Status = exception is OperationCanceledException && cancellationToken.IsCancellationRequested ? RunStatus.Cancelled : RunStatus.Failed;
            Error = Status == RunStatus.Failed ? exception : null;
        }
    }
}
