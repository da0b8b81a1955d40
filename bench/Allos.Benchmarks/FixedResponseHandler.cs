using System.Net.Http.Headers;

namespace Allos.Benchmarks;

/// <summary>
/// Answers every request with the same bytes after writing the request body into <see cref="Stream.Null"/>: the body is
/// serialized as it would be for a socket (so building and sending it counts), but the handler itself allocates nothing
/// per byte, so the figures are the client's own.
/// </summary>
internal sealed class FixedResponseHandler(byte[] body, string contentType) : HttpMessageHandler
{
    private readonly MediaTypeHeaderValue _contentType = MediaTypeHeaderValue.Parse(contentType);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is { } sent)
        {
            await sent.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        }

        var content = new ByteArrayContent(body);
        content.Headers.ContentType = _contentType;
        return new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = content, RequestMessage = request };
    }
}
