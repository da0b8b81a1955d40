namespace Allos.Gateway.Server.OpenAI;

/// <summary>A request body the gateway cannot read: the message says what to fix, <see cref="Param"/> names the field.</summary>
internal sealed class ChatCompletionRequestException(string param, string message) : Exception(message)
{
    /// <summary>Gets the field at fault, as OpenAI's error <c>param</c> names it (<c>messages[2].content</c>).</summary>
    public string Param { get; } = param;
}
