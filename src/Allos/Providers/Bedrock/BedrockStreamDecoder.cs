using System.Text;
using System.Text.Json;
using Allos.Providers.Http;
using Allos.Providers.Streaming;
using Microsoft.Extensions.AI;

namespace Allos.Providers.Bedrock;

/// <summary>ConverseStream's event-stream messages: <c>messageStart</c> … <c>messageStop</c>, <c>metadata</c>; exceptions as typed errors.</summary>
internal sealed class BedrockStreamDecoder(ProviderTransport transport, string model) : StreamDecoder
{
    private readonly BedrockStreamAssembler _assembler = new(model);

    public override StreamFraming Framing => StreamFraming.AwsEventStream;

    public override ChatResponseUpdate? Decode(ReadOnlySpan<byte> eventType, ReadOnlySpan<byte> data)
    {
        if (eventType.IsEmpty || data.IsEmpty || JsonSerializer.Deserialize(data, BedrockJsonContext.Default.BedrockStreamEvent) is not { } e)
        {
            return null;
        }

        ChatResponseUpdate? update = _assembler.Add(e, Encoding.UTF8.GetString(eventType));
        Ended = _assembler.Completed;
        return update;
    }

    public override ChatResponseUpdate? DecodeException(ReadOnlySpan<byte> exceptionType, ReadOnlySpan<byte> payload)
    {
        string type = Encoding.UTF8.GetString(exceptionType);
        string? message = null;
        try
        {
            message = payload.IsEmpty ? null : JsonSerializer.Deserialize(payload, BedrockJsonContext.Default.BedrockStreamEvent)?.Message;
        }
        catch (JsonException)
        {
            message = Encoding.UTF8.GetString(payload); // an error message header, or a payload that is not JSON
        }

        throw transport.CreateStreamError(BedrockErrorParser.Classify(type, status: null, string.IsNullOrEmpty(message) ? $"the stream failed with {type}." : message));
    }

    /// <summary>The body may end after <c>messageStop</c> without <c>metadata</c> (the usage is then unknown); before it, the answer was cut.</summary>
    public override ChatResponseUpdate? Finish() =>
        _assembler.Stopped ? null : throw transport.CreateTruncatedStreamError("the messageStop event");
}
