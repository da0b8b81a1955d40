namespace Allos.Testing.Formats;

/// <summary>Placeholder until the Ollama wire format is rendered.</summary>
internal sealed class OllamaFakeFormat : IFakeFormat
{
    public Task WriteAsync(FakeExchange exchange) => throw new NotSupportedException("Ollama rendering is not written yet.");

    public string ErrorBody(int status, string message, string? type) => "{\"error\":\"" + message + "\"}";
}
