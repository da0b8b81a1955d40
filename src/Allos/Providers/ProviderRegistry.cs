using System.Collections.Concurrent;
using Allos.Providers.Anthropic;
using Allos.Providers.Bedrock;
using Allos.Providers.Cohere;
using Allos.Providers.Embeddings;
using Allos.Providers.Gemini;
using Allos.Providers.Ollama;
using Allos.Providers.OpenAI;
using Allos.Providers.Vertex;
using Allos.Security;
using Microsoft.Extensions.AI;

namespace Allos.Providers;

/// <summary>Maps provider names to client factories and resolves model ids (<c>provider/model</c>, bare names, <c>AI_PROVIDER</c>).</summary>
/// <remarks>
/// Thread-safe. <see cref="Default"/> is what <see cref="ChatClients.Create"/> uses; register your own providers there
/// (or replace a built-in one) with <see cref="Register"/>.
/// </remarks>
public sealed class ProviderRegistry
{
    private readonly ConcurrentDictionary<string, ProviderFactory> _factories = new(StringComparer.OrdinalIgnoreCase);
    private readonly Func<string, string?> _environment;
    private readonly Func<bool> _onGoogleCloud;

    // The built-in factories, to tell whether Register replaced one (then its embeddings are not ours to create either).
    private readonly Dictionary<string, ProviderFactory> _builtIns = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Initializes a registry holding the built-in providers, configured from the process environment.</summary>
    public ProviderRegistry()
        : this(Environment.GetEnvironmentVariable)
    {
    }

    internal ProviderRegistry(Func<string, string?> environment)
        : this(environment, () => VertexCredential.DetectGoogleCloud(environment))
    {
    }

    /// <param name="environment">Reads a variable.</param>
    /// <param name="onGoogleCloud">Whether Vertex AI may ask the metadata server for a token (tests say no: it is never probed blindly).</param>
    internal ProviderRegistry(Func<string, string?> environment, Func<bool> onGoogleCloud)
    {
        _environment = environment;
        _onGoogleCloud = onGoogleCloud;
        foreach (BuiltInProvider provider in BuiltInProvider.All)
        {
            _factories[provider.Name] = _builtIns[provider.Name] = (model, options) => CreateBuiltIn(provider, model, options);
        }
    }

    /// <summary>Gets the registry used by <see cref="ChatClients.Create"/>.</summary>
    public static ProviderRegistry Default { get; } = new();

    /// <summary>Gets the registered provider names, sorted.</summary>
    public IReadOnlyList<string> Providers => [.. _factories.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Registers (or replaces) a provider under <paramref name="name"/>, so <c>name/model</c> ids reach <paramref name="factory"/>.</summary>
    public void Register(string name, ProviderFactory factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (name.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException("A provider name cannot contain '/'.", nameof(name));
        }

        _factories[name.Trim().ToLowerInvariant()] = factory;
    }

    /// <summary>Describes a registered provider (its key and endpoint variables), or returns <see langword="null"/> when none has that name.</summary>
    public ProviderInfo? Describe(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_factories.ContainsKey(name))
        {
            return null;
        }

        BuiltInProvider? builtIn = BuiltInProvider.All.FirstOrDefault(provider => provider.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
        return builtIn is null
            ? new ProviderInfo(name.ToLowerInvariant(), "custom", [], null, null, false)
            : new ProviderInfo(builtIn.Name, builtIn.Format switch
            {
                WireFormat.Anthropic => "anthropic-messages",
                WireFormat.Gemini => "gemini",
                WireFormat.Ollama => "ollama",
                WireFormat.Cohere => "cohere-chat-v2",
                WireFormat.Vertex => "vertex",
                WireFormat.Bedrock => "bedrock-converse",
                _ => "openai-chat",
            }, builtIn.ApiKeyVariables, builtIn.EndpointVariable, builtIn.DefaultEndpoint, builtIn.RequiresApiKey);
    }

    /// <summary>Returns whether a provider of that name is registered.</summary>
    public bool Contains(string name) => _factories.ContainsKey(name);

    /// <summary>The built-in providers whose key variable is set in this registry's environment (the gateway serves their models by default).</summary>
    internal IEnumerable<string> ProvidersWithCredentials()
    {
        foreach (BuiltInProvider provider in BuiltInProvider.All)
        {
            if (provider.ApiKeyVariables.Any(variable => !string.IsNullOrEmpty(_environment(variable))))
            {
                yield return provider.Name;
            }
        }
    }

    /// <summary>Resolves a model id to its provider and model name without creating anything.</summary>
    /// <exception cref="ConfigurationException">The id names no known provider and cannot be resolved.</exception>
    public ModelReference Resolve(string modelId)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        string id = modelId.Trim();
        if (id.Length == 0)
        {
            throw new ConfigurationException("The model id is empty. Write it as provider/model, for example openai/gpt-4o-mini.");
        }

        int slash = id.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && _factories.ContainsKey(id[..slash]))
        {
            string model = id[(slash + 1)..].Trim();
            if (model.Length == 0)
            {
                throw new ConfigurationException($"The model id '{id}' names a provider but no model. Write it as {id[..slash]}/MODEL.");
            }

            return new ModelReference(id[..slash].ToLowerInvariant(), model);
        }

        if (slash < 0 && BareNameProvider(id) is string inferred && _factories.ContainsKey(inferred))
        {
            return new ModelReference(inferred, id);
        }

        string? defaultProvider = _environment("AI_PROVIDER")?.Trim();
        if (!string.IsNullOrEmpty(defaultProvider))
        {
            if (!_factories.ContainsKey(defaultProvider))
            {
                throw new ConfigurationException(
                    $"AI_PROVIDER is set to '{defaultProvider}', which is not a known provider. Known providers: {KnownList()}.", "AI_PROVIDER");
            }

            return new ModelReference(defaultProvider.ToLowerInvariant(), id);
        }

        if (slash > 0)
        {
            throw new ConfigurationException(
                $"Unknown provider '{id[..slash]}' in model id '{id}'. Known providers: {KnownList()}. " +
                "Register your own with ProviderRegistry.Register, or set AI_PROVIDER to send the whole id to one provider.");
        }

        throw new ConfigurationException(
            $"Cannot tell which provider serves '{id}'. Write it as provider/model (for example ollama/{id}) or set AI_PROVIDER. " +
            $"Known providers: {KnownList()}.", "AI_PROVIDER");
    }

    /// <summary>Creates a client for <paramref name="modelId"/>.</summary>
    /// <exception cref="ConfigurationException">The provider is unknown, or a required key or endpoint is missing.</exception>
    public IChatClient Create(string modelId, ChatClientOptions? options = null)
    {
        ModelReference reference = Resolve(modelId);
        ProviderFactory factory = _factories[reference.Provider];
        options = (options ?? new ChatClientOptions()).Validate();

        RegisterSecrets(reference, options);
        return factory(reference.Model, options);
    }

    /// <summary>Creates an embedding generator for <paramref name="modelId"/>, with the key and endpoint resolved as for chat.</summary>
    /// <remarks>
    /// Built-in providers with an embeddings API have one: OpenAI and every OpenAI-compatible provider (<c>/embeddings</c>),
    /// Gemini (<c>batchEmbedContents</c>) and Ollama (<c>/api/embed</c>). Inputs beyond the provider's per-request limit are
    /// split into several requests, reassembled in order.
    /// </remarks>
    /// <exception cref="ConfigurationException">
    /// The provider is unknown, has no embeddings API (Anthropic) or none Allos speaks (Cohere, Bedrock), was registered with <see cref="Register"/> (a chat
    /// factory only), or a required key or endpoint is missing.
    /// </exception>
    public IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(string modelId, ChatClientOptions? options = null)
    {
        ModelReference reference = Resolve(modelId);
        BuiltInProvider? provider = BuiltInProvider.All.FirstOrDefault(p => p.Name == reference.Provider);
        if (provider is null || !ReferenceEquals(_builtIns[provider.Name], _factories[provider.Name]))
        {
            throw new ConfigurationException(
                $"The provider '{reference.Provider}' is registered with a chat factory only, so Allos cannot create embeddings for it. "
                + "Give the Router deployment a ready-made Deployment.EmbeddingGenerator instead.");
        }

        if (provider.Format is WireFormat.Cohere or WireFormat.Bedrock)
        {
            throw new ConfigurationException(
                $"Allos does not create {provider.Name} embeddings (only its chat). Use an embedding model of another provider, for example openai/text-embedding-3-small, gemini/gemini-embedding-001 or ollama/nomic-embed-text.");
        }

        if (provider.Format == WireFormat.Vertex)
        {
            throw new ConfigurationException(
                $"Allos does not create {provider.Name} embeddings (only its chat). Use an embedding model of another provider, for example gemini/gemini-embedding-001 or openai/text-embedding-3-small.");
        }

        if (provider.Format == WireFormat.Anthropic)
        {
            throw new ConfigurationException(
                $"{provider.Name} has no embeddings API. Use an embedding model of another provider, for example openai/text-embedding-3-small, gemini/gemini-embedding-001 or ollama/nomic-embed-text.");
        }

        options = (options ?? new ChatClientOptions()).Validate();
        RegisterSecrets(reference, options);
        ProviderSettings settings = Settings(provider, reference.Model, options);
        return provider.Format switch
        {
            WireFormat.OpenAIChat => new OpenAIEmbeddingGenerator(settings, OpenAIDialect.For(provider.Name, options.ApiVersion ?? NonEmpty(_environment("AZURE_OPENAI_API_VERSION")))),
            WireFormat.Gemini => new GeminiEmbeddingGenerator(settings),
            _ => new OllamaEmbeddingGenerator(settings),
        };
    }

    /// <summary>A key handed over in code is as secret as one from the environment: no tool result or error may show it.</summary>
    private static void RegisterSecrets(ModelReference reference, ChatClientOptions options)
    {
        SecretRedactor.Register($"{reference.Provider} API key", options.ApiKey);
        foreach ((string header, string value) in options.Headers)
        {
            if (IsSecretHeader(header))
            {
                SecretRedactor.Register($"{header} header", value);
            }
        }
    }

    private static string? BareNameProvider(string model)
    {
        if (model.StartsWith("gpt-", StringComparison.OrdinalIgnoreCase)
            || model.StartsWith("chatgpt-", StringComparison.OrdinalIgnoreCase)
            || IsOSeries(model, "o1") || IsOSeries(model, "o3") || IsOSeries(model, "o4"))
        {
            return "openai";
        }

        if (model.StartsWith("claude", StringComparison.OrdinalIgnoreCase))
        {
            return "anthropic";
        }

        return model.StartsWith("gemini", StringComparison.OrdinalIgnoreCase) ? "gemini" : null;

        static bool IsOSeries(string model, string prefix) =>
            model.Equals(prefix, StringComparison.OrdinalIgnoreCase)
            || model.StartsWith(prefix + "-", StringComparison.OrdinalIgnoreCase);
    }

    private string KnownList() => string.Join(", ", Providers);

    private IChatClient CreateBuiltIn(BuiltInProvider provider, string model, ChatClientOptions options)
    {
        if (provider.Format == WireFormat.Vertex)
        {
            // Its key is an access token or a credential file, and its endpoint follows the location: resolved there.
            return VertexProvider.Create(provider, model, options, options.Endpoint ?? ParseEndpoint(provider, NonEmpty(_environment(provider.EndpointVariable))), _environment, _onGoogleCloud);
        }

        if (provider.Format == WireFormat.Bedrock)
        {
            // Bedrock's endpoint follows its region and its credentials are AWS's, not one key variable.
            BedrockSetup setup = BedrockSetup.Resolve(options, _environment);
            return new BedrockChatClient(new ProviderSettings(provider.Name, model, setup.Endpoint, setup.BearerToken, options), setup);
        }

        ProviderSettings settings = Settings(provider, model, options);
        return provider.Format switch
        {
            WireFormat.OpenAIChat => new OpenAIChatClient(settings, OpenAIDialect.For(provider.Name, options.ApiVersion ?? NonEmpty(_environment("AZURE_OPENAI_API_VERSION")))),
            WireFormat.Anthropic => new AnthropicChatClient(settings),
            WireFormat.Gemini => new GeminiChatClient(settings),
            WireFormat.Cohere => new CohereChatClient(settings),
            _ => new OllamaChatClient(settings),
        };
    }

    /// <summary>Resolves a built-in provider's key and endpoint from the options, then the environment, then its defaults.</summary>
    private ProviderSettings Settings(BuiltInProvider provider, string model, ChatClientOptions options)
    {
        string? apiKey = options.ApiKey;
        foreach (string variable in provider.ApiKeyVariables)
        {
            if (apiKey is null && NonEmpty(_environment(variable)) is { } found)
            {
                apiKey = found;
                SecretRedactor.Register(variable, found);
            }
        }

        if (apiKey is null && provider.RequiresApiKey)
        {
            string variable = provider.ApiKeyVariables[0];
            string alternatives = provider.ApiKeyVariables.Length > 1 ? $" (or {string.Join(" or ", provider.ApiKeyVariables[1..])})" : "";
            throw new ConfigurationException(
                $"No API key for {provider.Name}: set {variable}{alternatives}, or pass ChatClientOptions.ApiKey.", variable);
        }

        Uri endpoint = options.Endpoint
            ?? ParseEndpoint(provider, NonEmpty(_environment(provider.EndpointVariable)))
            ?? (provider.DefaultEndpoint is string fallback
                ? new Uri(fallback)
                : throw new ConfigurationException(
                    $"No endpoint for {provider.Name}: set {provider.EndpointVariable}, or pass ChatClientOptions.Endpoint.", provider.EndpointVariable));

        return new ProviderSettings(provider.Name, model, endpoint, apiKey, options);
    }

    private static Uri? ParseEndpoint(BuiltInProvider provider, string? value)
    {
        if (value is null)
        {
            return null;
        }

        // OLLAMA_HOST is often written as host:port or a bind address such as 0.0.0.0; as in Ollama, no scheme means
        // http and port 11434, while an explicit scheme without a port means that scheme's port.
        bool schemeAdded = false;
        if (provider.Format == WireFormat.Ollama && !value.Contains("://", StringComparison.Ordinal))
        {
            value = "http://" + value;
            schemeAdded = true;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ConfigurationException(
                $"{provider.EndpointVariable} must be an http(s) URL; it is '{value}'.", provider.EndpointVariable);
        }

        if (provider.Format == WireFormat.Ollama)
        {
            var builder = new UriBuilder(uri);
            if (builder.Host is "0.0.0.0" or "::" or "[::]")
            {
                builder.Host = "127.0.0.1";
            }

            if (schemeAdded && uri.IsDefaultPort)
            {
                builder.Port = 11434;
            }

            uri = builder.Uri;
        }

        return uri;
    }

    private static bool IsSecretHeader(string name) =>
        name.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || name.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase)
        || name.Contains("key", StringComparison.OrdinalIgnoreCase) || name.Contains("token", StringComparison.OrdinalIgnoreCase)
        || name.Contains("secret", StringComparison.OrdinalIgnoreCase);

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
