using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Allos.Providers.Embeddings;
using Microsoft.Extensions.AI;

namespace Allos.Providers.OpenAI;

/// <summary><c>POST /embeddings</c> for api.openai.com, Azure OpenAI and every OpenAI-compatible server.</summary>
/// <remarks>
/// Asks for <c>encoding_format: "base64"</c> (little-endian float32 bytes: about a quarter of the JSON numbers' size) and
/// reads float arrays too, since some compatible servers ignore the field.
/// </remarks>
internal sealed class OpenAIEmbeddingGenerator : ProviderEmbeddingGenerator
{
    /// <summary>
    /// OpenAI's documented limit on the inputs of one request (the API reference: an input array "must be 2048 dimensions or
    /// less"). Its other limit, 300,000 tokens summed over a request, is left to the provider to report.
    /// </summary>
    public const int MaxInputs = 2048;

    private readonly OpenAIDialect _dialect;
    private readonly Uri _url;

    public OpenAIEmbeddingGenerator(ProviderSettings settings, OpenAIDialect dialect)
        : base(settings, OpenAIErrorParser.Parse, MaxInputs)
    {
        _dialect = dialect;
        _url = dialect.IsAzure ? AzureUrl(settings, dialect.AzureApiVersion!) : settings.Combine("embeddings");
    }

    protected override Task<GeneratedEmbeddings<Embedding<float>>> GenerateBatchAsync(IReadOnlyList<string> inputs, EmbeddingGenerationOptions? options, CancellationToken cancellationToken)
    {
        var body = new OpenAIEmbeddingRequest
        {
            Model = ModelFor(options),
            Input = inputs,
            EncodingFormat = "base64",
            Dimensions = options?.Dimensions,
        };
        string provider = Settings.Provider;
        return PostAsync(_url, body, OpenAIJsonContext.Default.OpenAIEmbeddingRequest, OpenAIJsonContext.Default.OpenAIEmbeddingResponse,
            response => ToEmbeddings(response, inputs.Count, provider), cancellationToken);
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

    internal static GeneratedEmbeddings<Embedding<float>> ToEmbeddings(OpenAIEmbeddingResponse response, int expected, string provider)
    {
        List<OpenAIEmbeddingData> data = response.Data ?? throw Http.ProviderTransport.NotAResponse(provider, "data");
        var vectors = new Embedding<float>?[expected];
        for (int i = 0; i < data.Count; i++)
        {
            // The index says which input a vector belongs to; servers that omit it answer in order.
            int index = data[i].Index ?? i;
            if ((uint)index >= (uint)expected || vectors[index] is not null)
            {
                throw new InvalidResponseException(provider, $"{provider} returned an embedding for input {index}, which was not asked for or came twice.");
            }

            vectors[index] = new Embedding<float>(Decode(data[i].Embedding, provider)) { ModelId = response.Model };
        }

        var result = new GeneratedEmbeddings<Embedding<float>>(expected);
        foreach (Embedding<float>? vector in vectors)
        {
            result.Add(vector ?? throw new InvalidResponseException(provider, $"{provider} returned {data.Count} embeddings for {expected} inputs, so they cannot be matched to the inputs."));
        }

        if (response.Usage is { } usage)
        {
            result.Usage = new UsageDetails { InputTokenCount = usage.PromptTokens, TotalTokenCount = usage.TotalTokens ?? usage.PromptTokens };
        }

        return result;
    }

    /// <summary>Reads a vector sent as base64 (little-endian float32) or as a JSON array of numbers.</summary>
    internal static float[] Decode(JsonElement embedding, string provider)
    {
        switch (embedding.ValueKind)
        {
            case JsonValueKind.String:
                byte[] bytes = embedding.GetBytesFromBase64();
                if (bytes.Length % sizeof(float) != 0)
                {
                    throw new InvalidResponseException(provider, $"{provider} returned a base64 embedding of {bytes.Length} bytes, which is not a whole number of float32 values.");
                }

                float[] values = new float[bytes.Length / sizeof(float)];
                if (BitConverter.IsLittleEndian)
                {
                    MemoryMarshal.Cast<byte, float>(bytes).CopyTo(values);
                }
                else
                {
                    for (int i = 0; i < values.Length; i++)
                    {
                        values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
                    }
                }

                return values;
            case JsonValueKind.Array:
                float[] numbers = new float[embedding.GetArrayLength()];
                int n = 0;
                foreach (JsonElement number in embedding.EnumerateArray())
                {
                    numbers[n++] = number.GetSingle();
                }

                return numbers;
            default:
                throw new InvalidResponseException(provider, $"{provider} returned an embedding that is neither base64 nor an array of numbers ({embedding.ValueKind}).");
        }
    }

    private static Uri AzureUrl(ProviderSettings settings, string apiVersion)
    {
        string root = settings.Endpoint.AbsoluteUri.TrimEnd('/');

        // As for chat: the v1 surface takes the model in the body, the classic one names the deployment in the path.
        return root.EndsWith("/openai/v1", StringComparison.OrdinalIgnoreCase)
            ? new Uri($"{root}/embeddings?api-version={Uri.EscapeDataString(apiVersion == OpenAIDialect.DefaultAzureApiVersion ? "v1" : apiVersion)}")
            : new Uri($"{root}/openai/deployments/{Uri.EscapeDataString(settings.Model)}/embeddings?api-version={Uri.EscapeDataString(apiVersion)}");
    }
}
