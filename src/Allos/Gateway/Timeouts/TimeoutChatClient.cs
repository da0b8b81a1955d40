using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Allos.Gateway;

/// <summary>Fails a call that takes longer than its timeout with a transient <see cref="ProviderTimeoutException"/>.</summary>
internal sealed class TimeoutChatClient : DelegatingChatClient
{
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly string _provider;

    public TimeoutChatClient(IChatClient inner, TimeoutOptions options)
        : base(inner)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Timeout, TimeSpan.Zero, nameof(options.Timeout));
        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(options.TimeProvider));
        _timeout = options.Timeout;
        _time = options.TimeProvider;
        _provider = inner.GetService<ChatClientMetadata>()?.ProviderName ?? "unknown";
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = new TimeoutScope(_timeout, _time, cancellationToken);
        try
        {
            return await base.GetResponseAsync(messages, options, scope.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (scope.TimedOut && !cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(ex);
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var scope = new TimeoutScope(_timeout, _time, cancellationToken);
        IAsyncEnumerator<ChatResponseUpdate> stream = base.GetStreamingResponseAsync(messages, options, scope.Token).GetAsyncEnumerator(scope.Token);
        try
        {
            while (true)
            {
                try
                {
                    if (!await stream.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }
                }
                catch (OperationCanceledException ex) when (scope.TimedOut && !cancellationToken.IsCancellationRequested)
                {
                    throw TimedOut(ex);
                }

                yield return stream.Current;
            }
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private ProviderTimeoutException TimedOut(Exception inner) =>
        new(_provider, $"The call did not finish within its timeout of {_timeout}.", errorCode: "allos_timeout", innerException: inner);
}
