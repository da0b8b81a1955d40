using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Allos.Agents.Guardrails;
using Microsoft.Extensions.AI;

namespace Allos.Agents.Turns;

/// <summary>
/// The first model call of a run whose input guardrails only check: the call starts at once, while the guardrails run,
/// and nothing of it (text, messages, tool calls) reaches the caller until they passed. On a trip the call is cancelled
/// and the run keeps nothing it added.
/// </summary>
internal sealed class GuardedFirstTurn(ModelTurn modelTurn, GuardrailChecks checks)
{
    public async IAsyncEnumerable<RunEvent> CallAsync(RunState state, AgentDefinition agent, ModelTurnOutcome outcome, ChatMessage input, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var events = Channel.CreateUnbounded<RunEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task model = Task.Run(() => PumpAsync(state, agent, outcome, events.Writer, call.Token), CancellationToken.None);

        GuardrailTrip? trip = null;
        bool cancelled = false;
        try
        {
            trip = await checks.CheckAsync(state, agent, GuardrailStage.Input, input.Text, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            cancelled = true;
        }

        if (trip is not null || cancelled)
        {
            await call.CancelAsync().ConfigureAwait(false);
            await model.ConfigureAwait(false);
            while (events.Reader.TryRead(out _))
            {
                // Discarded: the response was never acted on.
            }

            DropInput(state);
            outcome.Stop(trip);
            yield break;
        }

        yield return new MessageAddedEvent(state.CurrentAgent, input);

        // Not the caller's token: a cancel reaches the call through the linked source, and its last events still come.
        await foreach (RunEvent e in events.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            yield return e;
        }

        await model.ConfigureAwait(false);
    }

    /// <summary>Takes out of the run what it added (the input, a recall message, an answer): a stopped input is neither sent on nor stored.</summary>
    public static void DropInput(RunState state)
    {
        int first = state.History.Count - state.Added.Count;
        state.History.RemoveRange(first, state.Added.Count);
        state.Added.Clear();
        state.LastText = "";
    }

    private async Task PumpAsync(RunState state, AgentDefinition agent, ModelTurnOutcome outcome, ChannelWriter<RunEvent> writer, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (RunEvent e in modelTurn.CallAsync(state, agent, outcome, cancellationToken).ConfigureAwait(false))
            {
                await writer.WriteAsync(e, CancellationToken.None).ConfigureAwait(false);
            }

            writer.TryComplete();
        }
        catch (Exception ex)
        {
            // Handed to the reader, which rethrows it, unless a trip discards the call.
            writer.TryComplete(ex);
        }
    }
}
