using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Allos.Providers;
using Allos.Testing.Formats;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Allos.Testing;

/// <summary>
/// A scripted model provider over real HTTP on 127.0.0.1: it speaks the OpenAI, Anthropic, Gemini, Ollama, Cohere and Bedrock wire
/// formats (JSON and streaming, their embeddings endpoints and the Anthropic and Gemini token counts) and Vertex AI's paths
/// for Gemini and Claude (with a fake OAuth <see cref="TokenEndpoint"/>), answers each request with the next queued
/// <see cref="FakeTurn"/>, and records every request.
/// </summary>
/// <example>
/// <code>
/// await using var server = await FakeProviderServer.StartAsync();
/// server.Enqueue(FakeTurn.Text("Hello!").WithUsage(10, 2));
/// IChatClient chat = server.CreateClient("anthropic/claude-sonnet-4-5");
/// ChatResponse reply = await chat.GetResponseAsync("Hi");
/// Assert.Equal("Hello!", reply.Text);
/// Assert.Equal("/v1/messages", server.Requests[0].Path);
/// </code>
/// </example>
/// <remarks>Thread-safe. When the queue is empty, requests fail with HTTP 500 and a message saying so.</remarks>
public sealed class FakeProviderServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeTurn> _turns = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly Lock _requestsLock = new();
    private readonly ConcurrentQueue<(int Status, string Body)> _tokenErrors = new();
    private int _tokenRequests;
    private readonly Dictionary<FakeWireFormat, IFakeFormat> _formats = new()
    {
        [FakeWireFormat.OpenAI] = new OpenAIFakeFormat(),
        [FakeWireFormat.Anthropic] = new AnthropicFakeFormat(),
        [FakeWireFormat.Gemini] = new GeminiFakeFormat(),
        [FakeWireFormat.Ollama] = new OllamaFakeFormat(),
        [FakeWireFormat.Cohere] = new CohereFakeFormat(),
        [FakeWireFormat.Bedrock] = new BedrockFakeFormat(),
    };

    private FakeProviderServer(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    /// <summary>Gets the server's root, <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>Gets the base URL for OpenAI-style clients (<c>…/v1</c>), as <c>OPENAI_BASE_URL</c> expects.</summary>
    public Uri OpenAIEndpoint => new(BaseUri, "v1");

    /// <summary>Gets every request received so far, in order.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requestsLock)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Gets the number of queued turns not yet consumed.</summary>
    public int RemainingTurns => _turns.Count;

    /// <summary>
    /// Gets or sets the turn used for every request once the queue is empty (for load tests and benchmarks);
    /// <see langword="null"/> (the default) makes such requests fail with HTTP 500.
    /// </summary>
    public FakeTurn? FallbackTurn { get; set; }

    /// <summary>
    /// Gets or sets the pause between a stream's last event and the end of its body. Default: 30 ms, as real servers end
    /// a chunked body in a write of their own, so clients that stop reading at the terminator meet that case.
    /// </summary>
    public TimeSpan StreamEndDelay { get; set; } = TimeSpan.FromMilliseconds(30);

    /// <summary>Gets or sets a value indicating whether requests are recorded in <see cref="Requests"/>. Default: true; turn it off for load tests.</summary>
    public bool RecordRequests { get; set; } = true;

    /// <summary>
    /// Gets the fake OAuth token endpoint (<c>…/token</c>): point a service account file's <c>token_uri</c>, <c>VERTEX_TOKEN_URL</c>
    /// or <c>ChatClientOptions.TokenEndpoint</c> here. It checks the JWT-bearer grant (and <see cref="TokenSigningKey"/>'s
    /// signature, if set) or the refresh-token grant, and issues <see cref="VertexAccessToken"/> for <see cref="TokenLifetime"/>.
    /// </summary>
    public Uri TokenEndpoint => new(BaseUri, "token");

    /// <summary>
    /// Gets or sets the access token the Vertex AI paths (<c>…/projects/…/publishers/…</c>) require as <c>Authorization: Bearer</c>,
    /// and that <see cref="TokenEndpoint"/> issues. Default: <see langword="null"/>: any Bearer token is accepted, and <c>fake-access-token</c> is issued.
    /// </summary>
    public string? VertexAccessToken { get; set; }

    /// <summary>Gets or sets the key whose RS256 signature <see cref="TokenEndpoint"/> requires on JWT-bearer assertions. Default: <see langword="null"/> (the signature is not checked).</summary>
    public System.Security.Cryptography.RSA? TokenSigningKey { get; set; }

    /// <summary>Gets or sets the <c>expires_in</c> of issued tokens. Default: one hour.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets the number of requests <see cref="TokenEndpoint"/> has received.</summary>
    public int TokenRequestCount => _tokenRequests;

    /// <summary>Starts a server on a free port of 127.0.0.1.</summary>
    public static async Task<FakeProviderServer> StartAsync(CancellationToken cancellationToken = default)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        FakeProviderServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new FakeProviderServer(app, new Uri(address.TrimEnd('/') + "/"));
        return server;
    }

    /// <summary>Queues turns; each request consumes the oldest.</summary>
    public FakeProviderServer Enqueue(params FakeTurn[] turns)
    {
        ArgumentNullException.ThrowIfNull(turns);
        foreach (FakeTurn turn in turns)
        {
            _turns.Enqueue(turn);
        }

        return this;
    }

    /// <summary>Makes the next request to <see cref="TokenEndpoint"/> fail with this status and body (for example <c>{"error":"invalid_grant"}</c>).</summary>
    public FakeProviderServer EnqueueTokenError(int status, string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        _tokenErrors.Enqueue((status, body));
        return this;
    }

    /// <summary>Returns the endpoint a provider's client should use to reach this server.</summary>
    /// <param name="provider">A provider name (<c>openai</c>, <c>groq</c>, <c>azure</c>, <c>anthropic</c>, <c>gemini</c>, <c>ollama</c>, <c>cohere</c>, <c>bedrock</c>, …).</param>
    public Uri EndpointFor(string provider) => provider switch
    {
        "anthropic" or "gemini" or "ollama" or "cohere" or "bedrock" or "azure" or "vertex" => BaseUri,
        _ => OpenAIEndpoint,
    };

    /// <summary>Creates an Allos client for <paramref name="modelId"/> pointed at this server.</summary>
    public IChatClient CreateClient(string modelId, string apiKey = "test-key", ChatClientOptions? options = null)
    {
        options ??= new ChatClientOptions();
        options.ApiKey ??= apiKey;
        string provider = ProviderRegistry.Default.Resolve(modelId).Provider;
        options.Endpoint ??= EndpointFor(provider);
        if (provider == "vertex")
        {
            // The key is the access token there; the project is any.
            options.Project ??= "fake-project";
        }

        return ChatClients.Create(modelId, options);
    }

    /// <summary>Creates an Allos embedding generator for <paramref name="modelId"/> pointed at this server.</summary>
    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(string modelId, string apiKey = "test-key", ChatClientOptions? options = null)
    {
        options ??= new ChatClientOptions();
        options.ApiKey ??= apiKey;
        options.Endpoint ??= EndpointFor(ProviderRegistry.Default.Resolve(modelId).Provider);
        return EmbeddingGenerators.Create(modelId, options);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext context)
    {
        HttpRequest request = context.Request;
        string body;
        using (var reader = new StreamReader(request.Body))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        }

        string path = request.Path.Value ?? "/";
        if (HttpMethods.IsPost(request.Method) && path == "/token")
        {
            Interlocked.Increment(ref _tokenRequests);
            await FakeTokenEndpoint.WriteAsync(context, body, VertexAccessToken ?? "fake-access-token", TokenLifetime, TokenSigningKey,
                _tokenErrors.TryDequeue(out (int, string) scripted) ? scripted : null).ConfigureAwait(false);
            return;
        }

        if (!FakeRoute.TryMatch(request.Method, path, out FakeWireFormat format, out string? pathModel, out bool pathStreams, out bool embeddings, out bool counting))
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsync($"FakeProviderServer: no endpoint for {request.Method} {path}", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        JsonElement json = ParseBody(body);
        bool streaming = !embeddings && !counting && format switch
        {
            FakeWireFormat.Gemini or FakeWireFormat.Bedrock => pathStreams,
            FakeWireFormat.Anthropic when FakeRoute.IsVertex(path) => pathStreams,
            FakeWireFormat.Ollama => !(json.ValueKind == JsonValueKind.Object && json.TryGetProperty("stream", out JsonElement s) && s.ValueKind == JsonValueKind.False),
            _ => json.ValueKind == JsonValueKind.Object && json.TryGetProperty("stream", out JsonElement s) && s.ValueKind == JsonValueKind.True,
        };

        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var recorded = new RecordedRequest(request.Method, path, request.QueryString.Value ?? "", headers, body, json, format, streaming)
        {
            ConnectionId = context.Connection.Id,
        };
        if (RecordRequests)
        {
            lock (_requestsLock)
            {
                _requests.Add(recorded);
            }
        }

        IFakeFormat renderer = _formats[format];
        if (FakeRoute.IsVertex(path) && !HasVertexToken(headers))
        {
            // Vertex AI's answer to a missing or wrong token, in Google's shape for both publishers.
            context.Response.StatusCode = 401;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(_formats[FakeWireFormat.Gemini].ErrorBody(401,
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.", "UNAUTHENTICATED"),
                context.RequestAborted).ConfigureAwait(false);
            return;
        }

        if (!_turns.TryDequeue(out FakeTurn? turn) && (turn = FallbackTurn) is null)
        {
            context.Response.StatusCode = 500;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(
                renderer.ErrorBody(500, $"FakeProviderServer has no scripted turn left for {request.Method} {path}. Enqueue one more FakeTurn.", null),
                context.RequestAborted).ConfigureAwait(false);
            return;
        }

        foreach (KeyValuePair<string, string> header in turn.Headers)
        {
            context.Response.Headers[header.Key] = header.Value;
        }

        string model = pathModel
            ?? (json.ValueKind == JsonValueKind.Object && json.TryGetProperty("model", out JsonElement m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "fake-model");
        var exchange = new FakeExchange(context, turn, recorded, model, streaming);
        try
        {
            if (turn.RawChunks is { } chunks)
            {
                await exchange.StartStreamAsync(turn.RawContentType ?? "text/event-stream").ConfigureAwait(false);
                foreach (string chunk in chunks)
                {
                    await exchange.ChunkAsync(chunk).ConfigureAwait(false);
                }
            }
            else if (turn.RawByteChunks is { } byteChunks)
            {
                await exchange.StartStreamAsync(turn.RawContentType ?? FakeEventStream.ContentType).ConfigureAwait(false);
                foreach (byte[] chunk in byteChunks)
                {
                    await exchange.ChunkAsync(chunk).ConfigureAwait(false);
                }
            }
            else if (turn.CountedTokens is long counted)
            {
                await (counting
                    ? exchange.WriteBodyAsync(format == FakeWireFormat.Gemini ? $"{{\"totalTokens\":{counted}}}" : $"{{\"input_tokens\":{counted}}}", 200)
                    : exchange.WriteBodyAsync(renderer.ErrorBody(500, $"FakeProviderServer: a FakeTurn.TokenCount turn met {request.Method} {path}, which is not a token count.", null), 500)).ConfigureAwait(false);
            }
            else if (turn.ErrorStatus is int status)
            {
                renderer.AddErrorHeaders(context.Response, status, turn.ErrorType, turn.ErrorBody is not null);
                await exchange.WriteBodyAsync(turn.ErrorBody ?? renderer.ErrorBody(status, turn.ErrorMessage ?? "error", turn.ErrorType), status).ConfigureAwait(false);
            }
            else if (embeddings)
            {
                await EmbeddingsFakeFormat.WriteAsync(exchange, format, renderer).ConfigureAwait(false);
            }
            else
            {
                await renderer.WriteAsync(exchange).ConfigureAwait(false);
            }

            if ((streaming || turn.RawChunks is not null || turn.RawByteChunks is not null) && context.Response.HasStarted && !exchange.Stopped && StreamEndDelay > TimeSpan.Zero)
            {
                // Real servers end a chunked body in a write of its own, after the terminator event; pausing here makes
                // clients that stop reading at the terminator meet that too.
                await Task.Delay(StreamEndDelay, context.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            recorded.ClientDisconnected = true;
        }
    }

    private bool HasVertexToken(IReadOnlyDictionary<string, string> headers) =>
        headers.TryGetValue("Authorization", out string? authorization) && authorization.StartsWith("Bearer ", StringComparison.Ordinal)
        && authorization.Length > "Bearer ".Length && (VertexAccessToken is null || authorization["Bearer ".Length..] == VertexAccessToken);

    private static JsonElement ParseBody(string body)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(string.IsNullOrWhiteSpace(body) ? "null" : body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return default;
        }
    }
}
