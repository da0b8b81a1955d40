namespace Allos.Testing.Formats;

/// <summary>Renders scripted turns in one provider's wire format.</summary>
internal interface IFakeFormat
{
    /// <summary>Writes a successful answer, streamed or whole as the exchange asks.</summary>
    Task WriteAsync(FakeExchange exchange);

    /// <summary>An error body in the provider's own shape.</summary>
    string ErrorBody(int status, string message, string? type);

    /// <summary>Adds the headers an error response of the provider carries (AWS's <c>x-amzn-ErrorType</c>); none by default.</summary>
    /// <param name="response">The response being written.</param>
    /// <param name="status">The HTTP status.</param>
    /// <param name="type">The scripted error type, if any.</param>
    /// <param name="exactBody">Whether the body is the turn's own (<see cref="FakeTurn.Error"/>), not rendered by this format.</param>
    void AddErrorHeaders(Microsoft.AspNetCore.Http.HttpResponse response, int status, string? type, bool exactBody)
    {
    }
}
