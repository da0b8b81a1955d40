using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Allos.Tests.Tools.BuiltIn;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 and a free port, answering GET requests from a table of canned responses
/// (one connection per request, closed after the answer). HttpListener cannot bind port 0, and this test project has
/// no ASP.NET Core.
/// </summary>
internal sealed class LocalHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, Response> _routes = new(StringComparer.Ordinal);
    private readonly Task _accepting;

    public LocalHttpServer()
    {
        _listener.Start();
        BaseUri = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    public Uri BaseUri { get; }

    public void Map(string path, int status, string? contentType, byte[] body, params (string Name, string Value)[] headers) =>
        _routes[path] = new Response(status, contentType, body, headers);

    public void Map(string path, string contentType, string body) => Map(path, 200, contentType, Encoding.UTF8.GetBytes(body));

    /// <summary>A route that sends its headers and then nothing for <paramref name="delay"/>.</summary>
    public void MapSlow(string path, TimeSpan delay) => _routes[path] = new Response(200, "text/plain", [], [], delay);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                NetworkStream stream = client.GetStream();
                string path = await ReadRequestPathAsync(stream);
                if (!_routes.TryGetValue(path, out Response? response))
                {
                    response = new Response(404, "text/plain", "not found"u8.ToArray(), []);
                }

                var head = new StringBuilder($"HTTP/1.1 {response.Status} {ReasonPhrase(response.Status)}\r\n");
                if (response.ContentType is not null)
                {
                    head.Append("Content-Type: ").Append(response.ContentType).Append("\r\n");
                }

                foreach ((string name, string value) in response.Headers)
                {
                    head.Append(name).Append(": ").Append(value).Append("\r\n");
                }

                if (response.Delay is null)
                {
                    head.Append("Content-Length: ").Append(response.Body.Length).Append("\r\n");
                }

                head.Append("Connection: close\r\n\r\n");
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), _stop.Token);
                if (response.Delay is { } delay)
                {
                    await stream.FlushAsync(_stop.Token);
                    await Task.Delay(delay, _stop.Token);
                }

                await stream.WriteAsync(response.Body, _stop.Token);
            }
            catch (IOException)
            {
                // The client went away (a size cap or a timeout on its side).
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static async Task<string> ReadRequestPathAsync(NetworkStream stream)
    {
        var request = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            int read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                break;
            }

            request.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        string[] requestLine = request.ToString().Split("\r\n")[0].Split(' ');
        return requestLine.Length > 1 ? requestLine[1] : "/";
    }

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "Status",
    };

    private sealed record Response(int Status, string? ContentType, byte[] Body, (string Name, string Value)[] Headers, TimeSpan? Delay = null);
}
