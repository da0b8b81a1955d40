using System.Net.Http.Headers;
using System.Text;
using Allos.Testing;

namespace Allos.Benchmarks;

/// <summary>
/// Answers every request with bytes recorded from the fake provider server, after serializing the request body:
/// the network drops out, so what remains is the client's own work (building, serializing, parsing).
/// </summary>
internal sealed class CannedResponseHandler(IReadOnlyDictionary<string, (byte[] Body, string ContentType)> responses) : HttpMessageHandler
{
    /// <summary>Sends each request body (OpenAI or Anthropic, whole or streaming) to a fake server once and keeps its answer.</summary>
    public static async Task<CannedResponseHandler> RecordAsync(params string[] bodies)
    {
        var recorded = new Dictionary<string, (byte[], string)>();
        await using FakeProviderServer server = await FakeProviderServer.StartAsync();
        server.FallbackTurn = FakeServerProcess.Turn();
        server.StreamEndDelay = TimeSpan.Zero;
        using var http = new HttpClient();
        foreach (string body in bodies)
        {
            string path = body.Contains("\"max_tokens\"", StringComparison.Ordinal) ? "/v1/messages" : "/v1/chat/completions";
            using HttpResponseMessage response = await http.PostAsync(new Uri(server.BaseUri, path.TrimStart('/')), new StringContent(body, Encoding.UTF8, "application/json"));
            string kind = body.Contains("\"stream\":true", StringComparison.Ordinal) ? "stream" : "whole";
            recorded[$"{path}|{kind}"] = (await response.Content.ReadAsByteArrayAsync(), response.Content.Headers.ContentType!.ToString());
        }

        return new CannedResponseHandler(recorded);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        byte[] sent = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
        bool stream = sent.AsSpan().IndexOf("\"stream\":true"u8) >= 0;
        string key = $"{request.RequestUri!.AbsolutePath}|{(stream ? "stream" : "whole")}";
        (byte[] body, string contentType) = responses[key];
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = content, RequestMessage = request };
    }
}
