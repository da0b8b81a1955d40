using System.Net.Http.Headers;

namespace Allos.Benchmarks;

/// <summary>
/// Answers every request with bytes recorded from the fake provider server, after serializing the request body:
/// the network drops out, so what remains is the client's own work (building, serializing, parsing).
/// </summary>
internal sealed class CannedResponseHandler(IReadOnlyDictionary<string, (byte[] Body, string ContentType)> responses) : HttpMessageHandler
{
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
