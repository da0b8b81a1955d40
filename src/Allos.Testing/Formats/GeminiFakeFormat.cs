namespace Allos.Testing.Formats;

/// <summary>Placeholder until the Gemini wire format is rendered.</summary>
internal sealed class GeminiFakeFormat : IFakeFormat
{
    public Task WriteAsync(FakeExchange exchange) => throw new NotSupportedException("Gemini rendering is not written yet.");

    public string ErrorBody(int status, string message, string? type) => "{\"error\":\"" + message + "\"}";
}
