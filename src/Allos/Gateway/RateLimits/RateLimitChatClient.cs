using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Allos.Gateway;

/// <summary>Keeps calls to one deployment within its requests and tokens per minute, queueing them for a while when it is full.</summary>
internal sealed class RateLimitChatClient : DelegatingChatClient
{
    private readonly DeploymentRateLimiter _limiter;
    private readonly RateLimitOptions _options;
    private readonly AnsweringModel _model;
    private readonly bool _countsTokens;

    public RateLimitChatClient(IChatClient inner, RateLimitOptions options)
        : base(inner)
    {
        if (options.RequestsPerMinute is < 1 || options.TokensPerMinute is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "RequestsPerMinute and TokensPerMinute must be positive when set.");
        }

        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(options.TimeProvider));
        ArgumentNullException.ThrowIfNull(options.Models, nameof(options.Models));
        _options = options;
        _limiter = new DeploymentRateLimiter(options.RequestsPerMinute, options.TokensPerMinute, options.Window, options.TimeProvider);
        _model = new AnsweringModel(inner, options.Models);

        // Without a token limit nothing needs the request's size: the estimate is skipped.
        _countsTokens = options.TokensPerMinute is not null;
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        long input = Input(messages, options);
        RateLimitTicket ticket = await AcquireAsync(Allowance(input, options), cancellationToken).ConfigureAwait(false);
        UsageDetails? usage = null;
        try
        {
            ChatResponse response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            usage = response.Usage;
            return response;
        }
        finally
        {
            _limiter.Reconcile(ticket, Used(usage, input));
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long input = Input(messages, options);
        RateLimitTicket ticket = await AcquireAsync(Allowance(input, options), cancellationToken).ConfigureAwait(false);
        UsageDetails? usage = null;
        try
        {
            await foreach (ChatResponseUpdate update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                usage = UsageOf(update, usage);
                yield return update;
            }
        }
        finally
        {
            _limiter.Reconcile(ticket, Used(usage, input));
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _limiter.Dispose();
        }

        base.Dispose(disposing);
    }

    internal static UsageDetails? UsageOf(ChatResponseUpdate update, UsageDetails? usage)
    {
        IList<AIContent> contents = update.Contents;
        for (int i = 0; i < contents.Count; i++)
        {
            if (contents[i] is UsageContent part)
            {
                usage ??= new UsageDetails();
                usage.Add(part.Details);
            }
        }

        return usage;
    }

    // Without usage (a failed call) the input is taken as sent and no output as produced, as the Router counts it.
    private static long Used(UsageDetails? usage, long input) =>
        usage is null ? input : usage.TotalTokenCount ?? ((usage.InputTokenCount ?? 0) + (usage.OutputTokenCount ?? 0));

    private long Input(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return _countsTokens ? InputTokenEstimate.Of(messages, options) : 0;
    }

    private long Allowance(long input, ChatOptions? options) =>
        _countsTokens ? input + (options?.MaxOutputTokens ?? _model.InfoOf(options).MaxOutputTokens) : 0;

    private async ValueTask<RateLimitTicket> AcquireAsync(long tokens, CancellationToken cancellationToken)
    {
        RateLimitTicket ticket = _limiter.TryAcquire(tokens);
        if (!ticket.Acquired && _options.QueueTimeout > TimeSpan.Zero)
        {
            using var wait = new TimeoutScope(_options.QueueTimeout, _options.TimeProvider, cancellationToken);
            try
            {
                ticket = await _limiter.AcquireAsync(tokens, wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                ticket = _limiter.TryAcquire(tokens);
            }
        }

        if (!ticket.Acquired)
        {
            string limits = string.Join(" and ", new[]
            {
                _options.RequestsPerMinute is int rpm ? $"{rpm} requests" : null,
                _options.TokensPerMinute is int tpm ? $"{tpm} tokens" : null,
            }.Where(limit => limit is not null));
            throw new RateLimitException(_model.Provider,
                $"The deployment is at its limit of {limits} per minute. Raise RateLimitOptions' limits or QueueTimeout, or add deployments behind a Router.",
                ticket.RetryAfter, errorCode: "allos_rate_limited");
        }

        return ticket;
    }
}
