using Allos.Providers;
using Allos.Tests.Shared;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Providers;

public sealed class ProviderRegistryTests
{
    [Theory]
    [InlineData("openai/gpt-4o-mini", "openai", "gpt-4o-mini")]
    [InlineData("anthropic/claude-sonnet-4-5", "anthropic", "claude-sonnet-4-5")]
    [InlineData("ollama/llama3.1", "ollama", "llama3.1")]
    [InlineData("OLLAMA/llama3.1", "ollama", "llama3.1")]
    [InlineData("  groq/llama-3.3-70b-versatile ", "groq", "llama-3.3-70b-versatile")]
    [InlineData("openrouter/anthropic/claude-3.5-sonnet", "openrouter", "anthropic/claude-3.5-sonnet")]
    public void Resolve_ProviderSlashModel_SplitsAtFirstSlash(string id, string provider, string model)
    {
        ProviderRegistry registry = Registry();

        registry.Resolve(id).ShouldBe(new ModelReference(provider, model));
    }

    [Theory]
    [InlineData("gpt-4o-mini", "openai")]
    [InlineData("GPT-4.1", "openai")]
    [InlineData("chatgpt-4o-latest", "openai")]
    [InlineData("o1", "openai")]
    [InlineData("o1-mini", "openai")]
    [InlineData("o3-mini", "openai")]
    [InlineData("o4-mini", "openai")]
    [InlineData("claude-sonnet-4-5", "anthropic")]
    [InlineData("claude-3-5-haiku-latest", "anthropic")]
    [InlineData("gemini-2.5-flash", "gemini")]
    public void Resolve_BareName_InfersProviderFromPrefix(string id, string provider)
    {
        ProviderRegistry registry = Registry();

        registry.Resolve(id).ShouldBe(new ModelReference(provider, id));
    }

    [Theory]
    [InlineData("ollama3")]
    [InlineData("o1x")]
    [InlineData("o3mini")]
    [InlineData("llama3.1")]
    public void Resolve_NameThatOnlyLooksLikeAPrefix_IsNotInferredAndAsksForAiProvider(string id)
    {
        ProviderRegistry registry = Registry();

        ConfigurationException error = Should.Throw<ConfigurationException>(() => registry.Resolve(id));

        error.VariableName.ShouldBe("AI_PROVIDER");
        error.Message.ShouldContain($"ollama/{id}");
        error.Message.ShouldContain("Known providers:");
    }

    [Fact]
    public void Resolve_AiProvider_IsTheDefaultForNamesWithoutPrefix()
    {
        ProviderRegistry registry = Registry(("AI_PROVIDER", "ollama"));

        registry.Resolve("ollama3").ShouldBe(new ModelReference("ollama", "ollama3"));
        registry.Resolve("llama3.1").ShouldBe(new ModelReference("ollama", "llama3.1"));
    }

    [Fact]
    public void Resolve_AiProvider_DoesNotOverrideAKnownPrefix()
    {
        ProviderRegistry registry = Registry(("AI_PROVIDER", "ollama"));

        registry.Resolve("gpt-4o").ShouldBe(new ModelReference("openai", "gpt-4o"));
        registry.Resolve("anthropic/claude-sonnet-4-5").ShouldBe(new ModelReference("anthropic", "claude-sonnet-4-5"));
    }

    [Fact]
    public void Resolve_AiProviderWithUnknownPrefix_SendsTheWholeIdToTheDefaultProvider()
    {
        ProviderRegistry registry = Registry(("AI_PROVIDER", "OpenRouter"));

        registry.Resolve("meta-llama/llama-3.1-8b-instruct").ShouldBe(new ModelReference("openrouter", "meta-llama/llama-3.1-8b-instruct"));
    }

    [Fact]
    public void Resolve_UnknownAiProvider_ThrowsListingKnownProviders()
    {
        ProviderRegistry registry = Registry(("AI_PROVIDER", "nonesuch"));

        ConfigurationException error = Should.Throw<ConfigurationException>(() => registry.Resolve("llama3.1"));

        error.VariableName.ShouldBe("AI_PROVIDER");
        error.Message.ShouldContain("'nonesuch'");
        foreach (string known in (string[])["anthropic", "gemini", "ollama", "openai", "openai-compatible"])
        {
            error.Message.ShouldContain(known);
        }
    }

    [Fact]
    public void Resolve_UnknownPrefix_ThrowsListingKnownProviders()
    {
        ProviderRegistry registry = Registry();

        ConfigurationException error = Should.Throw<ConfigurationException>(() => registry.Resolve("nonesuch/some-model"));

        error.Message.ShouldContain("Unknown provider 'nonesuch'");
        error.Message.ShouldContain("anthropic, azure, bedrock, cohere, deepseek");
        error.Message.ShouldContain("ProviderRegistry.Register");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Resolve_EmptyId_Throws(string id)
    {
        ProviderRegistry registry = Registry(("AI_PROVIDER", "ollama"));

        ConfigurationException error = Should.Throw<ConfigurationException>(() => registry.Resolve(id));

        error.Message.ShouldContain("empty");
    }

    [Fact]
    public void Resolve_ProviderWithoutModel_ThrowsSayingHowToWriteIt()
    {
        ProviderRegistry registry = Registry(("AI_PROVIDER", "ollama"));

        ConfigurationException error = Should.Throw<ConfigurationException>(() => registry.Resolve("openai/"));

        error.Message.ShouldContain("openai/MODEL");
    }

    [Fact]
    public void Resolve_Null_ThrowsArgumentNull()
    {
        Should.Throw<ArgumentNullException>(() => Registry().Resolve(null!));
    }

    [Theory]
    [InlineData("openai/gpt-4o-mini", "OPENAI_API_KEY")]
    [InlineData("gpt-4o-mini", "OPENAI_API_KEY")]
    [InlineData("anthropic/claude-sonnet-4-5", "ANTHROPIC_API_KEY")]
    [InlineData("groq/llama-3.3-70b-versatile", "GROQ_API_KEY")]
    [InlineData("azure/gpt-4o", "AZURE_OPENAI_API_KEY")]
    public void Create_MissingKey_ThrowsNamingTheVariable(string id, string variable)
    {
        ProviderRegistry registry = Registry();

        ConfigurationException error = Should.Throw<ConfigurationException>(() => registry.Create(id));

        error.VariableName.ShouldBe(variable);
        error.Message.ShouldContain(variable);
        error.Message.ShouldContain("ChatClientOptions.ApiKey");
    }

    [Fact]
    public void Create_GeminiWithoutKey_NamesBothVariables()
    {
        ProviderRegistry registry = Registry();

        ConfigurationException error = Should.Throw<ConfigurationException>(() => registry.Create("gemini/gemini-2.5-flash"));

        error.VariableName.ShouldBe("GEMINI_API_KEY");
        error.Message.ShouldContain("GEMINI_API_KEY");
        error.Message.ShouldContain("GOOGLE_API_KEY");
    }

    [Fact]
    public void Create_GeminiWithGoogleApiKeyAlone_Succeeds()
    {
        ProviderRegistry registry = Registry(("GOOGLE_API_KEY", "g-key"));

        using IChatClient client = registry.Create("gemini-2.5-flash");

        client.ShouldNotBeNull();
    }

    [Fact]
    public void Create_KeyInOptions_SatisfiesTheRequirement()
    {
        ProviderRegistry registry = Registry();

        using IChatClient client = registry.Create("openai/gpt-4o-mini", new ChatClientOptions { ApiKey = "sk-explicit" });

        Metadata(client).ProviderName.ShouldBe("openai");
    }

    [Theory]
    [InlineData("ollama/llama3.1", "ollama", "http://localhost:11434/")]
    [InlineData("lmstudio/qwen2.5-7b-instruct", "lmstudio", "http://localhost:1234/v1")]
    [InlineData("vllm/meta-llama/Llama-3.1-8B-Instruct", "vllm", "http://localhost:8000/v1")]
    public void Create_KeylessProvider_SucceedsWithDefaultEndpoint(string id, string provider, string endpoint)
    {
        ProviderRegistry registry = Registry();

        using IChatClient client = registry.Create(id);

        ChatClientMetadata metadata = Metadata(client);
        metadata.ProviderName.ShouldBe(provider);
        metadata.ProviderUri.ShouldBe(new Uri(endpoint));
        metadata.DefaultModelId.ShouldBe(id[(id.IndexOf('/', StringComparison.Ordinal) + 1)..]);
    }

    [Fact]
    public void Create_Cohere_UsesTheDefaultEndpointAndKeyVariable()
    {
        ProviderRegistry registry = Registry(("COHERE_API_KEY", "co-key"));

        using IChatClient client = registry.Create("cohere/command-a-03-2025");

        ChatClientMetadata metadata = Metadata(client);
        metadata.ProviderName.ShouldBe("cohere");
        metadata.ProviderUri.ShouldBe(new Uri("https://api.cohere.com"));
        metadata.DefaultModelId.ShouldBe("command-a-03-2025");
    }

    [Fact]
    public void Create_Bedrock_UsesTheRegionsRuntimeEndpoint()
    {
        ProviderRegistry registry = Registry(("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"), ("AWS_SECRET_ACCESS_KEY", "secret"), ("AWS_REGION", "eu-west-1"));

        using IChatClient client = registry.Create("bedrock/amazon.nova-pro-v1:0");

        ChatClientMetadata metadata = Metadata(client);
        metadata.ProviderName.ShouldBe("bedrock");
        metadata.ProviderUri.ShouldBe(new Uri("https://bedrock-runtime.eu-west-1.amazonaws.com"));
        metadata.DefaultModelId.ShouldBe("amazon.nova-pro-v1:0");
        ProviderInfo info = registry.Describe("bedrock").ShouldNotBeNull();
        info.Protocol.ShouldBe("bedrock-converse");
        info.EndpointVariable.ShouldBe("BEDROCK_BASE_URL");
        registry.ProvidersWithCredentials().ShouldContain("bedrock");
        info.ApiKeyVariables.ShouldBe(["AWS_BEARER_TOKEN_BEDROCK", "AWS_SECRET_ACCESS_KEY"]);
    }

    [Fact]
    public void Create_CohereWithoutKey_NamesCohereApiKey()
    {
        ProviderRegistry registry = Registry();

        ConfigurationException error = Should.Throw<ConfigurationException>(() => registry.Create("cohere/command-a-03-2025"));

        error.VariableName.ShouldBe("COHERE_API_KEY");
        error.Message.ShouldContain("COHERE_API_KEY");
    }

    [Fact]
    public void Create_CohereBaseUrlNotAUrl_NamesTheVariable()
    {
        ProviderRegistry registry = Registry(("COHERE_API_KEY", "co-key"), ("COHERE_BASE_URL", "api.cohere.example"));

        ConfigurationException error = Should.Throw<ConfigurationException>(() => registry.Create("cohere/command-a-03-2025"));

        error.VariableName.ShouldBe("COHERE_BASE_URL");
    }

    [Fact]
    public void Create_AzureWithoutEndpoint_NamesAzureOpenAIEndpoint()
    {
        ProviderRegistry registry = Registry(("AZURE_OPENAI_API_KEY", "az-key"));

        ConfigurationException error = Should.Throw<ConfigurationException>(() => registry.Create("azure/gpt-4o"));

        error.VariableName.ShouldBe("AZURE_OPENAI_ENDPOINT");
        error.Message.ShouldContain("AZURE_OPENAI_ENDPOINT");
    }

    [Fact]
    public void Create_AzureWithEndpoint_ReportsAzureMetadata()
    {
        ProviderRegistry registry = Registry(("AZURE_OPENAI_API_KEY", "az-key"), ("AZURE_OPENAI_ENDPOINT", "https://myres.openai.azure.com"));

        using IChatClient client = registry.Create("azure/gpt-4o");

        ChatClientMetadata metadata = Metadata(client);
        metadata.ProviderName.ShouldBe("azure");
        metadata.ProviderUri.ShouldBe(new Uri("https://myres.openai.azure.com"));
    }

    [Fact]
    public void Create_OpenAICompatibleWithoutBaseUrl_NamesTheVariable()
    {
        ProviderRegistry registry = Registry();

        ConfigurationException error = Should.Throw<ConfigurationException>(() => registry.Create("openai-compatible/my-model"));

        error.VariableName.ShouldBe("OPENAI_COMPATIBLE_BASE_URL");
        error.Message.ShouldContain("OPENAI_COMPATIBLE_BASE_URL");
    }

    [Fact]
    public void Create_OpenAICompatibleWithBaseUrl_NeedsNoKey()
    {
        ProviderRegistry registry = Registry(("OPENAI_COMPATIBLE_BASE_URL", "http://gpu-box:9000/v1"));

        using IChatClient client = registry.Create("openai-compatible/my-model");

        ChatClientMetadata metadata = Metadata(client);
        metadata.ProviderName.ShouldBe("openai-compatible");
        metadata.ProviderUri.ShouldBe(new Uri("http://gpu-box:9000/v1"));
    }

    [Theory]
    [InlineData("localhost", "http", "localhost", 11434)]
    [InlineData("myhost:8080", "http", "myhost", 8080)]
    [InlineData("0.0.0.0:11434", "http", "127.0.0.1", 11434)]
    [InlineData("0.0.0.0", "http", "127.0.0.1", 11434)]
    [InlineData("http://myhost", "http", "myhost", 80)]
    [InlineData("https://x", "https", "x", 443)]
    [InlineData("https://ollama.example.com:8443", "https", "ollama.example.com", 8443)]
    public void Create_OllamaHost_IsReadLikeOllamaReadsIt(string host, string scheme, string expectedHost, int port)
    {
        ProviderRegistry registry = Registry(("OLLAMA_HOST", host));

        using IChatClient client = registry.Create("ollama/llama3.1");

        Uri endpoint = Metadata(client).ProviderUri.ShouldNotBeNull();
        endpoint.Scheme.ShouldBe(scheme);
        endpoint.Host.ShouldBe(expectedHost);
        endpoint.Port.ShouldBe(port);
    }

    [Fact]
    public void Create_OllamaHostNotHttp_ThrowsNamingTheVariable()
    {
        ProviderRegistry registry = Registry(("OLLAMA_HOST", "ftp://myhost"));

        ConfigurationException error = Should.Throw<ConfigurationException>(() => registry.Create("ollama/llama3.1"));

        error.VariableName.ShouldBe("OLLAMA_HOST");
    }

    [Fact]
    public void Create_EndpointInOptions_WinsOverEnvironment()
    {
        ProviderRegistry registry = Registry(("OLLAMA_HOST", "otherhost:1"));

        using IChatClient client = registry.Create("ollama/llama3.1", new ChatClientOptions { Endpoint = new Uri("http://explicit:5555") });

        Metadata(client).ProviderUri.ShouldBe(new Uri("http://explicit:5555"));
    }

    [Theory]
    [InlineData("openai/gpt-4o-mini", "OPENAI_API_KEY", "openai", "https://api.openai.com/v1")]
    [InlineData("groq/llama-3.3-70b-versatile", "GROQ_API_KEY", "groq", "https://api.groq.com/openai/v1")]
    [InlineData("mistral/mistral-large-latest", "MISTRAL_API_KEY", "mistral", "https://api.mistral.ai/v1")]
    [InlineData("deepseek/deepseek-chat", "DEEPSEEK_API_KEY", "deepseek", "https://api.deepseek.com/v1")]
    [InlineData("openrouter/openai/gpt-4o", "OPENROUTER_API_KEY", "openrouter", "https://openrouter.ai/api/v1")]
    [InlineData("xai/grok-4", "XAI_API_KEY", "xai", "https://api.x.ai/v1")]
    public void Create_OpenAIFamily_ReportsProviderMetadata(string id, string keyVariable, string provider, string endpoint)
    {
        ProviderRegistry registry = Registry((keyVariable, "key"));

        using IChatClient client = registry.Create(id);

        ChatClientMetadata metadata = Metadata(client);
        metadata.ProviderName.ShouldBe(provider);
        metadata.ProviderUri.ShouldBe(new Uri(endpoint));
    }

    [Fact]
    public void Create_OpenAIBaseUrl_OverridesTheEndpoint()
    {
        ProviderRegistry registry = Registry(("OPENAI_API_KEY", "key"), ("OPENAI_BASE_URL", "http://proxy.local/v1"));

        using IChatClient client = registry.Create("gpt-4o-mini");

        Metadata(client).ProviderUri.ShouldBe(new Uri("http://proxy.local/v1"));
    }

    [Fact]
    public void Create_InvalidTimeout_ThrowsConfigurationException()
    {
        ProviderRegistry registry = Registry();

        Should.Throw<ConfigurationException>(() => registry.Create("ollama/llama3.1", new ChatClientOptions { Timeout = TimeSpan.FromSeconds(-1) }))
            .Message.ShouldContain("Timeout");
    }

    [Fact]
    public void Register_CustomFactory_ReceivesModelAndOptions()
    {
        ProviderRegistry registry = Registry();
        string? seenModel = null;
        ChatClientOptions? seenOptions = null;
        using var stub = new TestChatClient();
        registry.Register("MyProvider", (model, options) =>
        {
            seenModel = model;
            seenOptions = options;
            return stub;
        });

        IChatClient client = registry.Create("myprovider/some/model-1");

        client.ShouldBeSameAs(stub);
        seenModel.ShouldBe("some/model-1");
        seenOptions.ShouldNotBeNull();
        registry.Contains("MYPROVIDER").ShouldBeTrue();
        registry.Providers.ShouldContain("myprovider");
        registry.Resolve("MyProvider/x").ShouldBe(new ModelReference("myprovider", "x"));
    }

    [Fact]
    public void Register_OverridingBuiltIn_ReplacesItForPrefixedAndBareNames()
    {
        ProviderRegistry registry = Registry();
        using var stub = new TestChatClient();
        var models = new List<string>();
        registry.Register("openai", (model, _) =>
        {
            models.Add(model);
            return stub;
        });

        // No OPENAI_API_KEY: the built-in factory would have refused.
        registry.Create("openai/gpt-4o").ShouldBeSameAs(stub);
        registry.Create("gpt-4o-mini").ShouldBeSameAs(stub);
        models.ShouldBe(["gpt-4o", "gpt-4o-mini"]);
        registry.Providers.Count(p => p == "openai").ShouldBe(1);
    }

    [Theory]
    [InlineData("my/provider")]
    [InlineData("/")]
    public void Register_NameWithSlash_Throws(string name)
    {
        ProviderRegistry registry = Registry();

        ArgumentException error = Should.Throw<ArgumentException>(() => registry.Register(name, (_, _) => new TestChatClient()));

        error.ParamName.ShouldBe("name");
        registry.Contains(name).ShouldBeFalse();
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Register_EmptyName_Throws(string name)
    {
        Should.Throw<ArgumentException>(() => Registry().Register(name, (_, _) => new TestChatClient()));
    }

    [Fact]
    public void Register_NullFactory_Throws()
    {
        Should.Throw<ArgumentNullException>(() => Registry().Register("mine", null!));
    }

    private static ProviderRegistry Registry(params (string Name, string Value)[] variables)
    {
        Dictionary<string, string> environment = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        return new ProviderRegistry(name => environment.GetValueOrDefault(name));
    }

    private static ChatClientMetadata Metadata(IChatClient client) => client.GetService<ChatClientMetadata>().ShouldNotBeNull();
}
