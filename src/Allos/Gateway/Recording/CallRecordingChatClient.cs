using System.Runtime.CompilerServices;
using Allos.Models;
using Allos.Prompts;
using Allos.Storage;
using Microsoft.Extensions.AI;

namespace Allos.Gateway;

/// <summary>Reports each call's cost on its response and records the call in a telemetry store.</summary>
internal sealed class CallRecordingChatClient : DelegatingChatClient
{
    private readonly CallRecordingOptions _options;
    private readonly AnsweringModel _model;

    public CallRecordingChatClient(IChatClient inner, CallRecordingOptions options)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(options.Models, nameof(options.Models));
        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(options.TimeProvider));
        _options = options;
        _model = new AnsweringModel(inner, options.Models);
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        long start = _options.TimeProvider.GetTimestamp();
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Record(options, start, null, null, null, ex, streaming: false, null);
            throw;
        }

        decimal? cost = ResponseCost.Get(response);
        if (cost is null && response.Usage is { } usage && CostCalculator.Cost(_model.InfoOf(options), usage) is decimal priced)
        {
            ResponseCost.Set(response, priced);
            cost = priced;
        }

        Record(options, start, response.ModelId, response.Usage, cost, null, streaming: false, null);
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long start = _options.TimeProvider.GetTimestamp();
        double? firstChunkMs = null;
        UsageDetails? usage = null;
        decimal? reported = null;
        string? modelId = null;
        Exception? failure = null;
        bool completed = false;
        IAsyncEnumerator<ChatResponseUpdate> stream = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await stream.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (Exception ex)
                {
                    failure = ex;
                    throw;
                }

                ChatResponseUpdate update = stream.Current;
                firstChunkMs ??= _options.TimeProvider.GetElapsedTime(start).TotalMilliseconds;
                modelId ??= update.ModelId;
                usage = RateLimitChatClient.UsageOf(update, usage);
                reported = (update.AdditionalProperties is { Count: > 0 } ? ResponseCost.Get(update) : null) ?? reported;
                yield return update;
            }

            completed = true;
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            if (!completed)
            {
                Record(options, start, modelId, usage, reported, failure ?? new OperationCanceledException("The caller stopped reading the stream."), streaming: true, firstChunkMs);
            }
        }

        decimal? cost = reported ?? (usage is null ? null : CostCalculator.Cost(_model.InfoOf(options), usage));
        Record(options, start, modelId, usage, cost, null, streaming: true, firstChunkMs);
        if (reported is null && cost is decimal priced)
        {
            yield return ResponseCost.CreateUpdate(priced);
        }
    }

    private void Record(ChatOptions? options, long start, string? responseModel, UsageDetails? usage, decimal? cost, Exception? error, bool streaming, double? firstChunkMs)
    {
        if (_options.Store is not { } store)
        {
            return;
        }

        string model = _model.ModelOf(options);
        (string Name, int? Version)? prompt = PromptChatOptions.ReadPrompt(options);
        store.RecordModelCall(new ModelCallRecord
        {
            Time = _options.TimeProvider.GetUtcNow(),
            SessionId = RouterChatOptions.Read(options, RouterChatOptions.SessionKey),
            UserKey = RouterChatOptions.Read(options, RouterChatOptions.UserKey),
            PromptName = prompt?.Name,
            PromptVersion = prompt?.Version,
            Provider = _model.Provider,
            Model = model.Contains('/', StringComparison.Ordinal) ? model : $"{_model.Provider}/{responseModel ?? model}",
            LatencyMs = _options.TimeProvider.GetElapsedTime(start).TotalMilliseconds,
            InputTokens = usage?.InputTokenCount,
            OutputTokens = usage?.OutputTokenCount,
            CachedInputTokens = usage?.CachedInputTokenCount,
            ReasoningTokens = usage?.ReasoningTokenCount,
            Cost = cost,
            Status = error is null ? "ok" : error is OperationCanceledException ? "cancelled" : "error",
            Error = error?.GetType().Name,
            Streaming = streaming,
            TimeToFirstTokenMs = streaming ? firstChunkMs : null,
        });
    }
}
