namespace Allos.Testing.Formats;

/// <summary>Placeholder until the Anthropic wire format is rendered.</summary>
internal sealed class AnthropicFakeFormat : IFakeFormat
{
    public Task WriteAsync(FakeExchange exchange) => throw new NotSupportedException("Anthropic rendering is not written yet.");

    public string ErrorBody(int status, string message, string? type) => "{\"error\":\"" + message + "\"}";
}
