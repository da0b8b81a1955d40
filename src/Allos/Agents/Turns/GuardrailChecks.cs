using Allos.Agents.Guardrails;
using Microsoft.Extensions.AI;

namespace Allos.Agents.Turns;

/// <summary>
/// Runs an agent's guardrails of one stage: the redacting ones in order, each on the text the one before left, and the
/// others at once; the first trip in the agent's order wins and cancels the rest.
/// </summary>
internal sealed class GuardrailChecks(AgentClients clients)
{
    public static bool Any(AgentDefinition agent, GuardrailStage stage) => agent.Guardrails.Any(g => g.Stage == stage);

    public static bool AnyChecks(AgentDefinition agent, GuardrailStage stage) => agent.Guardrails.Any(g => g.Stage == stage && !g.Redacts);

    /// <summary>Runs the redacting guardrails of <paramref name="stage"/>; the text to go on with, or the trip.</summary>
    public async Task<(string Text, GuardrailTrip? Trip)> RedactAsync(RunState state, AgentDefinition agent, GuardrailStage stage, string text, CancellationToken cancellationToken)
    {
        foreach (Guardrail guardrail in agent.Guardrails.Where(g => g.Stage == stage && g.Redacts))
        {
            GuardrailResult result = await RunOneAsync(guardrail, Context(state, agent, stage, text), cancellationToken).ConfigureAwait(false);
            if (result.Verdict == GuardrailVerdict.Trip)
            {
                return (text, new GuardrailTrip(guardrail.Name, stage, result.Reason!));
            }

            text = result.Verdict == GuardrailVerdict.Redact ? result.Text! : text;
        }

        return (text, null);
    }

    /// <summary>Runs the guardrails of <paramref name="stage"/> that only check, all at once; the first trip, or <see langword="null"/>.</summary>
    public async Task<GuardrailTrip?> CheckAsync(RunState state, AgentDefinition agent, GuardrailStage stage, string text, CancellationToken cancellationToken)
    {
        Guardrail[] checks = [.. agent.Guardrails.Where(g => g.Stage == stage && !g.Redacts)];
        if (checks.Length == 0)
        {
            return null;
        }

        using var others = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        GuardrailContext context = Context(state, agent, stage, text);

        // Task.Run: a check that works synchronously (a long regex) must not hold up the model call started before it.
        Task<GuardrailResult>[] running = [.. checks.Select(g => Task.Run(() => RunOneAsync(g, context, others.Token).AsTask(), CancellationToken.None))];
        var pending = new List<Task<GuardrailResult>>(running);
        GuardrailTrip? trip = null;
        while (pending.Count > 0 && trip is null)
        {
            Task<GuardrailResult> done = await Task.WhenAny(pending).ConfigureAwait(false);
            pending.Remove(done);
            cancellationToken.ThrowIfCancellationRequested();
            GuardrailResult result = await done.ConfigureAwait(false);
            int index = Array.IndexOf(running, done);
            trip = result.Verdict switch
            {
                GuardrailVerdict.Trip => new GuardrailTrip(checks[index].Name, stage, result.Reason!),

                // Too late to redact: the model already has the text. Stopping is the safe side.
                GuardrailVerdict.Redact => new GuardrailTrip(checks[index].Name, stage, "the guardrail asked to redact, but it does not declare Redacts, so it ran alongside the model call"),
                _ => null,
            };
        }

        if (trip is not null)
        {
            await others.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(pending).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The others were stopped: one trip decides.
            }
        }

        return trip;
    }

    /// <summary>A guardrail that throws could not decide, and that is not a pass.</summary>
    private static async ValueTask<GuardrailResult> RunOneAsync(Guardrail guardrail, GuardrailContext context, CancellationToken cancellationToken)
    {
        try
        {
            return await guardrail.CheckAsync(context, cancellationToken).ConfigureAwait(false)
                ?? GuardrailResult.Trip("the guardrail gave no result");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            return GuardrailResult.Trip($"the guardrail failed ({ex.GetType().Name}), so the text was not let through");
        }
    }

    private GuardrailContext Context(RunState state, AgentDefinition agent, GuardrailStage stage, string text) =>
        new(stage, agent.Name, text, model => clients.Shared ? new ModelChatClient(clients.For(model, agent), model) : clients.For(model, agent))
        {
            SessionId = state.SessionId,
            User = state.User,
        };
}
