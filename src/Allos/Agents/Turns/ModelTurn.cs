using System.Diagnostics;
using System.Runtime.CompilerServices;
using Allos.Gateway;
using Allos.Models;
using Allos.Prompts;
using Allos.Storage;
using Microsoft.Extensions.AI;

namespace Allos.Agents.Turns;

/// <summary>
/// One model call of a run: repairs the history, sends it with the agent's options, streams text and reasoning as
/// events, and adds the answer, its usage and its cost to the run.
/// </summary>
internal sealed class ModelTurn(AgentRunnerOptions options, IReadOnlyDictionary<string, AgentTools> tools, AgentClients clients, RunTrace trace, AgentInstructions instructions)
{
    /// <summary>Calls the model once; never throws (failures and cancellation land in <paramref name="outcome"/>).</summary>
    public async IAsyncEnumerable<RunEvent> CallAsync(RunState state, AgentDefinition agent, ModelTurnOutcome outcome, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        HistoryRepair.Repair(state.History);
        string? model = agent.Model ?? agent.Prompt?.Model ?? options.DefaultModel;
        if (model is null && !clients.Shared)
        {
            throw new ConfigurationException($"Agent '{agent.Name}' names no model and the runner has no DefaultModel.");
        }

        DateTimeOffset started = trace.Now;
        long timestamp = Stopwatch.GetTimestamp();

        IAsyncEnumerator<ChatResponseUpdate>? stream = null;
        var updates = new List<ChatResponseUpdate>();
        ChatResponse? response = null;
        try
        {
            IChatClient client = clients.For(model, agent);
            ChatOptions chatOptions = ChatOptionsFor(state, agent, clients.Shared ? model : null);
            if (options.Streaming)
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

        if (response is not null && response.Messages.SelectMany(m => m.Contents).OfType<ToolApprovalRequestContent>().FirstOrDefault() is { } foreign)
        {
            // Only a function invoker in the caller's pipeline, running tools of its own, asks this way; the run cannot
            // answer it, and completing would hide the question.
            outcome.Fail(new ConfigurationException(
                $"The chat pipeline asked for approval of '{(foreign.ToolCall as FunctionCallContent)?.Name ?? foreign.ToolCall.CallId}', a tool it runs itself. " +
                "Give that tool to the agent (AgentDefinition.Tools, through AgentRunnerOptions.Tools) so the runner asks, or remove it from the pipeline's function invocation."), cancellationToken);
            response = null;
        }

        if (response is null)
        {
            RunStep failed = trace.Step(state, RunStepKind.ModelCall, agent.Name, model: model, status: outcome.Status == RunStatus.Cancelled ? "cancelled" : "error",
                output: outcome.Error?.Message, started: started, timestamp: timestamp);
            yield return new StepCompletedEvent(agent.Name, failed);
            yield break;
        }

        // Usage first, so a listener that stores each message can store the turn's spending with it.
        UsageDetails usage = response.Usage ?? new UsageDetails();
        state.Usage.Add(usage);
        decimal? cost = Cost(response, model, usage);
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
        outcome.Paused = outcome.Calls.Count == 0 && IsPaused(response);
        RunStep step = trace.Step(state, RunStepKind.ModelCall, agent.Name, model: model ?? response.ModelId, output: response.Text,
            status: response.FinishReason?.Value ?? "stop", usage: usage, started: started, timestamp: timestamp);
        yield return new StepCompletedEvent(agent.Name, step);
    }

    /// <summary>
    /// What the call cost: as a layer of the pipeline that knows the price reports it on the response (the deployment
    /// that answered, a cache hit at 0); otherwise priced by the catalog for the model asked for, or the one that answered.
    /// </summary>
    private decimal? Cost(ChatResponse response, string? model, UsageDetails usage) =>
        ResponseCost.Get(response)
        ?? ((model ?? response.ModelId) is { } priced ? CostCalculator.Cost(options.Models.Get(priced), usage) : null);

    /// <summary>Whether the provider paused its own tools' turn; a streamed answer carries the stop reason on its message.</summary>
    private static bool IsPaused(ChatResponse response)
    {
        const string key = Providers.Anthropic.AnthropicResponseParser.StopReasonKey;
        return (response.AdditionalProperties?.TryGetValue(key, out object? stop) == true && stop is "pause_turn")
            || response.Messages.Any(m => m.AdditionalProperties?.TryGetValue(key, out object? s) == true && s is "pause_turn");
    }

    /// <param name="state">The run, whose rendered instructions, session and user the call carries.</param>
    /// <param name="agent">The agent whose instructions, sampling and tools the call carries.</param>
    /// <param name="modelId">The model to name in the request, for a pipeline shared by every agent (the Router routes on it).</param>
    private ChatOptions ChatOptionsFor(RunState state, AgentDefinition agent, string? modelId)
    {
        // A copy per call: a client in the pipeline may change the list it is given.
        List<AITool> declared = [.. tools[agent.Name].Declared];

        // A prompt's front matter (sampling, limits, stop sequences, format) is the base the agent's own settings override.
        ChatOptions chatOptions = agent.Prompt?.CreateOptions() ?? new ChatOptions();
        chatOptions.ModelId = modelId;
        chatOptions.Instructions = instructions.For(state, agent);
        chatOptions.Temperature = agent.Temperature ?? chatOptions.Temperature;
        chatOptions.MaxOutputTokens = agent.MaxOutputTokens ?? chatOptions.MaxOutputTokens;
        chatOptions.Tools = declared.Count > 0 ? declared : null;
        chatOptions.ToolMode = declared.Count == 0 ? null : agent.ToolChoice switch
        {
            null or "" or "auto" => ChatToolMode.Auto,
            "none" => ChatToolMode.None,
            "required" => ChatToolMode.RequireAny,
            string name => ChatToolMode.RequireSpecific(name),
        };

        if (agent.Prompt is { } prompt)
        {
            chatOptions.WithPrompt(prompt.Name, prompt.Version);
        }

        if (state.SessionId is { Length: > 0 } session)
        {
            chatOptions.WithSession(session);
        }

        if (state.User is { Length: > 0 } user)
        {
            chatOptions.WithUser(user);
        }

        return chatOptions;
    }
}
