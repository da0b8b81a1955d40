using System.Runtime.CompilerServices;
using Allos.Agents;
using Allos.Models;
using Allos.Providers;
using Allos.Storage;
using Microsoft.Extensions.AI;

namespace Allos.Sessions;

/// <summary>
/// A conversation kept in a store: agents run inside it (or a plain chat client answers), and every message is stored
/// durably as soon as the run adds it, so a crash loses at most the turn in progress.
/// </summary>
/// <remarks>Not thread-safe: one run at a time per session.</remarks>
public sealed class ChatSession
{
    private readonly ISessionStore _store;
    private readonly ITelemetryStore? _telemetry;
    private readonly ModelCatalog _catalog;
    private readonly List<ChatMessage> _messages;
    private readonly bool _recordModelCalls;

    internal ChatSession(SessionRecord record, IEnumerable<ChatMessage> messages, ISessionStore store, ITelemetryStore? telemetry, ModelCatalog catalog, bool recordModelCalls = true)
    {
        Record = record;
        _messages = [.. messages];
        _store = store;
        _telemetry = telemetry;
        _catalog = catalog;
        _recordModelCalls = recordModelCalls;
    }

    /// <summary>Gets the session id.</summary>
    public string Id => Record.Id;

    /// <summary>Gets the session's metadata as last read or written (title, agent, model, times, token and cost totals).</summary>
    public SessionRecord Record { get; private set; }

    /// <summary>
    /// Gets the conversation the next run continues from, at full fidelity: every message since the session was last
    /// cleared or compacted (the store keeps the earlier ones too).
    /// </summary>
    public IReadOnlyList<ChatMessage> Messages => _messages;

    /// <summary>Runs an agent on the conversation plus <paramref name="input"/>, storing each message as the run adds it.</summary>
    public async Task<RunResult> RunAsync(AgentRunner runner, string input, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        RunResult? result = null;
        await foreach (RunEvent e in RunStreamingAsync(runner, input, options, cancellationToken).ConfigureAwait(false))
        {
            if (e is RunCompletedEvent completed)
            {
                result = completed.Result;
            }
        }

        return result!;
    }

    /// <summary>Like <see cref="RunAsync"/>, streaming the run's events.</summary>
    public IAsyncEnumerable<RunEvent> RunStreamingAsync(AgentRunner runner, string input, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        return StoreAsync(runner, token => runner.RunStreamingAsync(input, _messages.ToList(), options, token), cancellationToken);
    }

    /// <summary>
    /// Continues, inside this session, a run of it that paused with <see cref="RunStatus.AwaitingApproval"/> (its
    /// <see cref="RunResult.State"/>, possibly saved by another process), storing each message the run adds.
    /// </summary>
    /// <exception cref="ArgumentException">A decision names an approval the run is not waiting for, or the state's agent is not in the runner's team.</exception>
    /// <exception cref="InvalidOperationException">The state is not waiting for approval.</exception>
    public IAsyncEnumerable<RunEvent> ResumeStreamingAsync(AgentRunner runner, RunState state, IEnumerable<ApprovalDecision> decisions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);

        // Checked now, not at the first MoveNext, so a wrong decision never marks a run as started.
        IAsyncEnumerable<RunEvent> events = runner.ResumeStreamingAsync(state, decisions, cancellationToken);
        return StoreAsync(runner, _ => events, cancellationToken);
    }

    private async IAsyncEnumerable<RunEvent> StoreAsync(AgentRunner runner, Func<CancellationToken, IAsyncEnumerable<RunEvent>> run, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string runId = "srun_" + Guid.NewGuid().ToString("N")[..16];
        await _store.MarkRunAsync(Id, runId, RunMark.Running, cancellationToken).ConfigureAwait(false);
        TurnMetadata? pending = null;
        RunResult? result = null;
        try
        {
            await foreach (RunEvent e in run(cancellationToken).ConfigureAwait(false))
            {
                switch (e)
                {
                    case UsageEvent usage:
                        pending = Turn(runId, e.Agent, usage.Usage, ModelOf(runner, e.Agent)) with { Cost = usage.Cost };
                        break;
                    case MessageAddedEvent added:
                        // CancellationToken.None: a message the run produced is stored even when the caller cancels now.
                        await _store.AppendMessagesAsync(Id, [added.Message], added.Message.Role == ChatRole.Assistant ? pending : null, CancellationToken.None).ConfigureAwait(false);
                        if (added.Message.Role == ChatRole.Assistant)
                        {
                            pending = null;
                        }

                        _messages.Add(added.Message);
                        break;
                    case StepCompletedEvent step:
                        RecordTelemetry(runId, step.Step);
                        break;
                    case RunCompletedEvent completed:
                        result = completed.Result;
                        break;
                }

                yield return e;
            }
        }
        finally
        {
            // A tripped guardrail ended the run as configured: nothing was left half done.
            RunMark mark = result?.Status is RunStatus.Completed or RunStatus.MaxIterations or RunStatus.AwaitingApproval or RunStatus.GuardrailTripped ? RunMark.Completed : RunMark.Incomplete;
            await _store.MarkRunAsync(Id, runId, mark, CancellationToken.None).ConfigureAwait(false);
            await RefreshAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Sends <paramref name="input"/> to a chat client (no agent, no tools) and stores both sides of the turn.</summary>
    public async Task<ChatResponse> SendAsync(IChatClient client, string input, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var user = new ChatMessage(ChatRole.User, input);
        await _store.AppendMessagesAsync(Id, [user], null, cancellationToken).ConfigureAwait(false);
        _messages.Add(user);
        ChatResponse response = await client.GetResponseAsync(_messages, options, cancellationToken).ConfigureAwait(false);
        string model = client.GetService<ChatClientMetadata>() is { ProviderName: { } provider, DefaultModelId: { } id } ? $"{provider}/{id}" : Record.Model ?? "unknown";
        TurnMetadata turn = Turn(null, null, response.Usage ?? new UsageDetails(), model);
        await _store.AppendMessagesAsync(Id, response.Messages, turn, CancellationToken.None).ConfigureAwait(false);
        _messages.AddRange(response.Messages);
        await RefreshAsync(CancellationToken.None).ConfigureAwait(false);
        return response;
    }

    private TurnMetadata Turn(string? runId, string? agent, UsageDetails usage, string model) => new()
    {
        RunId = runId,
        Model = model,
        InputTokens = usage.InputTokenCount ?? 0,
        OutputTokens = usage.OutputTokenCount ?? 0,
        CachedInputTokens = usage.CachedInputTokenCount ?? 0,
        ReasoningTokens = usage.ReasoningTokenCount ?? 0,
        Cost = CostCalculator.Cost(_catalog.Get(model), usage),
    };

    private void RecordTelemetry(string runId, RunStep step)
    {
        if (_telemetry is null)
        {
            return;
        }

        if (step.Kind == RunStepKind.ModelCall && step.Model is { } model && _recordModelCalls)
        {
            var usage = new UsageDetails
            {
                InputTokenCount = step.InputTokens,
                OutputTokenCount = step.OutputTokens,
                CachedInputTokenCount = step.CachedInputTokens,
                ReasoningTokenCount = step.ReasoningTokens,
            };
            _telemetry.RecordModelCall(new ModelCallRecord
            {
                Time = step.Time,
                SessionId = Id,
                RunId = runId,
                Provider = ProviderOf(model),
                Model = model,
                LatencyMs = step.LatencyMs,
                InputTokens = step.InputTokens,
                OutputTokens = step.OutputTokens,
                CachedInputTokens = step.CachedInputTokens,
                ReasoningTokens = step.ReasoningTokens,
                Cost = step.Status is "error" or "cancelled" ? null : CostCalculator.Cost(_catalog.Get(model), usage),
                Status = step.Status is "error" or "cancelled" ? step.Status : "ok",
                Error = step.Status == "error" ? step.Output : null,
            });
        }
        else if (step.Kind == RunStepKind.ToolCall && step.ToolName is { } tool)
        {
            _telemetry.RecordToolExecution(new ToolExecutionRecord
            {
                Time = step.Time,
                SessionId = Id,
                RunId = runId,
                ToolName = tool,
                CallId = step.CallId,
                LatencyMs = step.LatencyMs,
                Status = step.Status ?? "ok",
                Error = step.Status == "error" ? step.Output : null,
            });
        }

        _telemetry.RecordRunSteps(Id, runId, [step]);
    }

    private async Task RefreshAsync(CancellationToken cancellationToken) =>
        Record = await _store.GetAsync(Id, cancellationToken).ConfigureAwait(false) ?? Record;

    private static string ModelOf(AgentRunner runner, string agent) => runner.ModelOf(agent) ?? "unknown";

    private static string ProviderOf(string model)
    {
        try
        {
            return ProviderRegistry.Default.Resolve(model).Provider;
        }
        catch (ConfigurationException)
        {
            return "unknown";
        }
    }
}
