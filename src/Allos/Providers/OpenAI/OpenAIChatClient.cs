using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Allos.Providers.Http;
using Microsoft.Extensions.AI;

namespace Allos.Providers.OpenAI;

/// <summary>Chat Completions over HTTP, for api.openai.com, Azure OpenAI and every OpenAI-compatible server.</summary>
internal sealed class OpenAIChatClient : IChatClient
{
    private readonly ProviderSettings _settings;
    private readonly OpenAIDialect _dialect;
    private readonly ProviderTransport _transport;
    private readonly Uri _url;
    private readonly ChatClientMetadata _metadata;

    public OpenAIChatClient(ProviderSettings settings, OpenAIDialect dialect)
    {
        _settings = settings;
        _dialect = dialect;
        _transport = new ProviderTransport(settings.Provider, settings.HttpClient, settings.Options.Timeout, settings.Options.TimeProvider, OpenAIErrorParser.Parse);
        _url = dialect.IsAzure ? AzureUrl(settings, dialect.AzureApiVersion!) : settings.Combine("chat/completions");
        _metadata = new ChatClientMetadata(settings.Provider, settings.Endpoint, settings.Model);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        OpenAIRequest body = OpenAIRequestBuilder.Build(messages, options, _settings.Model, _dialect, stream: false);
        return await _transport.GuardAsync(async token =>
        {
            using HttpRequestMessage request = CreateRequest(body);
            using HttpResponseMessage response = await _transport.SendAsync(request, token).ConfigureAwait(false);
            using Stream stream = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
            OpenAIResponse parsed = await JsonSerializer.DeserializeAsync(stream, OpenAIJsonContext.Default.OpenAIResponse, token).ConfigureAwait(false)
                ?? throw new JsonException("The response body was empty.");
            return OpenAIResponseParser.ToChatResponse(parsed, _settings.Provider);
        }, cancellationToken).ConfigureAwait(false);
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        OpenAIRequest body = OpenAIRequestBuilder.Build(messages, options, _settings.Model, _dialect, stream: true);
        return _transport.GuardStreamAsync(token => StreamAsync(body, token), cancellationToken);
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        // The HttpClient is shared or the caller's; nothing of ours to release.
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAsync(OpenAIRequest body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using HttpRequestMessage request = CreateRequest(body);
        using HttpResponseMessage response = await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        using Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);

        var assembler = new OpenAIStreamAssembler(_settings.Provider);
        SseParser<OpenAIResponse?> parser = SseParser.Create(stream, static (_, data) =>
            data.SequenceEqual("[DONE]"u8) ? null : JsonSerializer.Deserialize(data, OpenAIJsonContext.Default.OpenAIResponse));

        await foreach (SseItem<OpenAIResponse?> item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            if (item.Data is null)
            {
                if (assembler.Complete() is { } last)
                {
                    yield return last;
                }

                yield break;
            }

            if (assembler.Add(item.Data) is { } update)
            {
                yield return update;
            }
        }

        throw _transport.CreateTruncatedStreamError("data: [DONE]");
    }

    private HttpRequestMessage CreateRequest(OpenAIRequest body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _url)
        {
            Content = ProviderTransport.JsonBody(body, OpenAIJsonContext.Default.OpenAIRequest),
        };

        if (_settings.ApiKey is { } key)
        {
            if (_dialect.IsAzure)
            {
                request.Headers.TryAddWithoutValidation("api-key", key);
            }
            else
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
        }

        foreach (KeyValuePair<string, string> header in _settings.Options.Headers)
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return request;
    }

    private static Uri AzureUrl(ProviderSettings settings, string apiVersion)
    {
        string root = settings.Endpoint.AbsoluteUri.TrimEnd('/');

        // The v1 surface takes the model in the body; the classic surface names the deployment in the path.
        return root.EndsWith("/openai/v1", StringComparison.OrdinalIgnoreCase)
            ? new Uri($"{root}/chat/completions?api-version={Uri.EscapeDataString(apiVersion == OpenAIDialect.DefaultAzureApiVersion ? "v1" : apiVersion)}")
            : new Uri($"{root}/openai/deployments/{Uri.EscapeDataString(settings.Model)}/chat/completions?api-version={Uri.EscapeDataString(apiVersion)}");
    }
}
