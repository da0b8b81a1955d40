using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Allos.Providers;
using Microsoft.Extensions.AI;

namespace Allos.Context;

/// <summary>
/// Estimates how many input tokens messages will cost. By default without a tokenizer: text counts as its length in
/// characters divided by 4, rounded up, the usual rule of thumb for English and code with the providers' BPE tokenizers
/// (it underestimates text in scripts such as Chinese or Japanese, where one character is often a token or more). An
/// estimator from <see cref="ForModel"/> for an OpenAI model counts text exactly with the model's tokenizer instead.
/// Images follow the provider's published rule (<see cref="ImageRule"/>), with sizes read from PNG, JPEG, GIF and WebP headers.
/// </summary>
/// <remarks>
/// <para>
/// An estimate is only a fallback: prefer <see cref="EstimateRequest"/> with a <see cref="UsageAnchor"/>, which trusts what
/// the provider reported for the last call and estimates only what was added since. Even an exact count of the text
/// misses what the provider adds around it (message framing, tool declarations), which the anchor covers.
/// </para>
/// <para>
/// An exact estimator remembers each message's count (keyed on the message instance, held weakly, and checked against
/// its content list, that list's length and its last part), so a growing history is not re-tokenized: treat a message as
/// immutable once it has been counted, or create a new one to change it. Thread-safe.
/// </para>
/// </remarks>
public sealed class TokenEstimator
{
    /// <summary>The tokens counted per message for its role and separators, on top of its content.</summary>
    public const int MessageOverheadTokens = 4;

    /// <summary>The tokens counted for an image whose size is unknown (a URL, or bytes in an unrecognized format), except under <see cref="ImageTokenRule.Gemini"/>.</summary>
    public const long UnknownImageTokens = 1_000;

    private const int TextBytesPerToken = 4;

    private static readonly JsonTypeInfo<IDictionary<string, object?>> ArgumentsType =
        (JsonTypeInfo<IDictionary<string, object?>>)AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>));

    // Audio, PDF and other binary parts: providers count them by duration or pages, which the bytes do not tell; this
    // keeps a large attachment visible to the policies without letting it dwarf the whole conversation.
    private const int BinaryBytesPerToken = 16;

    private static readonly TokenEstimator O200kBase = new(ImageTokenRule.OpenAI, TiktokenEncoding.O200kBase);
    private static readonly TokenEstimator Cl100kBase = new(ImageTokenRule.OpenAI, TiktokenEncoding.Cl100kBase);

    private readonly TiktokenEncoding? _encoding;
    private readonly ConditionalWeakTable<ChatMessage, CountedMessage>? _counts;
    private long _messagesCounted;

    /// <summary>Initializes a new instance of the <see cref="TokenEstimator"/> class.</summary>
    /// <param name="imageRule">Whose rule counts images.</param>
    public TokenEstimator(ImageTokenRule imageRule = ImageTokenRule.Default)
    {
        ImageRule = imageRule;
    }

    private TokenEstimator(ImageTokenRule imageRule, TiktokenEncoding encoding)
    {
        ImageRule = imageRule;
        _encoding = encoding;
        _counts = [];
    }

    /// <summary>Gets an estimator with the <see cref="ImageTokenRule.Default"/> image rule.</summary>
    public static TokenEstimator Default { get; } = new();

    /// <summary>Gets whose rule counts images.</summary>
    public ImageTokenRule ImageRule { get; }

    /// <summary>Gets the tokenizer encoding that counts text exactly (<c>o200k_base</c>, <c>cl100k_base</c>), or <see langword="null"/> when text is estimated as characters / 4.</summary>
    public string? TokenizerName => _encoding?.Name;

    /// <summary>Gets the tokenizer encoding, or <see langword="null"/> for the estimate.</summary>
    internal TiktokenEncoding? TokenizerEncoding => _encoding;

    /// <summary>Gets how many messages this estimator has tokenized (not answered from its per-message cache), for tests.</summary>
    internal long MessagesCounted => Interlocked.Read(ref _messagesCounted);

    /// <summary>
    /// An estimator for <paramref name="modelId"/> (<c>openai/gpt-4o</c>, <c>gpt-4.1-mini</c>, <c>openrouter/openai/gpt-5</c>):
    /// exact text counts with <c>o200k_base</c> for GPT-4o, GPT-4.1, GPT-4.5, GPT-5, gpt-oss and the o-series, and with
    /// <c>cl100k_base</c> for GPT-4 and GPT-3.5; for every other model, <see cref="ForProvider"/> of its provider (the estimate).
    /// </summary>
    /// <remarks>
    /// The exact estimators are shared per encoding, so their per-message counts are too; the tokenizer data (a few
    /// megabytes) is loaded on the first count, once per process. The name decides, not the provider, so an OpenAI model
    /// behind a proxy or router is counted exactly too.
    /// </remarks>
    public static TokenEstimator ForModel(string? modelId)
    {
        TiktokenEncoding? encoding = TiktokenEncoding.ForModel(modelId);
        if (encoding == TiktokenEncoding.O200kBase)
        {
            return O200kBase;
        }

        if (encoding == TiktokenEncoding.Cl100kBase)
        {
            return Cl100kBase;
        }

        int slash = modelId?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        return ForProvider(slash > 0 ? modelId![..slash] : null);
    }

    /// <summary>An exact estimator with its own per-message cache (the shared ones are <see cref="ForModel"/>'s), for tests.</summary>
    internal static TokenEstimator CreateExact(TiktokenEncoding encoding) => new(ImageTokenRule.OpenAI, encoding);

    /// <summary>An estimator with the image rule of <paramref name="provider"/> (<c>openai</c>, <c>anthropic</c>, <c>gemini</c>, …, as in model ids).</summary>
    public static TokenEstimator ForProvider(string? provider) => provider?.ToLowerInvariant() switch
    {
        "openai" or "azure" or "azure_openai" => new TokenEstimator(ImageTokenRule.OpenAI),
        "anthropic" => new TokenEstimator(ImageTokenRule.Anthropic),
        "gemini" or "google" or "vertex_ai" => new TokenEstimator(ImageTokenRule.Gemini),
        _ => Default,
    };

    /// <summary>Estimates the tokens of <paramref name="text"/>: its length divided by 4, rounded up, or its exact count when <see cref="TokenizerName"/> is set.</summary>
    public long EstimateText(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }

        return _encoding?.Count(text) ?? ((long)text.Length + TextBytesPerToken - 1) / TextBytesPerToken;
    }

    /// <summary>Estimates the input tokens of one message: its text, reasoning, tool calls (name and arguments JSON), tool results and images, plus <see cref="MessageOverheadTokens"/>.</summary>
    /// <remarks>An exact estimator answers a message it counted before from its cache; see the type's remarks.</remarks>
    public long Estimate(ChatMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_counts is null)
        {
            return Count(message);
        }

        IList<AIContent> contents = message.Contents;
        int length = contents.Count;
        AIContent? last = length > 0 ? contents[length - 1] : null;
        if (_counts.TryGetValue(message, out CountedMessage? counted) && counted.Matches(contents, length, last))
        {
            return counted.Tokens;
        }

        long tokens = Count(message);
        Interlocked.Increment(ref _messagesCounted);
        _counts.AddOrUpdate(message, new CountedMessage(tokens, contents, length, last));
        return tokens;
    }

    /// <summary>Estimates the input tokens of several messages.</summary>
    public long Estimate(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        long total = 0;
        foreach (ChatMessage message in messages)
        {
            total += Estimate(message);
        }

        return total;
    }

    /// <summary>Estimates the input tokens of one content part.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long Estimate(AIContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        switch (content)
        {
            case TextContent text:
                return EstimateText(text.Text);
            case TextReasoningContent reasoning:
                return EstimateText(reasoning.Text);
            case FunctionCallContent call:
                return EstimateText(call.CallId) + EstimateText(call.Name) + EstimateArguments(call);
            case FunctionResultContent result:
                return EstimateText(result.CallId) + EstimateResult(result);
            case DataContent data when data.HasTopLevelMediaType("image"):
                return EstimateImage(data);
            case DataContent data:
                int perToken = data.HasTopLevelMediaType("text") || data.MediaType.Contains("json", StringComparison.OrdinalIgnoreCase) || data.MediaType.Contains("xml", StringComparison.OrdinalIgnoreCase)
                    ? TextBytesPerToken
                    : BinaryBytesPerToken;
                return (data.Data.Length + perToken - 1) / perToken;
            case UriContent uri when uri.HasTopLevelMediaType("image"):
                return EstimateImage(null, null, IsLowDetail(uri));
            case UriContent uri:
                return EstimateText(uri.Uri.OriginalString);
            case ErrorContent error:
                return EstimateText(error.Message);
            default:
                return 0; // usage, hosted file references and other metadata are not sent as input text
        }
    }

    /// <summary>Estimates the input tokens of an image of this size under <see cref="ImageRule"/>; <see langword="null"/> sizes mean unknown.</summary>
    /// <param name="width">The width in pixels, or <see langword="null"/>.</param>
    /// <param name="height">The height in pixels, or <see langword="null"/>.</param>
    /// <param name="lowDetail">Whether OpenAI's <c>detail: low</c> applies (85 tokens whatever the size).</param>
    public long EstimateImage(int? width, int? height, bool lowDetail = false)
    {
        if (ImageRule == ImageTokenRule.Gemini)
        {
            return 258;
        }

        if (lowDetail && ImageRule is ImageTokenRule.OpenAI or ImageTokenRule.Default)
        {
            return 85;
        }

        if (width is not int w || height is not int h || w <= 0 || h <= 0)
        {
            return UnknownImageTokens;
        }

        return ImageRule == ImageTokenRule.Anthropic ? Math.Min(1_600, Math.Max(1, (long)w * h / 750)) : OpenAITiles(w, h);
    }

    /// <summary>
    /// Estimates the next request: the provider's reported input tokens for the messages <paramref name="anchor"/> covered,
    /// plus an estimate of the messages added after them. Without an anchor (or when it covers more messages than
    /// <paramref name="history"/> holds, so it belongs to another history) every message is estimated.
    /// </summary>
    public long EstimateRequest(IReadOnlyList<ChatMessage> history, UsageAnchor? anchor)
    {
        ArgumentNullException.ThrowIfNull(history);
        int start = 0;
        long total = 0;
        if (anchor is not null && anchor.MessageCount <= history.Count)
        {
            start = anchor.MessageCount;
            total = anchor.InputTokens;
        }

        for (int i = start; i < history.Count; i++)
        {
            total += Estimate(history[i]);
        }

        return total;
    }

    // Optimized from the first call: a first fit counts thousands of messages in one go, long before tiering would
    // recompile these, so at tier 0 it took 11–15 ms for 10,000 messages instead of under 2.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private long Count(ChatMessage message)
    {
        // By index: a foreach over the IList would box an enumerator per message.
        IList<AIContent> contents = message.Contents;
        long total = MessageOverheadTokens;
        for (int i = 0; i < contents.Count; i++)
        {
            total += Estimate(contents[i]);
        }

        return total;
    }

    private long EstimateArguments(FunctionCallContent call)
    {
        if (_encoding is null && ArgumentsJson.Length(call.Arguments) is long length)
        {
            // Characters / 4 needs only the JSON's length, not the JSON.
            return (length + TextBytesPerToken - 1) / TextBytesPerToken;
        }

        return EstimateText(ArgumentsText(call));
    }

    private long EstimateImage(DataContent data) =>
        ImageDimensions.TryRead(data.Data.Span, out int width, out int height)
            ? EstimateImage(width, height, IsLowDetail(data))
            : EstimateImage(null, null, IsLowDetail(data));

    private long EstimateResult(FunctionResultContent result)
    {
        switch (result.Result)
        {
            case AIContent content:
                return Estimate(content);
            case IEnumerable<AIContent> contents:
                long total = 0;
                foreach (AIContent content in contents)
                {
                    total += Estimate(content);
                }

                return total;
            default:
                try
                {
                    return EstimateText(WireContent.ResultToText(result));
                }
                catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
                {
                    // A result type the JSON options cannot serialize (reflection is off): its text form is close enough.
                    return EstimateText(result.Result?.ToString());
                }
        }
    }

    /// <summary>A call's arguments as compact JSON (or a rough text form when they cannot be serialized).</summary>
    internal static string ArgumentsText(FunctionCallContent call)
    {
        if (call.Arguments is null)
        {
            return "{}";
        }

        try
        {
            // Written compact, as a provider counts it (AIJsonUtilities.DefaultOptions would indent).
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                JsonSerializer.Serialize(writer, call.Arguments, ArgumentsType);
            }

            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            return string.Concat(call.Arguments.Select(a => $"\"{a.Key}\":{a.Value},"));
        }
    }

    private static bool IsLowDetail(AIContent content) =>
        content.AdditionalProperties?.TryGetValue("detail", out object? detail) == true
        && string.Equals(detail?.ToString(), "low", StringComparison.OrdinalIgnoreCase);

    private static long OpenAITiles(int width, int height)
    {
        double w = width;
        double h = height;
        if (Math.Max(w, h) > 2048)
        {
            double fit = 2048 / Math.Max(w, h);
            w *= fit;
            h *= fit;
        }

        if (Math.Min(w, h) > 768)
        {
            double shrink = 768 / Math.Min(w, h);
            w *= shrink;
            h *= shrink;
        }

        // Whole pixels, as the provider resizes, so 768.0000001 does not count as a third tile.
        long tiles = (long)Math.Ceiling(Math.Round(w) / 512) * (long)Math.Ceiling(Math.Round(h) / 512);
        return 85 + (170 * tiles);
    }
}
