using System.Globalization;
using System.Net;
using System.Reflection;
using Allos.Tools;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Allos.Mcp;

/// <summary>
/// One MCP server, started on first use and kept for the run: its client, its cached tool list (dropped when the server
/// sends <c>notifications/tools/list_changed</c>), a timeout on every request, and one restart of a stdio server that
/// exited. Thread-safe.
/// </summary>
internal sealed class McpServerConnection(McpServerOptions options, ILoggerFactory? loggerFactory, Func<string?>? root = null, Func<McpSamplingOptions?>? sampling = null) : IAsyncDisposable
{
    /// <summary>A stdio server that exits is started again once; after a second exit its calls fail.</summary>
    private const int MaxStarts = 2;

    /// <summary>The protocol versions with the <c>initialize</c> handshake and Streamable HTTP, newest first, for servers that cannot answer <c>server/discover</c>.</summary>
    private static readonly string[] InitializeProtocolVersions = ["2025-11-25", "2025-06-18", "2025-03-26"];

    private static readonly string Version = typeof(McpServerConnection).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly StderrTail _stderr = new();
    private McpClient? _client;
    private IAsyncDisposable? _listChanged;
    private IList<McpClientTool>? _tools;
    private volatile bool _toolsStale;
    private int _starts;
    private bool _disposed;

    public McpServerOptions Options { get; } = options;

    public string Name => Options.Name;

    /// <summary>Gets how many times the server was started (a restart after an exit counts).</summary>
    public int Starts => Volatile.Read(ref _starts);

    /// <summary>Returns the server's tools, from the cache unless the server said they changed; starts the server if needed.</summary>
    /// <exception cref="McpServerException">The server could not be started or did not list its tools in time; the message names it and says why.</exception>
    public async Task<IList<McpClientTool>> ListToolsAsync(CancellationToken cancellationToken)
    {
        McpClient client = await ClientAsync(cancellationToken).ConfigureAwait(false);
        if (_tools is { } cached && !_toolsStale)
        {
            return cached;
        }

        using var deadline = Deadline(cancellationToken, out CancellationToken token);
        try
        {
            _toolsStale = false;
            try
            {
                return _tools = await client.ListToolsAsync(cancellationToken: token).ConfigureAwait(false);
            }
            catch (HttpRequestException ex) when (SessionExpired(ex))
            {
                client = await RenewSessionAsync(client, token).ConfigureAwait(false);
                return _tools = await client.ListToolsAsync(cancellationToken: token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException ex)
        {
            throw new McpServerException(Name, $"MCP server '{Name}' did not list its tools within {Seconds()} (timeout: in its configuration).", ex);
        }
        catch (Exception ex) when (ex is McpException or IOException or InvalidOperationException or HttpRequestException)
        {
            throw new McpServerException(Name, $"MCP server '{Name}' could not list its tools: {ex.Message}{Tail(client)}", ex);
        }
    }

    /// <summary>Calls one tool. Failures the model should read (a timeout, an exit, a refusal) are <see cref="ToolException"/>s naming the server.</summary>
    /// <remarks>
    /// With <paramref name="progress"/>, the request carries a progress token and the server's <c>notifications/progress</c>
    /// reach it. Cancelling the call (the caller's token or the timeout) makes the SDK send <c>notifications/cancelled</c>
    /// for the request, so the server can stop the work too.
    /// </remarks>
    public async Task<CallToolResult> CallToolAsync(string tool, IReadOnlyDictionary<string, object?> arguments, IProgress<ToolProgress>? progress, CancellationToken cancellationToken)
    {
        try
        {
            return await SendAsync(
                new Purpose(
                    $"the call of '{tool}'",
                    $"so '{tool}' was not run",
                    $"did not answer '{tool}' within {Seconds()} and the call was abandoned",
                    $"refused the call of '{tool}'",
                    "; the call may not have run"),
                (client, token) => client.CallToolAsync(tool, arguments, progress is null ? null : new ProgressRelay(progress), cancellationToken: token),
                cancellationToken).ConfigureAwait(false);
        }
        catch (McpServerException ex)
        {
            throw new ToolException(ex.Message, ex);
        }
    }

    /// <summary>Returns what the server offers besides tools (resources, prompts); starts the server if needed.</summary>
    /// <exception cref="McpServerException">The server could not be started.</exception>
    public async Task<ServerCapabilities> CapabilitiesAsync(CancellationToken cancellationToken) =>
        (await ClientAsync(cancellationToken).ConfigureAwait(false)).ServerCapabilities;

    /// <summary>
    /// Sends one request that is not a tool call (resources, prompts) with the server's timeout; <paramref name="what"/>
    /// says what it was for in messages ("read 'demo://x'").
    /// </summary>
    /// <exception cref="McpServerException">The server could not be started, timed out, exited or refused; the message names it and says why.</exception>
    public Task<T> RequestAsync<T>(string what, Func<McpClient, CancellationToken, ValueTask<T>> request, CancellationToken cancellationToken) =>
        SendAsync(
            new Purpose(
                $"the request to {what}",
                "so the request was not sent",
                $"did not answer the request to {what} within {Seconds()}",
                $"could not {what}",
                ""),
            request,
            cancellationToken);

    /// <summary>
    /// The one request path: starts the server if needed, applies the timeout, initializes a new HTTP session once when
    /// the server says the old one expired (a 404 means it did not handle the request, so sending it again is safe), and
    /// turns every failure into an <see cref="McpServerException"/> worded by <paramref name="purpose"/>.
    /// </summary>
    private async Task<T> SendAsync<T>(Purpose purpose, Func<McpClient, CancellationToken, ValueTask<T>> request, CancellationToken cancellationToken)
    {
        McpClient client = await ClientAsync(cancellationToken).ConfigureAwait(false);
        using var deadline = Deadline(cancellationToken, out CancellationToken token);
        try
        {
            try
            {
                return await request(client, token).ConfigureAwait(false);
            }
            catch (HttpRequestException ex) when (SessionExpired(ex))
            {
                client = await RenewSessionAsync(client, token).ConfigureAwait(false);
                return await request(client, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (HttpRequestException ex) when (SessionExpired(ex))
        {
            throw new McpServerException(Name, $"MCP server '{Name}' lost the session again right after it was initialized, {purpose.NotSent}.", ex);
        }
        catch (HttpRequestException ex)
        {
            string status = ex.StatusCode is HttpStatusCode code ? $"HTTP {(int)code} {code}" : "an HTTP error";
            throw new McpServerException(Name, $"MCP server '{Name}' answered {purpose.During} with {status}{purpose.MayHaveRun}.", ex);
        }
        catch (McpServerException)
        {
            throw;
        }
        catch (Exception ex) when (client.Completion.IsCompleted && ex is not McpProtocolException)
        {
            throw new McpServerException(Name, Exited(client, during: purpose.During), ex);
        }
        catch (OperationCanceledException ex)
        {
            throw new McpServerException(Name, $"MCP server '{Name}' {purpose.TimedOut} (timeout: in the server's configuration).", ex);
        }
        catch (McpException ex)
        {
            throw new McpServerException(Name, $"MCP server '{Name}' {purpose.Refused}: {ex.Message}", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            await CloseAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<McpClient> ClientAsync(CancellationToken cancellationToken)
    {
        if (_client is { Completion.IsCompleted: false } running)
        {
            return running;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_client is { } client)
            {
                if (!client.Completion.IsCompleted)
                {
                    return client;
                }

                // It exited: once it is started again, a second time its calls fail and say why.
                if (_starts >= MaxStarts || Options.Url is not null)
                {
                    throw new McpServerException(Name, Exited(client, during: null));
                }

                await CloseAsync().ConfigureAwait(false);
            }

            return _client = await StartAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Whether an HTTP server answered 404 to a request in a session: the Streamable HTTP spec's way of saying the session
    /// expired (or the server restarted) and the client must initialize a new one.
    /// </summary>
    private bool SessionExpired(HttpRequestException ex) => Options.Url is not null && ex.StatusCode == HttpStatusCode.NotFound;

    /// <summary>Replaces an HTTP client whose session expired by a newly initialized one (unless another call already did).</summary>
    private async Task<McpClient> RenewSessionAsync(McpClient expired, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_client is { } current && current != expired && !current.Completion.IsCompleted)
            {
                return current;
            }

            await CloseAsync().ConfigureAwait(false);
            return _client = await StartAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<McpClient> StartAsync(CancellationToken cancellationToken)
    {
        _starts++;
        using var deadline = Deadline(cancellationToken, out CancellationToken token);
        try
        {
            McpClient client;
            try
            {
                client = await CreateClientAsync(protocolVersion: null, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (Options.Url is not null && ex is not OperationCanceledException && MalformedDiscover(ex))
            {
                // The SDK first probes with server/discover (protocol 2026-07-28); a server from before it that answers an
                // unknown method with an empty result makes the probe fail instead of falling back. Such a server speaks initialize.
                client = await InitializeAsync(token).ConfigureAwait(false);
            }

            _listChanged = client.RegisterNotificationHandler(NotificationMethods.ToolListChangedNotification, (_, _) =>
            {
                _toolsStale = true;
                return ValueTask.CompletedTask;
            });
            _tools = null;
            return client;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException ex)
        {
            throw new McpServerException(Name, $"MCP server '{Name}' did not start within {Seconds()} (timeout: in its configuration).{StderrText()}", ex);
        }
        catch (Exception ex)
        {
            throw new McpServerException(Name, $"MCP server '{Name}' failed to start: {Reason(ex)}.{StderrText()}", ex);
        }
    }

    /// <summary>
    /// Connects with the <c>initialize</c> handshake, newest version first: a pinned version is never downgraded by the
    /// SDK, so a server that answers with an older one is connected again asking for the next older.
    /// </summary>
    private async Task<McpClient> InitializeAsync(CancellationToken cancellationToken)
    {
        for (int i = 0; ; i++)
        {
            try
            {
                return await CreateClientAsync(InitializeProtocolVersions[i], cancellationToken).ConfigureAwait(false);
            }
            catch (McpException ex) when (i < InitializeProtocolVersions.Length - 1 && ex.Message.Contains("protocol version", StringComparison.OrdinalIgnoreCase))
            {
                // The server speaks an older version; the next attempt asks for it.
            }
        }
    }

    private async Task<McpClient> CreateClientAsync(string? protocolVersion, CancellationToken cancellationToken)
    {
        IClientTransport transport = Options.Url is { } url
            ? new HttpClientTransport(new HttpClientTransportOptions
            {
                Endpoint = url,
                Name = Name,
                AdditionalHeaders = new Dictionary<string, string>(Options.Headers),
                ConnectionTimeout = Options.Timeout,
            }, loggerFactory)
            : new StdioClientTransport(new StdioClientTransportOptions
            {
                Name = Name,
                Command = Options.Command!,
                Arguments = [.. Options.Arguments],
                EnvironmentVariables = Options.Environment.ToDictionary(pair => pair.Key, pair => (string?)pair.Value, StringComparer.Ordinal),
                WorkingDirectory = Options.WorkingDirectory,
                StandardErrorLines = _stderr.Add,
            }, loggerFactory);

        string? folder = root?.Invoke();

        // Without a sampling client, or for a server denied it, the capability is not offered at all.
        McpSamplingHandler? sampler = sampling?.Invoke() is not null && Options.Sampling != ToolPermission.Deny ? new McpSamplingHandler(Options, sampling!) : null;
        return await McpClient.CreateAsync(transport, new McpClientOptions
        {
            ClientInfo = new Implementation { Name = "allos", Version = Version },
            ProtocolVersion = protocolVersion,
            InitializationTimeout = Options.Timeout,
#pragma warning disable MCP9005 // Roots and sampling are deprecated from protocol 2026-07-28, but servers on earlier versions still use them.
            Capabilities = folder is null && sampler is null ? null : new ClientCapabilities
            {
                Roots = folder is null ? null : new RootsCapability { ListChanged = false },
                Sampling = sampler is null ? null : new SamplingCapability(),
            },
            Handlers = new McpClientHandlers
            {
                RootsHandler = folder is null ? null : (_, _) => ValueTask.FromResult(McpRoots.Of(folder)),
                SamplingHandler = sampler is null ? null : sampler.HandleAsync,
            },
#pragma warning restore MCP9005
        }, loggerFactory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether the connection failed on a <c>server/discover</c> answer that is not a discover result (a JSON error about it).</summary>
    private static bool MalformedDiscover(Exception ex)
    {
        for (Exception? inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Text.Json.JsonException && inner.Message.Contains(nameof(DiscoverResult), StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private async Task CloseAsync()
    {
        if (_listChanged is { } registration)
        {
            await registration.DisposeAsync().ConfigureAwait(false);
            _listChanged = null;
        }

        if (_client is { } client)
        {
            _client = null;
            try
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or McpException or OperationCanceledException)
            {
                // Closing a server that already exited; nothing is left to clean up.
            }
        }
    }

    private string Exited(McpClient client, string? during)
    {
        int? code = client.Completion.IsCompletedSuccessfully && client.Completion.Result is StdioClientCompletionDetails stdio ? stdio.ExitCode : null;
        string how = Options.Url is not null ? "closed the connection" : code is int exit ? $"exited with code {exit.ToString(CultureInfo.InvariantCulture)}" : "exited";
        string what = during is null ? "" : $" during {during}";
        string next = Options.Url is not null ? "" : _starts < MaxStarts ? " It is started again for the next call." : " It was already restarted once and is not started again in this run.";
        return $"MCP server '{Name}' {how}{what}.{next}{Tail(client)}";
    }

    private string Tail(McpClient client) => Options.Url is null ? StderrText() : "";

    private string StderrText() => Options.Url is null ? _stderr.Describe() : "";

    private static string Reason(Exception ex)
    {
        // The transport wraps what went wrong (a missing program, a refused connection); the innermost says it plainly.
        Exception inner = ex;
        while (inner.InnerException is not null && inner is not System.ComponentModel.Win32Exception)
        {
            inner = inner.InnerException;
        }

        string message = inner == ex ? ex.Message : $"{ex.Message.TrimEnd('.')} ({inner.Message.TrimEnd('.')})";
        return message.TrimEnd('.');
    }

    private string Seconds() => $"{Options.Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s";

    private CancellationTokenSource Deadline(CancellationToken cancellationToken, out CancellationToken token)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(Options.Timeout);
        token = source.Token;
        return source;
    }

    /// <summary>The wording of one kind of request in failure messages: each part completes "MCP server 'x' …".</summary>
    private sealed record Purpose(string During, string NotSent, string TimedOut, string Refused, string MayHaveRun);
}
