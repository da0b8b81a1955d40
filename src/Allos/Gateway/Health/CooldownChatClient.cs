using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Allos.Gateway;

/// <summary>
/// Refuses calls, without sending them, while its deployment cools down after repeated failures or waits out a provider's
/// <c>retry-after</c>. A refusal is transient: a retry layer outside waits, a router moves on.
/// </summary>
internal sealed class CooldownChatClient : DelegatingChatClient
{
    private readonly DeploymentHealth _health;
    private readonly TimeProvider _time;
    private readonly string _provider;

    public CooldownChatClient(IChatClient inner, CooldownOptions options)
        : base(inner)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.Failures, nameof(options.Failures));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Duration, TimeSpan.Zero, nameof(options.Duration));
        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(options.TimeProvider));
        _health = new DeploymentHealth(options.Failures, options.Window, options.Duration);
        _time = options.TimeProvider;
        _provider = inner.GetService<ChatClientMetadata>()?.ProviderName ?? "unknown";
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        bool probe = Begin();
        try
        {
            ChatResponse response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            _health.Succeeded(probe);
            return response;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _health.Abandoned(probe);
            throw;
        }
        catch (Exception ex)
        {
            Failed(probe, ex);
            throw;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        bool probe = Begin();
        bool ended = false;
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
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    ended = true;
                    Failed(probe, ex);
                    throw;
                }

                yield return stream.Current;
            }

            ended = true;
            _health.Succeeded(probe);
        }
        finally
        {
            if (!ended)
            {
                // The caller stopped reading or cancelled: neither a success nor the deployment's failure.
                _health.Abandoned(probe);
            }

            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private bool Begin()
    {
        long now = _time.GetUtcNow().UtcTicks;
        long until = _health.UnavailableUntil(now, out bool retryAfter);
        if (until == 0)
        {
            return _health.Begin(now);
        }

        if (until == long.MaxValue)
        {
            throw new ProviderOverloadedException(_provider,
                "The deployment is being probed after a cooldown; other calls wait until the probe succeeds.", errorCode: "allos_cooldown");
        }

        TimeSpan wait = TimeSpan.FromTicks(until - now);
        string why = retryAfter ? "the provider asked for a pause (retry-after)" : $"it failed repeatedly and cools down for {_health.Duration}";
        throw new RateLimitException(_provider, $"The deployment takes no calls for another {wait.TotalSeconds:0.#} s: {why}.", wait, errorCode: "allos_cooldown");
    }

    private void Failed(bool probe, Exception error)
    {
        FailureKind kind = FailureKinds.Classify(error);
        _health.Failed(probe, _time.GetUtcNow().UtcTicks, kind is FailureKind.Transient or FailureKind.Deployment, (error as RateLimitException)?.RetryAfter);
    }
}
