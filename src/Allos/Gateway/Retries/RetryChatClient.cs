using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Allos.Gateway;

/// <summary>Retries failed calls with exponential backoff and jitter, honouring a provider's <c>retry-after</c>.</summary>
internal sealed class RetryChatClient : DelegatingChatClient
{
    private readonly RetryOptions _options;

    public RetryChatClient(IChatClient inner, RetryOptions options)
        : base(inner)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRetries, nameof(options.MaxRetries));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Delay, TimeSpan.Zero, nameof(options.Delay));
        ArgumentNullException.ThrowIfNull(options.Randomizer, nameof(options.Randomizer));
        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(options.TimeProvider));
        _options = options;
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (RetryDelay(attempt, ex) is TimeSpan delay)
            {
                await WaitAsync(attempt, ex, delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        IAsyncEnumerator<ChatResponseUpdate>? stream = null;
        bool any = false;
        for (int attempt = 0; stream is null; attempt++)
        {
            IAsyncEnumerator<ChatResponseUpdate> candidate = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                any = await candidate.MoveNextAsync().ConfigureAwait(false);
                stream = candidate;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await candidate.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            catch (Exception ex) when (RetryDelay(attempt, ex) is TimeSpan delay)
            {
                await candidate.DisposeAsync().ConfigureAwait(false);
                await WaitAsync(attempt, ex, delay, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await candidate.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        // Once an update has reached the caller, a retry would repeat it: later failures are the caller's.
        try
        {
            while (any)
            {
                yield return stream.Current;
                any = await stream.MoveNextAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Returns how long to wait before retrying after <paramref name="error"/>, or <see langword="null"/> not to retry.</summary>
    private TimeSpan? RetryDelay(int attempt, Exception error)
    {
        if (attempt >= _options.MaxRetries)
        {
            return null;
        }

        bool retry = _options.ShouldRetry is { } predicate
            ? predicate(new RetryPredicateArguments(attempt, error))
            : FailureKinds.Classify(error) == FailureKind.Transient;
        if (!retry)
        {
            return null;
        }

        if ((error as RateLimitException)?.RetryAfter is TimeSpan retryAfter)
        {
            return retryAfter <= _options.MaxRetryAfter ? retryAfter : null;
        }

        return RetryBackoff.Delay(attempt + 1, _options.Delay, _options.MaxDelay, _options.Randomizer());
    }

    private async Task WaitAsync(int attempt, Exception error, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (_options.OnRetry is { } onRetry)
        {
            await onRetry(new OnRetryArguments(attempt, error, delay, cancellationToken)).ConfigureAwait(false);
        }

        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }
}
