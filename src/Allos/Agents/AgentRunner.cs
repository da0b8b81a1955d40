using System.Runtime.CompilerServices;
using Allos.Agents.Guardrails;
using Allos.Agents.Turns;
using Allos.Memory;
using Allos.Storage;
using Allos.Tools;
using Microsoft.Extensions.AI;

namespace Allos.Agents;

/// <summary>
/// Runs agents: calls the model, validates, approves and executes the tools it asks for, hands the conversation between
/// agents, and records every step. One runner serves many runs; it is thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Model calls go through the caller's pipeline as given (<see cref="AgentRunnerOptions.ChatClient"/> or
/// <see cref="AgentRunnerOptions.ChatClientFactory"/>): a Router, or any <c>ChatClientBuilder</c> pipeline. Tools
/// are declared to it as declarations only, so a <c>FunctionInvokingChatClient</c> in it hands every call back to
/// the runner, which validates, approves and runs it.
/// </para>
/// <para>
/// Security: tool arguments come from a model and may be the product of prompt injection. Tools are confined to
/// <see cref="AgentRunnerOptions.Workspace"/>, and calls that write, execute or reach the network ask first unless the
/// autonomy level or a permission says otherwise.
/// </para>
/// </remarks>
public sealed class AgentRunner
{
    private readonly Dictionary<string, AgentDefinition> _agents;
    private readonly string _entryAgent;
    private readonly AgentRunnerOptions _options;
    private readonly RunTrace _trace;
    private readonly ModelTurn _modelTurn;
    private readonly ToolTurn _toolTurn;
    private readonly AgentInstructions _instructions;
    private readonly GuardrailChecks _guardrails;
    private readonly GuardedFirstTurn _guardedFirstTurn;

    /// <summary>Initializes a runner for a single agent.</summary>
    public AgentRunner(AgentDefinition agent, AgentRunnerOptions? options = null)
        : this([agent ?? throw new ArgumentNullException(nameof(agent))], agent.Name, options)
    {
    }

    /// <summary>Initializes a runner for a team whose conversations start with <paramref name="entryAgent"/>.</summary>
    /// <exception cref="ConfigurationException">
    /// An agent names a tool or handoff target that does not exist, has both a prompt and instructions, or has instructions
    /// that are not a valid template; or both <see cref="AgentRunnerOptions.ChatClient"/> and <see cref="AgentRunnerOptions.ChatClientFactory"/> are set.
    /// </exception>
    public AgentRunner(IEnumerable<AgentDefinition> team, string entryAgent, AgentRunnerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(team);
        ArgumentException.ThrowIfNullOrWhiteSpace(entryAgent);
        _options = options ?? new AgentRunnerOptions();
        if (_options.ChatClient is not null && _options.ChatClientFactory is not null)
        {
            throw new ConfigurationException("Set AgentRunnerOptions.ChatClient (one pipeline for every agent) or ChatClientFactory (one client per model), not both.");
        }

        _agents = new Dictionary<string, AgentDefinition>(StringComparer.Ordinal);
        foreach (AgentDefinition agent in team)
        {
            if (!_agents.TryAdd(agent.Name, agent))
            {
                throw new ConfigurationException($"Two agents are named '{agent.Name}'.");
            }
        }

        // Resolved once: fails early (listing the tools there are) and keeps the loop from rebuilding lists per step.
        var tools = new Dictionary<string, AgentTools>(StringComparer.Ordinal);
        foreach (AgentDefinition agent in _agents.Values)
        {
            tools[agent.Name] = AgentTools.Build(agent, _options.Tools, _agents);
        }

        _entryAgent = _agents.ContainsKey(entryAgent)
            ? entryAgent
            : throw new ConfigurationException($"The entry agent '{entryAgent}' is not in the team ({string.Join(", ", _agents.Keys)}).");
        _instructions = AgentInstructions.Build(_agents.Values);
        var workspace = new Lazy<Workspace>(() => _options.Workspace ?? Workspace.Current);
        _trace = new RunTrace(_options.TimeProvider);
        var clients = new AgentClients(_options);
        _modelTurn = new ModelTurn(_options, tools, clients, _trace, _instructions);
        _guardrails = new GuardrailChecks(clients);
        _guardedFirstTurn = new GuardedFirstTurn(_modelTurn, _guardrails);
        _toolTurn = new ToolTurn(_options, _agents, tools, new ApprovalPolicy(_options, workspace), new Handoffs(_options), _trace, workspace);
    }

    /// <summary>Runs the conversation <paramref name="history"/> plus <paramref name="input"/> until a final answer, a pause or a limit.</summary>
    /// <exception cref="ConfigurationException">An agent's instructions use a variable the run does not give, or its prompt a required input; nothing has been sent.</exception>
    public async Task<RunResult> RunAsync(string input, IEnumerable<ChatMessage>? history = null, RunOptions? options = null, CancellationToken cancellationToken = default) =>
        await LastResultAsync(RunStreamingAsync(input, history, options, cancellationToken)).ConfigureAwait(false);

    /// <summary>Like <see cref="RunAsync"/>, streaming what happens; the last event is a <see cref="RunCompletedEvent"/>.</summary>
    /// <exception cref="ConfigurationException">An agent's instructions use a variable the run does not give, or its prompt a required input; nothing has been sent.</exception>
    public IAsyncEnumerable<RunEvent> RunStreamingAsync(string input, IEnumerable<ChatMessage>? history = null, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var state = new RunState(NewRunId(), _entryAgent) { Autonomy = options?.Autonomy, SessionId = options?.SessionId, User = options?.User };
        foreach (KeyValuePair<string, ToolPermission> entry in options?.ToolPermissions ?? new Dictionary<string, ToolPermission>())
        {
            state.PermissionOverrides[entry.Key] = entry.Value;
        }

        foreach (KeyValuePair<string, object?> entry in options?.Variables ?? new Dictionary<string, object?>())
        {
            state.Variables[entry.Key] = entry.Value;
        }

        foreach (AgentDefinition agent in _agents.Values)
        {
            state.Tools[agent.Name] = [.. agent.Tools];
        }

        // Every agent's, not just the entry's: a handoff later in the run must not be the first to find a variable missing.
        _instructions.RenderAll(state);

        if (history is not null)
        {
            state.History.AddRange(history);
        }

        var user = new ChatMessage(ChatRole.User, input);
        if ((options?.Memory ?? _agents[_entryAgent].Memory) == MemoryMode.Recall)
        {
            MemoryRecall recall = _options.Memory
                ?? throw new ConfigurationException($"Agent '{_entryAgent}' has memory: recall, but the runner has no store to recall from: set AgentRunnerOptions.Memory.");
            return RecallThenLoopAsync(recall, state, user, input, cancellationToken);
        }

        state.History.Add(user);
        state.Added.Add(user);
        return LoopAsync(state, decisions: null, cancellationToken, announce: user);
    }

    /// <summary>Adds what earlier sessions said about <paramref name="input"/> just before it, then runs.</summary>
    /// <remarks>The recall message is one of the run's added messages, so a session stores it (marked) with the input.</remarks>
    private async IAsyncEnumerable<RunEvent> RecallThenLoopAsync(MemoryRecall recall, RunState state, ChatMessage user, string input, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (await recall.BuildMessageAsync(input, state.SessionId, cancellationToken).ConfigureAwait(false) is { } recalled)
        {
            state.History.Add(recalled);
            state.Added.Add(recalled);
        }

        state.History.Add(user);
        state.Added.Add(user);
        await foreach (RunEvent item in LoopAsync(state, decisions: null, cancellationToken, announce: user).ConfigureAwait(false))
        {
            yield return item;
        }
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
        _agents.TryGetValue(agentName, out AgentDefinition? agent) ? agent.Model ?? agent.Prompt?.Model ?? _options.DefaultModel : null;

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
        RunStatus? status = null;
        Exception? error = null;
        GuardrailTrip? trip = null;

        // A new run's input guardrails: the redacting ones now, so the model and the session see the redacted text; the
        // others with the first model call.
        bool checkInput = false;
        if (announce is not null && GuardrailChecks.Any(_agents[state.CurrentAgent], GuardrailStage.Input))
        {
            AgentDefinition entry = _agents[state.CurrentAgent];
            try
            {
                (string text, trip) = await _guardrails.RedactAsync(state, entry, GuardrailStage.Input, announce.Text, cancellationToken).ConfigureAwait(false);
                if (trip is null && text != announce.Text)
                {
                    announce.Contents = [new TextContent(text)];
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                status = RunStatus.Cancelled;
            }

            if (trip is not null || status is not null)
            {
                GuardedFirstTurn.DropInput(state);
                status ??= RunStatus.GuardrailTripped;
            }

            checkInput = status is null && GuardrailChecks.AnyChecks(entry, GuardrailStage.Input);
        }

        if (announce is not null && !checkInput && status is null)
        {
            yield return new MessageAddedEvent(state.CurrentAgent, announce);
        }

        // A resumed run first settles the turn it paused in.
        if (decisions is not null)
        {
            var turn = new TurnOutcome();
            await foreach (RunEvent e in _toolTurn.SettleAsync(state, decisions, turn, cancellationToken).ConfigureAwait(false))
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
                if (checkInput)
                {
                    // No call to run the input checks with: the input is kept, as without guardrails.
                    yield return new MessageAddedEvent(state.CurrentAgent, announce!);
                }

                status = RunStatus.MaxIterations;
                break;
            }

            state.Iterations++;
            var call = new ModelTurnOutcome();
            IAsyncEnumerable<RunEvent> events = checkInput
                ? _guardedFirstTurn.CallAsync(state, agent, call, announce!, cancellationToken)
                : _modelTurn.CallAsync(state, agent, call, cancellationToken);
            checkInput = false;

            // With output guardrails the turn is held until it is known not to be a final answer they stop.
            List<RunEvent>? held = GuardrailChecks.Any(agent, GuardrailStage.Output) ? [] : null;
            int addedBefore = state.Added.Count;
            await foreach (RunEvent e in events.ConfigureAwait(false))
            {
                if (held is null)
                {
                    yield return e;
                }
                else
                {
                    held.Add(e);
                }
            }

            if (held is not null && call.Status is null && call.Calls.Count == 0 && !call.Paused)
            {
                // The final answer: checked before anyone sees it.
                try
                {
                    (string text, trip) = await _guardrails.RedactAsync(state, agent, GuardrailStage.Output, state.LastText, cancellationToken).ConfigureAwait(false);
                    trip ??= await _guardrails.CheckAsync(state, agent, GuardrailStage.Output, text, cancellationToken).ConfigureAwait(false);
                    if (trip is null && text != state.LastText)
                    {
                        FinalAnswer.Replace(state, addedBefore, held, agent.Name, text);
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    status = RunStatus.Cancelled;
                }

                if (trip is not null || status is not null)
                {
                    FinalAnswer.Drop(state, addedBefore, held);
                    status ??= RunStatus.GuardrailTripped;
                }
            }

            foreach (RunEvent e in held ?? [])
            {
                yield return e;
            }

            if (status is not null)
            {
                break;
            }

            if (call.Status is RunStatus failed)
            {
                status = failed;
                error = call.Error;
                trip = call.Guardrail;
                break;
            }

            if (call.Paused)
            {
                continue; // the provider's own tools are still at work: the next call resumes them, within MaxIterations
            }

            if (call.Calls.Count == 0)
            {
                RunStep respond = _trace.Step(state, RunStepKind.Respond, agent.Name, output: state.LastText, status: "ok");
                yield return new StepCompletedEvent(agent.Name, respond);
                status = RunStatus.Completed;
                break;
            }

            var toolTurn = new TurnOutcome();
            await foreach (RunEvent e in _toolTurn.SettleAsync(state, decisions: null, toolTurn, cancellationToken).ConfigureAwait(false))
            {
                yield return e;
            }

            status = toolTurn.Status;
            error = toolTurn.Error;
        }

        RunResult result = BuildResult(state, status.Value, error, trip);
        yield return new RunCompletedEvent(state.CurrentAgent, result);
    }

    private RunResult BuildResult(RunState state, RunStatus status, Exception? error, GuardrailTrip? trip) => new()
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
        Guardrail = status == RunStatus.GuardrailTripped ? trip : null,
    };

    private static string NewRunId() => "run_" + Guid.NewGuid().ToString("N")[..16];
}
