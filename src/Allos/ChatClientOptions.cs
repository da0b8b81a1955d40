using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Allos;

/// <summary>Explicit settings for a provider client; anything left unset comes from the environment or the provider's defaults.</summary>
public sealed class ChatClientOptions
{
    /// <summary>Gets or sets the API key. Default: the provider's variable (for example <c>OPENAI_API_KEY</c>).</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Gets or sets the base URL. Default: the provider's variable (for example <c>OPENAI_BASE_URL</c>, <c>OLLAMA_HOST</c>),
    /// else the provider's public endpoint. OpenAI-style URLs include the version segment (<c>https://api.openai.com/v1</c>);
    /// Anthropic and Gemini URLs do not (<c>https://api.anthropic.com</c>).
    /// </summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Gets or sets the <see cref="System.Net.Http.HttpClient"/> to use. Default: one pooled client shared by the whole process.</summary>
    /// <remarks>
    /// A supplied client is not disposed by Allos. Its own <see cref="HttpClient.Timeout"/> also applies. Give it a handler
    /// with automatic redirects off (<c>AllowAutoRedirect = false</c>): Allos then follows same-origin redirects itself and
    /// refuses the others, whereas a handler following a redirect to another host would send it the API key.
    /// </remarks>
    public HttpClient? HttpClient { get; set; }

    /// <summary>Gets or sets how long one call may take, streaming included. Default: 10 minutes. <see cref="Timeout.InfiniteTimeSpan"/> disables it.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Gets or sets how long a stream may go without sending anything once it has started (after the response headers)
    /// before the call fails as a transient <see cref="ProviderTimeoutException"/>, so a Router retries or falls back.
    /// Default: 5 minutes, long enough for a reasoning model's silent thinking. <see cref="Timeout.InfiniteTimeSpan"/>
    /// disables it. One call can override it with <see cref="ProviderChatOptions.WithStreamIdleTimeout"/>.
    /// </summary>
    public TimeSpan StreamIdleTimeout { get; set; } = DefaultStreamIdleTimeout;

    /// <summary>Gets extra HTTP headers sent with every request (for example <c>anthropic-beta</c> or <c>OpenAI-Organization</c>).</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the API version for Azure OpenAI. Default: <c>AZURE_OPENAI_API_VERSION</c>, else <c>2024-10-21</c>.</summary>
    public string? ApiVersion { get; set; }

    /// <summary>Gets or sets the Google Cloud project (Vertex AI). Default: <c>VERTEX_PROJECT</c>, else <c>GOOGLE_CLOUD_PROJECT</c>, else the credential file's <c>project_id</c>.</summary>
    public string? Project { get; set; }

    /// <summary>Gets or sets the Google Cloud location (Vertex AI), such as <c>europe-west1</c> or <c>global</c>. Default: <c>VERTEX_LOCATION</c>, else <c>us-central1</c>.</summary>
    public string? Location { get; set; }

    /// <summary>
    /// Gets or sets the OAuth token endpoint a Vertex AI service account or authorized user gets its access token from.
    /// Default: <c>VERTEX_TOKEN_URL</c>, else the credential file's <c>token_uri</c>, else <c>https://oauth2.googleapis.com/token</c>.
    /// </summary>
    public Uri? TokenEndpoint { get; set; }

    /// <summary>Gets or sets the clock used to read reset timestamps. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Gets or sets where the client logs each request it sends (provider, model and host, at <see cref="LogLevel.Debug"/>;
    /// never the API key or the body). Default: <see cref="NullLoggerFactory.Instance"/>.
    /// </summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    internal static TimeSpan DefaultStreamIdleTimeout { get; } = TimeSpan.FromMinutes(5);

    internal ChatClientOptions Validate()
    {
        if (StreamIdleTimeout <= TimeSpan.Zero && StreamIdleTimeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new ConfigurationException($"ChatClientOptions.StreamIdleTimeout must be positive or Timeout.InfiniteTimeSpan; it was {StreamIdleTimeout}.");
        }

        if (Timeout <= TimeSpan.Zero && Timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new ConfigurationException($"ChatClientOptions.Timeout must be positive or Timeout.InfiniteTimeSpan; it was {Timeout}.");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider);
        ArgumentNullException.ThrowIfNull(LoggerFactory);
        return this;
    }
}
