using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Allos.Providers.Http;
using Allos.Providers.Streaming;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Allos.Providers;

/// <summary>
/// What every built-in codec shares: posting a JSON body, reading a JSON answer or a stream under the call's clock,
/// headers, metadata. A codec supplies the URL, its authentication headers and its mapping of requests and responses.
/// </summary>
internal abstract class ProviderChatClient : IChatClient
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(1);

    private readonly ChatClientMetadata _metadata;
    private readonly ILogger _logger;
    private readonly string _host;

    protected ProviderChatClient(ProviderSettings settings, Func<int, string, ProviderError> parseError)
        : this(settings, (status, _, body) => parseError(status, body))
    {
    }

    /// <summary>For a codec that reads the error kind from the response headers too (Bedrock's <c>x-amzn-ErrorType</c>).</summary>
    protected ProviderChatClient(ProviderSettings settings, Func<int, System.Net.Http.Headers.HttpResponseHeaders, string, ProviderError> parseError)
    {
        Settings = settings;
        Transport = new ProviderTransport(settings.Provider, settings.HttpClient, settings.Options.Timeout, settings.Options.TimeProvider, parseError);
        _metadata = new ChatClientMetadata(settings.Provider, settings.Endpoint, settings.Model);
        _logger = settings.Options.LoggerFactory.CreateLogger<ProviderChatClient>();

        // Every URL a codec posts to is on its endpoint's host; read once, since Uri.Host builds a string each time.
        _host = settings.Endpoint.Host;
    }

    protected ProviderSettings Settings { get; }

    protected ProviderTransport Transport { get; }

    public abstract Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default);

    public abstract IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default);

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType == typeof(Context.IInputTokenCounter) && !CountsTokens ? null
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <summary>Gets a value indicating whether this endpoint counts tokens, for a codec that can on some clouds and not others.</summary>
    protected virtual bool CountsTokens => true;

    public void Dispose()
    {
        // The HttpClient is shared or the caller's; nothing of ours to release.
        GC.SuppressFinalize(this);
    }

    /// <summary>Adds the provider's authentication headers (API key, version pins).</summary>
    protected abstract void Authenticate(HttpRequestMessage request);

    /// <summary>Adds headers a request's options ask for (Anthropic's <c>anthropic-beta</c>); none by default. Runs before the configured headers, which win.</summary>
    protected virtual void AddRequestHeaders(HttpRequestMessage request, ChatOptions? options)
    {
    }

    /// <summary>
    /// Posts <paramref name="body"/>, deserializes the whole answer and maps it with <paramref name="map"/>, under the
    /// call's clock and error mapping: whatever goes wrong on the way, including in the mapping, leaves as an
    /// <see cref="AllosException"/> (or the caller's own cancellation).
    /// </summary>
    protected async Task<ChatResponse> PostAsync<TRequest, TResponse, TState>(Uri url, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType,
        ChatOptions? options, TState state, Func<TResponse, TState, ChatResponse> map, CancellationToken cancellationToken)
        where TResponse : class
    {
        // Outside the error mapping: content Allos cannot send is the caller's error, not the provider's.
        HttpContent content = ProviderTransport.JsonBody(body, requestType);
        HttpRequestMessage request = CreateRequest(url, content, options, streaming: false);
        try
        {
            await AddAccessTokenAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            request.Dispose();
            throw;
        }

        return await Transport.PostJsonAsync(request, responseType, state, map, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Posts <paramref name="body"/> and decodes the streamed answer with <paramref name="decoder"/>, under the call's
    /// clock, the stream idle timeout and the error mapping; the response is disposed (and the connection closed, if
    /// unfinished) when enumeration ends.
    /// </summary>
    protected IAsyncEnumerable<ChatResponseUpdate> PostStreamingAsync<TRequest>(
        Uri url, TRequest body, JsonTypeInfo<TRequest> requestType, ChatOptions? options, StreamDecoder decoder, CancellationToken cancellationToken)
    {
        // Serialized now rather than at the first MoveNextAsync: the messages are written as the body is (see JsonWritable),
        // and content Allos cannot send must fail at the call, as it does for a whole answer.
        HttpContent content = ProviderTransport.JsonBody(body, requestType);
        return StreamAsync(url, content, options, decoder, cancellationToken);
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(
        Uri url, HttpContent content, ChatOptions? options, StreamDecoder decoder, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The only async iterator of a stream: sending, reading, decoding, error translation and cleanup all happen here,
        // since every layer of iterators costs each streamed token a MoveNextAsync.
        using CancellationTokenSource call = Transport.StartCall(cancellationToken);
        using HttpRequestMessage request = CreateRequest(url, content, options, streaming: true);
        HttpResponseMessage response;
        ResponseBodyStream stream;
        try
        {
            await AddAccessTokenAsync(request, call.Token).ConfigureAwait(false);
            response = await Transport.SendAsync(request, call.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (Transport.TryTranslate(ex, cancellationToken, reading: false, body: null, out Exception translated))
        {
            throw translated;
        }

        using (response)
        {
            try
            {
                stream = new ResponseBodyStream(await response.Content.ReadAsStreamAsync(call.Token).ConfigureAwait(false), StreamIdleTimeout(options), Transport.TimeProvider, call);
            }
            catch (Exception ex) when (Transport.TryTranslate(ex, cancellationToken, reading: true, body: null, out Exception translated))
            {
                throw translated;
            }

            await using (stream.ConfigureAwait(false))
            {
                using var reader = new EventStreamReader(decoder, Settings.Provider);
                while (true)
                {
                    ChatResponseUpdate? update;
                    try
                    {
                        // A body that is already buffered is decoded without reads: honour cancellation per event too.
                        call.Token.ThrowIfCancellationRequested();
                        update = reader.Next();
                        while (update is null && reader.NeedsData)
                        {
                            reader.Advance(await stream.ReadAsync(reader.GetReadBuffer(), call.Token).ConfigureAwait(false));
                            update = reader.Next();
                        }
                    }
                    catch (Exception ex) when (Transport.TryTranslate(ex, cancellationToken, reading: true, stream, out Exception translated))
                    {
                        throw translated;
                    }

                    if (update is null)
                    {
                        break;
                    }

                    yield return update;
                }

                if (!reader.ReachedEndOfBody)
                {
                    await DrainAsync(stream, call.Token, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>The call's stream idle timeout: the per-call option, else the client's.</summary>
    private TimeSpan StreamIdleTimeout(ChatOptions? options) =>
        options?.AdditionalProperties is { Count: > 0 } properties && properties.TryGetValue(ProviderChatOptions.StreamIdleTimeoutKey, out object? value) && value is TimeSpan perCall
            ? perCall
            : Settings.Options.StreamIdleTimeout;

    /// <summary>
    /// Reads what follows the provider's terminator (normally just the end of the chunked body). The shared handler
    /// closes, rather than drains, a response disposed unread (so a cancelled stream stops the provider generating);
    /// reading to the end here keeps a finished stream's connection reusable. Bounded, in case a server lingers.
    /// </summary>
    private static async Task DrainAsync(Stream stream, CancellationToken callToken, CancellationToken cancellationToken)
    {
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(callToken);
        drain.CancelAfter(DrainTimeout);
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(512);
        try
        {
            while (await stream.ReadAsync(buffer, drain.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            // The answer is complete; a connection that will not finish cleanly is simply not reused.
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Sets <c>Authorization: Bearer</c> from the settings' token source, if any; configured headers still win.</summary>
    private async ValueTask AddAccessTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Settings.AccessToken is not { } source || Settings.Options.Headers.ContainsKey("Authorization"))
        {
            return;
        }

        string token = await source.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
    }

    private HttpRequestMessage CreateRequest(Uri url, HttpContent content, ChatOptions? options, bool streaming)
    {
        // The host only: the path and query can carry a key (Gemini's ?key=), and the body is the user's prompt.
        _logger.RequestSent(Settings.Provider, Settings.Model, _host, streaming);
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        Authenticate(request);
        AddRequestHeaders(request, options);
        ProviderTransport.ApplyHeaders(request, Settings.Options.Headers);

        return request;
    }
}
