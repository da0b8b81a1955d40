using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Allos.Providers.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Allos.Providers.Embeddings;

/// <summary>
/// What every built-in embeddings codec shares: splitting the inputs into requests of the provider's size, running them
/// with bounded concurrency, reassembling the vectors in input order with their usage summed, and posting each request
/// through the same <see cref="ProviderTransport"/> (errors, retry-after, redirects, timeouts) as chat.
/// </summary>
/// <remarks>Thread-safe. A codec supplies the batch size, its authentication headers and one batch's request and response.</remarks>
internal abstract class ProviderEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>How many batches of one call are in flight at once: enough to hide latency, few enough not to trip rate limits.</summary>
    public const int DefaultConcurrency = 4;

    private readonly EmbeddingGeneratorMetadata _metadata;
    private readonly ILogger _logger;
    private readonly string _host;

    protected ProviderEmbeddingGenerator(ProviderSettings settings, Func<int, string, ProviderError> parseError, int batchSize)
    {
        Settings = settings;
        BatchSize = batchSize;
        Transport = new ProviderTransport(settings.Provider, settings.HttpClient, settings.Options.Timeout, settings.Options.TimeProvider, parseError);
        _metadata = new EmbeddingGeneratorMetadata(settings.Provider, settings.Endpoint, settings.Model);
        _logger = settings.Options.LoggerFactory.CreateLogger<ProviderEmbeddingGenerator>();
        _host = settings.Endpoint.Host;
    }

    protected ProviderSettings Settings { get; }

    protected ProviderTransport Transport { get; }

    /// <summary>Gets the most inputs the provider takes in one request.</summary>
    public int BatchSize { get; }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        string[] inputs = [.. values];
        foreach (string input in inputs)
        {
            ArgumentNullException.ThrowIfNull(input, nameof(values));
        }

        if (options?.Dimensions is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Dimensions, "EmbeddingGenerationOptions.Dimensions must be positive when set.");
        }

        if (inputs.Length == 0)
        {
            return [];
        }

        if (inputs.Length <= BatchSize)
        {
            return await GenerateBatchCheckedAsync(inputs, options, cancellationToken).ConfigureAwait(false);
        }

        // Each batch writes into its own slot, so the result is in input order whatever order the batches finish in.
        int count = (inputs.Length + BatchSize - 1) / BatchSize;
        var batches = new GeneratedEmbeddings<Embedding<float>>[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = DefaultConcurrency, CancellationToken = cancellationToken },
            async (index, token) =>
            {
                int start = index * BatchSize;
                ArraySegment<string> batch = new(inputs, start, Math.Min(BatchSize, inputs.Length - start));
                batches[index] = await GenerateBatchCheckedAsync(batch, options, token).ConfigureAwait(false);
            }).ConfigureAwait(false);

        var result = new GeneratedEmbeddings<Embedding<float>>(inputs.Length);
        UsageDetails? usage = null;
        foreach (GeneratedEmbeddings<Embedding<float>> batch in batches)
        {
            result.AddRange(batch);
            if (batch.Usage is { } part)
            {
                (usage ??= new UsageDetails()).Add(part);
            }
        }

        result.Usage = usage;
        return result;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        // The HttpClient is shared or the caller's; nothing of ours to release.
        GC.SuppressFinalize(this);
    }

    /// <summary>Embeds one batch (at most <see cref="BatchSize"/> inputs); the result holds one embedding per input, in order.</summary>
    protected abstract Task<GeneratedEmbeddings<Embedding<float>>> GenerateBatchAsync(IReadOnlyList<string> inputs, EmbeddingGenerationOptions? options, CancellationToken cancellationToken);

    /// <summary>Adds the provider's authentication headers.</summary>
    protected abstract void Authenticate(HttpRequestMessage request);

    /// <summary>The model a call asks for: the options' <see cref="EmbeddingGenerationOptions.ModelId"/>, else the generator's.</summary>
    protected string ModelFor(EmbeddingGenerationOptions? options) => options?.ModelId ?? Settings.Model;

    /// <summary>
    /// Posts <paramref name="body"/> and maps the whole JSON answer with <paramref name="map"/>, under the call's clock and
    /// the shared error mapping: whatever goes wrong, mapping included, leaves as an <see cref="AllosException"/> (or the
    /// caller's own cancellation).
    /// </summary>
    protected async Task<TResult> PostAsync<TRequest, TResponse, TResult>(Uri url, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType,
        Func<TResponse, TResult> map, CancellationToken cancellationToken)
        where TResponse : class
    {
        HttpContent content = ProviderTransport.JsonBody(body, requestType);
        _logger.RequestSent(Settings.Provider, Settings.Model, _host, streaming: false);
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        Authenticate(request);
        ProviderTransport.ApplyHeaders(request, Settings.Options.Headers);
        return await Transport.PostJsonAsync(request, responseType, map, static (parsed, map) => map(parsed), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The error for an answer whose vectors do not match the inputs one to one.</summary>
    protected InvalidResponseException WrongCount(int expected, int actual) =>
        new(Settings.Provider, $"{Settings.Provider} returned {actual} embeddings for {expected} inputs, so they cannot be matched to the inputs.");

    private async Task<GeneratedEmbeddings<Embedding<float>>> GenerateBatchCheckedAsync(IReadOnlyList<string> inputs, EmbeddingGenerationOptions? options, CancellationToken cancellationToken)
    {
        GeneratedEmbeddings<Embedding<float>> result = await GenerateBatchAsync(inputs, options, cancellationToken).ConfigureAwait(false);
        return result.Count == inputs.Count ? result : throw WrongCount(inputs.Count, result.Count);
    }
}
