using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Allos.Providers.Http;
using Microsoft.Extensions.AI;

namespace Allos.Providers.OpenAI;

/// <summary>Chat Completions over HTTP, for api.openai.com, Azure OpenAI and every OpenAI-compatible server.</summary>
internal sealed class OpenAIChatClient : ProviderChatClient
{
    private readonly OpenAIDialect _dialect;
    private readonly Uri _url;

    public OpenAIChatClient(ProviderSettings settings, OpenAIDialect dialect)
        : base(settings, OpenAIErrorParser.Parse)
    {
        _dialect = dialect;
        _url = dialect.IsAzure ? AzureUrl(settings, dialect.AzureApiVersion!) : settings.Combine("chat/completions");
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        OpenAIRequest body = OpenAIRequestBuilder.Build(messages, options, Settings.Model, _dialect, stream: false);
        return await PostAsync(_url, body, OpenAIJsonContext.Default.OpenAIRequest, OpenAIJsonContext.Default.OpenAIResponse,
            Settings.Provider, static (response, provider) => OpenAIResponseParser.ToChatResponse(response, provider), cancellationToken).ConfigureAwait(false);
    }

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        OpenAIRequest body = OpenAIRequestBuilder.Build(messages, options, Settings.Model, _dialect, stream: true);
        return PostStreamingAsync(_url, body, OpenAIJsonContext.Default.OpenAIRequest, options, ReadStreamAsync, cancellationToken);
    }

    protected override void Authenticate(HttpRequestMessage request)
    {
        if (Settings.ApiKey is not { } key)
        {
            return;
        }

        if (_dialect.IsAzure)
        {
            request.Headers.TryAddWithoutValidation("api-key", key);
        }
        else
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
    }

    private async IAsyncEnumerable<ChatResponseUpdate> ReadStreamAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var assembler = new OpenAIStreamAssembler(Settings.Provider);
        SseParser<StreamItem> parser = SseParser.Create(stream, (_, data) => StreamItem.Read(data, assembler));

        await foreach (SseItem<StreamItem> item in parser.EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            if (item.Data.IsText)
            {
                if (assembler.AddText(item.Data.Text) is { } delta)
                {
                    yield return delta;
                }

                continue;
            }

            if (item.Data.Chunk is null)
            {
                if (!assembler.HasChoices)
                {
                    throw ProviderTransport.NotAResponse(Settings.Provider, "chunks with \"choices\"");
                }

                if (assembler.Complete() is { } last)
                {
                    yield return last;
                }

                yield break;
            }

            if (assembler.Add(item.Data.Chunk) is { } update)
            {
                yield return update;
            }
        }

        // Some servers and gateways end a finished answer without [DONE]: complete, since the finish reason arrived.
        if (assembler.Finished)
        {
            if (assembler.Complete() is { } end)
            {
                yield return end;
            }

            yield break;
        }

        throw Transport.CreateTruncatedStreamError("data: [DONE]");
    }

    /// <summary>One event: a text-only chunk read directly, another chunk deserialized, or <c>[DONE]</c> (neither).</summary>
    private readonly record struct StreamItem(bool IsText, string? Text, OpenAIResponse? Chunk)
    {
        public static StreamItem Read(ReadOnlySpan<byte> data, OpenAIStreamAssembler assembler)
        {
            if (data.SequenceEqual("[DONE]"u8))
            {
                return default;
            }

            // Until the response's id, model and time are known, every chunk goes through the DTO, which records them.
            if (assembler.KnowsResponse && OpenAIChunkReader.TryReadText(data, out string? text))
            {
                return new StreamItem(true, text, null);
            }

            return new StreamItem(false, null, JsonSerializer.Deserialize(data, OpenAIJsonContext.Default.OpenAIResponse));
        }
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
