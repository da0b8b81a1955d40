namespace Allos.Testing.Formats;

/// <summary>Renders scripted turns in one provider's wire format.</summary>
internal interface IFakeFormat
{
    /// <summary>Writes a successful answer, streamed or whole as the exchange asks.</summary>
    Task WriteAsync(FakeExchange exchange);

    /// <summary>An error body in the provider's own shape.</summary>
    string ErrorBody(int status, string message, string? type);
}
