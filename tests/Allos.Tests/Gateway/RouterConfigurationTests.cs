using Allos.Configuration;
using Allos.Gateway;
using Allos.Gateway.Caching;

namespace Allos.Tests.Gateway;

public sealed class RouterConfigurationTests
{
    private static readonly Dictionary<string, string?> Environment = new()
    {
        ["OPENAI_KEY_2"] = "sk-two",
        ["TEAM"] = "search",
        ["HOME"] = "/home/u",
    };

    private static RouterOptions Load(string yaml, Dictionary<string, string?>? environment = null) =>
        RouterConfiguration.LoadYaml(yaml, "allos.yaml", name => (environment ?? Environment).GetValueOrDefault(name));

    private static ConfigurationException Fails(string yaml) => Should.Throw<ConfigurationException>(() => Load(yaml));

    [Fact]
    public void LoadYaml_EveryKey_MapsToItsOption()
    {
        RouterOptions options = Load("""
            default_model: fast
            router:
              strategy: least_busy
              retries: 4
              retry_delay: 250ms
              max_retry_delay: 20s
              max_retry_after: 2m
              timeout: 90s
              stream_idle_timeout: 3m
              cooldown: { failures: 5, window: 2m, duration: 45s }
              rate_limit_queue_timeout: 0
              cache: { type: memory, max_entries: 10, max_bytes: 1MB, ttl: 2h }
              budgets:
                - { scope: global, period: day, limit: 5.00 }
                - { scope: alias, key: complex, period: month, limit: $50 }
                - { scope: user, period: total, limit: 1 }
                - { scope: session, period: day, limit: "$0.25" }
            models:
              fast:
                strategy: weighted_shuffle
                cache: true
                cache_ttl: 10m
                fallbacks: [complex]
                context_window_fallbacks: [long]
                content_policy_fallbacks: [claude, openai/gpt-4o]
                deployments:
                  - model: openai/gpt-4o-mini
                    name: oai-mini
                    api_key: ${OPENAI_KEY_2}
                    base_url: https://proxy.example.com/v1
                    api_version: 2024-10-21
                    headers: { X-Team: "${TEAM}", X-Other: b }
                    weight: 3
                    priority: 2
                    rpm: 500
                    tpm: 200000
                    timeout: 30s
                    stream_idle_timeout: 45s
                    tags: [cheap, openai]
                  - groq/llama-3.1-8b-instant
              complex:
                strategy: lowest_cost
                deployments:
                  - model: azure/gpt-4o
                    endpoint: https://my.openai.azure.com
              long: gemini/gemini-2.5-pro
              claude: anthropic/claude-sonnet-4-5
            """);

        options.DefaultModel.ShouldBe("fast");
        options.Strategy.ShouldBe(RoutingStrategy.LeastBusy);
        options.MaxRetries.ShouldBe(4);
        options.RetryDelay.ShouldBe(TimeSpan.FromMilliseconds(250));
        options.MaxRetryDelay.ShouldBe(TimeSpan.FromSeconds(20));
        options.MaxRetryAfter.ShouldBe(TimeSpan.FromMinutes(2));
        options.RequestTimeout.ShouldBe(TimeSpan.FromSeconds(90));
        options.StreamIdleTimeout.ShouldBe(TimeSpan.FromMinutes(3));
        options.CooldownFailures.ShouldBe(5);
        options.CooldownWindow.ShouldBe(TimeSpan.FromMinutes(2));
        options.CooldownDuration.ShouldBe(TimeSpan.FromSeconds(45));
        options.RateLimitQueueTimeout.ShouldBe(TimeSpan.Zero);
        options.Cache.ShouldBeOfType<MemoryResponseCache>();
        options.CacheTtl.ShouldBe(TimeSpan.FromHours(2));
        options.Budgets.ShouldBe(
        [
            new Budget(BudgetScope.Global, BudgetPeriod.Day, 5.00m),
            new Budget(BudgetScope.Alias, BudgetPeriod.Month, 50m) { Key = "complex" },
            new Budget(BudgetScope.User, BudgetPeriod.Total, 1m),
            new Budget(BudgetScope.Session, BudgetPeriod.Day, 0.25m),
        ]);

        options.Groups.Select(g => g.Alias).ShouldBe(["fast", "complex", "long", "claude"]);
        ModelGroup fast = options.Groups[0];
        fast.Strategy.ShouldBe(RoutingStrategy.WeightedShuffle);
        fast.Cache.ShouldBeTrue();
        fast.CacheTtl.ShouldBe(TimeSpan.FromMinutes(10));
        fast.Fallbacks.ShouldBe(["complex"]);
        fast.ContextWindowFallbacks.ShouldBe(["long"]);
        fast.ContentPolicyFallbacks.ShouldBe(["claude", "openai/gpt-4o"]);
        fast.Deployments.Count.ShouldBe(2);

        Deployment mini = fast.Deployments[0];
        mini.Model.ShouldBe("openai/gpt-4o-mini");
        mini.Name.ShouldBe("oai-mini");
        mini.ApiKey.ShouldBe("sk-two");
        mini.Endpoint.ShouldBe(new Uri("https://proxy.example.com/v1"));
        mini.ApiVersion.ShouldBe("2024-10-21");
        mini.StreamIdleTimeout.ShouldBe(TimeSpan.FromSeconds(45));
        mini.Headers.ShouldNotBeNull();
        mini.Headers["X-Team"].ShouldBe("search");
        mini.Headers["X-Other"].ShouldBe("b");
        mini.Weight.ShouldBe(3);
        mini.Priority.ShouldBe(2);
        mini.RequestsPerMinute.ShouldBe(500);
        mini.TokensPerMinute.ShouldBe(200000);
        mini.Timeout.ShouldBe(TimeSpan.FromSeconds(30));
        mini.Tags.ShouldBe(["cheap", "openai"]);

        Deployment groq = fast.Deployments[1];
        groq.Model.ShouldBe("groq/llama-3.1-8b-instant");
        groq.Weight.ShouldBe(1);
        groq.ApiKey.ShouldBeNull();
        groq.Endpoint.ShouldBeNull();

        options.Groups[1].Strategy.ShouldBe(RoutingStrategy.LowestCost);
        options.Groups[1].Deployments.ShouldHaveSingleItem().Endpoint.ShouldBe(new Uri("https://my.openai.azure.com"));
        options.Groups[1].Cache.ShouldBeFalse();
        options.Groups[1].CacheTtl.ShouldBeNull();
    }

    [Fact]
    public void LoadYaml_Empty_Defaults()
    {
        RouterOptions options = Load("");
        var defaults = new RouterOptions();

        options.Groups.ShouldBeEmpty();
        options.Cache.ShouldBeNull();
        options.DefaultModel.ShouldBeNull();
        options.MaxRetries.ShouldBe(defaults.MaxRetries);
        options.RetryDelay.ShouldBe(defaults.RetryDelay);
        options.Strategy.ShouldBe(defaults.Strategy);
    }

    [Fact]
    public void LoadYaml_OmittedKeys_KeepDefaults()
    {
        RouterOptions options = Load("""
            router:
              retries: 0
            models:
              fast: openai/gpt-4o-mini
            """);
        var defaults = new RouterOptions();

        options.MaxRetries.ShouldBe(0);
        options.RetryDelay.ShouldBe(defaults.RetryDelay);
        options.CooldownFailures.ShouldBe(defaults.CooldownFailures);
        options.RateLimitQueueTimeout.ShouldBe(defaults.RateLimitQueueTimeout);
        options.RequestTimeout.ShouldBeNull();
        options.Cache.ShouldBeNull();
        options.CacheTtl.ShouldBe(defaults.CacheTtl);
        options.Groups[0].Strategy.ShouldBeNull();
    }

    [Fact]
    public void LoadYaml_TheCommandsSections_LoadBesideTheRouters()
    {
        RouterOptions options = Load("""
            model: openai/gpt-4o
            tools: [files, search]
            autonomy: supervised
            agents: team.yaml
            models:
              fast: openai/gpt-4o-mini
            """);

        options.Groups.ShouldHaveSingleItem().Alias.ShouldBe("fast");
        options.DefaultModel.ShouldBe("openai/gpt-4o");
    }

    [Fact]
    public void LoadYaml_UnknownTopLevelSection_IsAnErrorWithTheLine()
    {
        ConfigurationException error = Fails("models:\n  fast: openai/gpt-4o-mini\ntelemetry: { anything: 1 }\n");

        error.Message.ShouldStartWith("allos.yaml:3: unknown key 'telemetry'");
    }

    [Fact]
    public void LoadYaml_StringShorthands_AreDeploymentsWithDefaults()
    {
        RouterOptions options = Load("""
            router:
              cache: none
            models:
              claude: anthropic/claude-sonnet-4-5
              pair: [openai/gpt-4o-mini, groq/llama-3.1-8b-instant]
              single: { model: ollama/llama3.1, base_url: "http://localhost:11434", fallbacks: "claude, pair" }
            """);

        options.Cache.ShouldBeNull();
        options.Groups[0].Deployments.ShouldHaveSingleItem().Model.ShouldBe("anthropic/claude-sonnet-4-5");
        options.Groups[1].Deployments.Select(d => d.Model).ShouldBe(["openai/gpt-4o-mini", "groq/llama-3.1-8b-instant"]);
        Deployment single = options.Groups[2].Deployments.ShouldHaveSingleItem();
        single.Model.ShouldBe("ollama/llama3.1");
        single.Endpoint.ShouldBe(new Uri("http://localhost:11434"));
        options.Groups[2].Fallbacks.ShouldBe(["claude", "pair"]);
    }

    [Fact]
    public void LoadYaml_CacheTypes_CreateTheMatchingCache()
    {
        Load("router: { cache: memory }").Cache.ShouldBeOfType<MemoryResponseCache>();
        Load("router: { cache: { type: MEMORY } }").Cache.ShouldBeOfType<MemoryResponseCache>();
        Load("router: { cache: { type: none, ttl: 5m } }").Cache.ShouldBeNull();
    }

    [Fact]
    public void LoadYaml_PostgresCache_TakesCacheUrl_ElseTheStoreSettingInEffect()
    {
        static ResponseCacheOptions Cache(string yaml, string? databaseUrl = null) =>
            AllosConfiguration.Load(yaml, "allos.yaml", name => name == "ALLOS_DATABASE_URL" ? databaseUrl : null, "/base").Cache!;

        ResponseCacheOptions fromUrl = Cache("store: postgres://db/store\nrouter:\n  cache: { type: postgres, url: \"postgres://cache/responses\", max_entries: 50 }\n");
        fromUrl.Type.ShouldBe(ResponseCacheType.Postgres);
        fromUrl.Url.ShouldBe("postgres://cache/responses");
        fromUrl.MaxEntries.ShouldBe(50);
        fromUrl.Path.ShouldBeNull();

        Cache("router:\n  cache: { url: \"Host=cache;Database=responses\" }\n").Type.ShouldBe(ResponseCacheType.Postgres, "a url alone says postgres, as a path says sqlite");
        Cache("store: postgres://db/store\nrouter:\n  cache: postgres\n").Url.ShouldBe("postgres://db/store");
        Cache("store: postgres://db/store\nrouter:\n  cache: postgres\n", databaseUrl: "postgres://env/wins").Url.ShouldBe("postgres://env/wins");
        Cache("router:\n  cache: postgres\n", databaseUrl: "postgres://env/only").Url.ShouldBe("postgres://env/only");
    }

    [Fact]
    public void LoadYaml_CacheWithoutTypeAndAPostgresStore_StaysInMemory()
    {
        AllosOptions options = AllosConfiguration.Load("store: postgres://db/store\nrouter:\n  cache: { ttl: 5m }\n", "allos.yaml", _ => null, "/base");

        options.Cache!.Type.ShouldBe(ResponseCacheType.Memory);
        options.Cache.Url.ShouldBeNull();
        options.CreateRouterOptions().Cache.ShouldBeOfType<MemoryResponseCache>();
    }

    [Fact]
    public void LoadYaml_MalformedPostgresCacheUrl_ErrorGivesTheLineNeverThePassword()
    {
        ConfigurationException error = Fails("router:\n  cache:\n    type: postgres\n    url: \"postgres://allos:hunter2secret@db:notaport/allos\"\n");

        error.Message.ShouldStartWith("allos.yaml:4: cache.url (for the PostgreSQL cache): The PostgreSQL URL is malformed");
        error.Message.ShouldNotContain("hunter2secret");
    }

    [Fact]
    public void Create_PostgresWithoutUrl_SaysWhatToSet()
    {
        var options = new ResponseCacheOptions { Type = ResponseCacheType.Postgres, Url = "/data/cache.db" };

        Should.Throw<InvalidOperationException>(() => options.Create()).Message.ShouldContain("set ResponseCacheOptions.Url (cache.url in allos.yaml) or ALLOS_DATABASE_URL");
    }

    [Fact]
    public void LoadYaml_StrategySpellings_AllAccepted()
    {
        Load("router: { strategy: weighted }").Strategy.ShouldBe(RoutingStrategy.WeightedShuffle);
        Load("router: { strategy: weighted-shuffle }").Strategy.ShouldBe(RoutingStrategy.WeightedShuffle);
        Load("router: { strategy: Lowest_Latency }").Strategy.ShouldBe(RoutingStrategy.LowestLatency);
        Load("router: { strategy: priority }").Strategy.ShouldBe(RoutingStrategy.Priority);
    }

    [Fact]
    public void LoadYaml_EnvironmentVariables_ExpandedInsideValues()
    {
        RouterOptions options = Load("""
            models:
              fast:
                deployments:
                  - model: openai/gpt-4o-mini
                    api_key: ${OPENAI_KEY_2}
                    headers: { Authorization: "Bearer ${OPENAI_KEY_2}-${TEAM}" }
                    base_url: https://${TEAM}.example.com
            """);

        Deployment deployment = options.Groups[0].Deployments[0];
        deployment.ApiKey.ShouldBe("sk-two");
        deployment.Headers!["Authorization"].ShouldBe("Bearer sk-two-search");
        deployment.Endpoint.ShouldBe(new Uri("https://search.example.com"));
    }

    [Fact]
    public void LoadYaml_UnsetVariable_ErrorNamesItAndTheLine()
    {
        ConfigurationException error = Fails("""
            models:
              fast:
                deployments:
                  - model: openai/gpt-4o-mini
                    api_key: ${MISSING_KEY}
            """);

        error.Message.ShouldStartWith("allos.yaml:5:");
        error.Message.ShouldContain("MISSING_KEY");
        error.VariableName.ShouldBe("MISSING_KEY");
    }

    [Fact]
    public void LoadYaml_EmptyVariable_TreatedAsUnset()
    {
        ConfigurationException error = Should.Throw<ConfigurationException>(() =>
            Load("models: { fast: { model: a/b, api_key: '${EMPTY}' } }", new() { ["EMPTY"] = "" }));

        error.VariableName.ShouldBe("EMPTY");
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("45", 45_000)]
    [InlineData("0", 0)]
    [InlineData("10 S", 10_000)]
    public void LoadYaml_Durations_Parse(string text, int milliseconds) =>
        Load($"router: {{ retry_delay: {text} }}").RetryDelay.ShouldBe(TimeSpan.FromMilliseconds(milliseconds));

    [Fact]
    public void LoadYaml_Money_AcceptsDollarSignAndDecimals()
    {
        Load("router: { budgets: [ { scope: global, period: day, limit: $1.25 } ] }").Budgets[0].Limit.ShouldBe(1.25m);
        Load("router: { budgets: [ { scope: global, period: day, limit: 3 } ] }").Budgets[0].Limit.ShouldBe(3m);
        Load("router: { budgets: [ { scope: global, period: day, limit: 0 } ] }").Budgets[0].Limit.ShouldBe(0m);
    }

    [Theory]
    // Unknown choices list the valid values.
    [InlineData("router:\n  strategy: fastest\n", 2, "unknown strategy 'fastest'; valid values: priority, weighted, weighted_shuffle, least_busy, lowest_latency, lowest_cost")]
    [InlineData("models:\n  fast:\n    strategy: random\n    deployments: [a/b]\n", 3, "unknown strategy 'random'")]
    [InlineData("router:\n  budgets:\n    - { scope: team, period: day, limit: 1 }\n", 3, "unknown scope 'team'; valid values: global, alias, user, session")]
    [InlineData("router:\n  budgets:\n    - { scope: user, period: week, limit: 1 }\n", 3, "unknown period 'week'; valid values: day, month, total")]
    [InlineData("router:\n  cache: { type: redis }\n", 2, "unknown cache type 'redis'; valid values: none, memory, sqlite, postgres")]
    // Negative numbers.
    [InlineData("router:\n  retries: -1\n", 2, "retries must be 0 or more, not -1")]
    [InlineData("router:\n  retry_delay: -5s\n", 2, "retry_delay must be 0 or more")]
    [InlineData("router:\n  cooldown:\n    failures: 0\n", 3, "failures must be 1 or more")]
    [InlineData("router:\n  budgets:\n    - { scope: global, period: day, limit: -5 }\n", 3, "limit must not be negative")]
    [InlineData("models:\n  fast:\n    deployments:\n      - { model: a/b, rpm: -10 }\n", 4, "rpm must be 1 or more, not -10")]
    [InlineData("models:\n  fast:\n    deployments:\n      - { model: a/b, priority: -1 }\n", 4, "priority must be 0 or more")]
    [InlineData("router:\n  cache: { type: memory, max_entries: 0 }\n", 2, "max_entries must be 1 or more")]
    [InlineData("router:\n  cache: { type: memory, ttl: 0s }\n", 2, "ttl must be more than 0")]
    // Weight.
    [InlineData("models:\n  fast:\n    deployments:\n      - model: a/b\n        weight: 0\n", 5, "weight must be more than 0, not 0")]
    [InlineData("models:\n  fast:\n    deployments:\n      - model: a/b\n        weight: -2\n", 5, "weight must be more than 0, not -2")]
    // Groups without deployments.
    [InlineData("models:\n  fast:\n    deployments: []\n", 3, "alias 'fast' has no deployments")]
    [InlineData("models:\n  fast:\n    cache: true\n", 2, "alias 'fast' has no deployments")]
    [InlineData("models:\n  fast:\n", 2, "alias 'fast' has no deployments")]
    [InlineData("models:\n  fast:\n    deployments:\n      - name: x\n", 4, "a deployment needs a model id")]
    // Fallbacks.
    [InlineData("models:\n  fast:\n    fallbacks: [slow]\n    deployments: [a/b]\n", 3, "fallbacks of 'fast' names 'slow', which is not an alias under models")]
    [InlineData("models:\n  fast:\n    context_window_fallbacks: [Long]\n    deployments: [a/b]\n  long: c/d\n", 3, "(did you mean 'long'?)")]
    [InlineData("models:\n  fast:\n    content_policy_fallbacks: [fast]\n    deployments: [a/b]\n", 3, "names 'fast' itself")]
    // Duplicate aliases (YAML itself rejects an exact duplicate key; different case is ours to catch).
    [InlineData("models:\n  fast: a/b\n  Fast: c/d\n", 3, "alias 'Fast' is defined twice (first on line 2)")]
    // Malformed values and misspelt keys.
    [InlineData("router:\n  timeout: soon\n", 2, "timeout must be a duration such as 500ms, 30s, 2m, 1h, 1d or a number of seconds, not 'soon'")]
    [InlineData("router:\n  retry: 3\n", 2, "unknown key 'retry' in router; valid keys: strategy, retries,")]
    [InlineData("router:\n  retires: 3\n", 2, "unknown key 'retires' in router; did you mean 'retries'? Valid keys: strategy,")]
    [InlineData("models:\n  fast:\n    deployments:\n      - { model: a/b, api_kye: x }\n", 4, "unknown key 'api_kye' in a deployment; did you mean 'api_key'?")]
    [InlineData("models:\n  fast:\n    deployments:\n      - model: a/b\n        base_url: not a url\n", 5, "base_url must be an absolute http or https URL")]
    [InlineData("models:\n  fast:\n    cache: maybe\n    deployments: [a/b]\n", 3, "cache must be true or false, not 'maybe'")]
    [InlineData("router:\n  cache: { type: memory, path: x.db }\n", 2, "path applies only to a cache of type: sqlite")]
    [InlineData("router:\n  cache: { type: sqlite, url: \"postgres://db/allos\" }\n", 2, "url applies only to a cache of type: postgres")]
    [InlineData("router:\n  cache: { type: postgres, path: x.db }\n", 2, "path applies only to a cache of type: sqlite")]
    [InlineData("router:\n  cache: { type: postgres, max_bytes: 1MB, url: \"postgres://db/allos\" }\n", 2, "max_bytes applies only to a cache of type: memory")]
    [InlineData("router:\n  cache:\n    type: postgres\n", 3, "a cache of type: postgres needs a PostgreSQL database: set cache.url, or store: (or ALLOS_DATABASE_URL)")]
    [InlineData("store: /data/allos.db\nrouter:\n  cache: postgres\n", 3, "a cache of type: postgres needs a PostgreSQL database")]
    [InlineData("router:\n  cache:\n    url: /data/cache.db\n", 3, "cache.url must name a PostgreSQL database")]
    [InlineData("router:\n  budgets:\n    - { scope: global, key: x, period: day, limit: 1 }\n", 3, "a global budget has no key")]
    [InlineData("router:\n  budgets:\n    - { period: day, limit: 1 }\n", 3, "a budget needs a scope: global, alias, user, session")]
    public void LoadYaml_InvalidValue_ErrorSaysWhatToFixOnItsLine(string yaml, int line, string message)
    {
        ConfigurationException error = Fails(yaml);

        error.Message.ShouldStartWith($"allos.yaml:{line}: ");
        error.Message.ShouldContain(message);
    }

    [Fact]
    public void LoadYaml_ExactDuplicateAlias_ErrorGivesTheLine()
    {
        ConfigurationException error = Fails("models:\n  fast: a/b\n  fast: c/d\n");

        error.Message.ShouldStartWith("allos.yaml:3:");
        error.Message.ShouldContain("'fast' appears twice");
    }

    [Fact]
    public void LoadYaml_FallbackToPlainModelId_Allowed()
    {
        RouterOptions options = Load("models:\n  fast:\n    fallbacks: [openai/gpt-4o]\n    deployments: [a/b]\n");

        options.Groups[0].Fallbacks.ShouldBe(["openai/gpt-4o"]);
    }

    [Fact]
    public void LoadYaml_FallbackToAliasDefinedLater_Allowed()
    {
        RouterOptions options = Load("models:\n  fast:\n    fallbacks: [slow]\n    deployments: [a/b]\n  slow: c/d\n");

        options.Groups[0].Fallbacks.ShouldBe(["slow"]);
    }

    [Fact]
    public void LoadYaml_MalformedYaml_ErrorGivesSourceAndLine()
    {
        ConfigurationException error = Should.Throw<ConfigurationException>(() =>
            RouterConfiguration.LoadYaml("models:\n  fast: [a/b\n", "team.yaml", _ => null));

        error.Message.ShouldStartWith("team.yaml:");
    }

    [Fact]
    public void ResolveCachePath_Forms_ResolveAgainstHomeBaseOrDataFolder()
    {
        string root = Path.GetTempPath();
        string config = Path.Combine(root, "project");
        string home = Path.Combine(root, "home");
        Func<string, string?> environment = name => name switch
        {
            "HOME" => home,
            "ALLOS_HOME" => Path.Combine(root, "allos-home"),
            _ => null,
        };

        RouterConfiguration.ResolveCachePath("~/.cache/allos/cache.db", config, environment).ShouldBe(Path.Combine(home, ".cache", "allos", "cache.db"));
        RouterConfiguration.ResolveCachePath("data/cache.db", config, environment).ShouldBe(Path.Combine(config, "data", "cache.db"));
        RouterConfiguration.ResolveCachePath(Path.Combine(root, "abs.db"), config, environment).ShouldBe(Path.Combine(root, "abs.db"));
        RouterConfiguration.ResolveCachePath(null, config, environment).ShouldBe(Path.Combine(root, "allos-home", "cache.db"));
    }

    [Fact]
    public void LoadYaml_ExampleFile_LoadsEverySection()
    {
        string path = Path.Combine(RepositoryRoot(), "examples", "allos.yaml");
        var environment = new Dictionary<string, string?> { ["OPENAI_KEY_2"] = "sk-2", ["AZURE_OPENAI_API_KEY"] = "az" };

        RouterOptions options = RouterConfiguration.Load(File.ReadAllText(path), path, name => environment.GetValueOrDefault(name), Path.GetDirectoryName(path)!);

        options.DefaultModel.ShouldBe("fast");
        options.Cache.ShouldBeOfType<MemoryResponseCache>();
        options.Budgets.Count.ShouldBe(3);
        options.Groups.Select(g => g.Alias).ShouldBe(["fast", "complex", "long", "claude"]);
        options.Groups[0].Deployments[0].ApiKey.ShouldBe("sk-2");
        options.Groups[0].Deployments[0].TokensPerMinute.ShouldBe(200000);
        options.Groups[1].Deployments[0].ApiKey.ShouldBe("az");
        options.Groups[1].Deployments[0].ApiVersion.ShouldBe("2024-10-21");
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? folder = new(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Allos.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Allos.slnx not found above the test folder.");
    }
}
