using Allos.Agents;
using Allos.Configuration;
using Allos.Gateway;
using Allos.Gateway.Caching;
using Allos.Tools.BuiltIn;
using Microsoft.Extensions.Configuration;

namespace Allos.Tests.Configuration;

public sealed class AllosConfigurationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("allos-config-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static AllosOptions Load(string yaml, string baseDirectory = "/base") =>
        AllosConfiguration.Load(yaml, "allos.yaml", _ => null, baseDirectory);

    [Fact]
    public void LoadYaml_EveryTopLevelKey_MapsToItsOption()
    {
        AllosOptions options = Load("""
            default_model: fast
            tools: [files, search]
            sandbox: bwrap
            sandbox_network: true
            autonomy: manual
            max_iterations: 7
            system: Be brief.
            agents: team/agents.yaml
            router:
              retries: 4
            models:
              fast: openai/gpt-4o-mini
            """);

        options.Source.ShouldBe("allos.yaml");
        options.DefaultModel.ShouldBe("fast");
        options.Tools.ShouldBe(["files", "search"]);
        options.Sandbox.ShouldBe(ShellSandboxMode.Bwrap);
        options.SandboxNetwork.ShouldBe(true);
        options.Autonomy.ShouldBe(AutonomyLevel.Manual);
        options.MaxIterations.ShouldBe(7);
        options.System.ShouldBe("Be brief.");
        options.AgentsFile.ShouldBe(Path.GetFullPath("team/agents.yaml", "/base"));
        options.HasRouter.ShouldBeTrue();
        options.Router.DefaultModel.ShouldBe("fast");
        options.Router.MaxRetries.ShouldBe(4);
        options.Router.Groups.ShouldHaveSingleItem().Alias.ShouldBe("fast");
    }

    [Fact]
    public void LoadYaml_NothingSet_LeavesEveryValueUnset()
    {
        AllosOptions options = Load("# only a comment\n");

        options.DefaultModel.ShouldBeNull();
        options.Tools.ShouldBeNull();
        options.Autonomy.ShouldBeNull();
        options.Sandbox.ShouldBeNull();
        options.SandboxNetwork.ShouldBeNull();
        options.HasRouter.ShouldBeFalse();
        options.Cache.ShouldBeNull();
    }

    [Theory]
    [InlineData("autonmy: manual\n", 1, "unknown key 'autonmy' in allos.yaml; did you mean 'autonomy'? Valid keys: default_model,")]
    [InlineData("tools: [files]\nmax_iteration: 3\n", 2, "did you mean 'max_iterations'?")]
    [InlineData("defaults:\n  model: x\n", 1, "unknown key 'defaults' in allos.yaml; valid keys:")]
    [InlineData("autonomy: reckless\n", 1, "unknown autonomy 'reckless'; valid values: manual, supervised, autonomous")]
    [InlineData("sandbox: docker\n", 1, "unknown sandbox 'docker'; valid values: auto, bwrap, none")]
    [InlineData("sandbox_network: maybe\n", 1, "sandbox_network")]
    [InlineData("max_iterations: 0\n", 1, "max_iterations must be 1 or more, not 0")]
    [InlineData("tools: { files: true }\n", 1, "tools must be a list of names")]
    [InlineData("system: [a, b]\n", 1, "system must be a single value, not a list or mapping")]
    [InlineData("- a\n- b\n", 1, "the configuration must be a mapping")]
    [InlineData("tools: [files\n", 2, "")]
    [InlineData("autonomy: manual\nautonomy: autonomous\n", 2, "'autonomy' appears twice in the same mapping")]
    [InlineData("system: \"unterminated\n", 1, "quoted scalar")]
    public void LoadYaml_Invalid_ErrorGivesFileLineAndWhatToFix(string yaml, int line, string message)
    {
        ConfigurationException error = Should.Throw<ConfigurationException>(() => Load(yaml));

        error.Message.ShouldStartWith($"allos.yaml:{line}: ");
        error.Message.ShouldContain(message);
    }

    [Fact]
    public void LoadYaml_SqliteCache_IsDescribedButNotOpenedUntilTheRouterOptionsAreCreated()
    {
        string path = Path.Combine(_folder, "cache", "responses.db");
        AllosOptions options = Load("router:\n  cache: { type: sqlite, path: cache/responses.db, max_entries: 50 }\n", _folder);

        options.Cache.ShouldNotBeNull();
        options.Cache.Type.ShouldBe(ResponseCacheType.Sqlite);
        options.Cache.Path.ShouldBe(path);
        options.Cache.MaxEntries.ShouldBe(50);
        options.Router.Cache.ShouldBeNull();
        File.Exists(path).ShouldBeFalse("binding opens nothing");

        RouterOptions router = options.CreateRouterOptions();

        using var cache = router.Cache.ShouldBeOfType<SqliteResponseCache>();
        File.Exists(path).ShouldBeTrue();
        options.CreateRouterOptions().Cache.ShouldBeSameAs(cache, "the cache is opened once");
    }

    [Fact]
    public void FromConfiguration_InMemoryCollection_BindsTheSameTreeAsYaml()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Allos:DefaultModel"] = "fast",
            ["Allos:Tools:0"] = "files",
            ["Allos:Tools:1"] = "search",
            ["Allos:Autonomy"] = "manual",
            ["Allos:MaxIterations"] = "9",
            ["Allos:Router:Retries"] = "5",
            ["Allos:Router:RetryDelay"] = "250ms",
            ["Allos:Router:Cooldown:Failures"] = "4",
            ["Allos:Router:Budgets:0:Scope"] = "global",
            ["Allos:Router:Budgets:0:Period"] = "day",
            ["Allos:Router:Budgets:0:Limit"] = "5.00",
            ["Allos:Models:fast:Fallbacks:0"] = "claude",
            ["Allos:Models:fast:Deployments:0:Model"] = "openai/gpt-4o-mini",
            ["Allos:Models:fast:Deployments:0:ApiKey"] = "sk-from-config",
            ["Allos:Models:fast:Deployments:1"] = "groq/llama-3.1-8b-instant",
            ["Allos:Models:claude"] = "anthropic/claude-sonnet-4-5",
        }).Build();

        AllosOptions options = AllosConfiguration.FromConfiguration(configuration.GetSection("Allos"));

        options.Source.ShouldBe("Allos");
        options.DefaultModel.ShouldBe("fast");
        options.Tools.ShouldBe(["files", "search"]);
        options.Autonomy.ShouldBe(AutonomyLevel.Manual);
        options.MaxIterations.ShouldBe(9);
        options.Router.MaxRetries.ShouldBe(5);
        options.Router.RetryDelay.ShouldBe(TimeSpan.FromMilliseconds(250));
        options.Router.CooldownFailures.ShouldBe(4);
        options.Router.Budgets.ShouldHaveSingleItem().Limit.ShouldBe(5.00m);
        ModelGroup fast = options.Router.Groups.Single(group => group.Alias == "fast");
        fast.Fallbacks.ShouldBe(["claude"]);
        fast.Deployments.Select(d => d.Model).ShouldBe(["openai/gpt-4o-mini", "groq/llama-3.1-8b-instant"]);
        fast.Deployments[0].ApiKey.ShouldBe("sk-from-config");
        options.Router.Groups.Single(group => group.Alias == "claude").Deployments.ShouldHaveSingleItem().Model.ShouldBe("anthropic/claude-sonnet-4-5");
    }

    [Fact]
    public void FromConfiguration_JsonFile_BindsSnakeCaseKeysToo()
    {
        string path = Path.Combine(_folder, "appsettings.json");
        File.WriteAllText(path, """
            {
              "Allos": {
                "default_model": "openai/gpt-4o",
                "autonomy": "autonomous",
                "router": { "strategy": "lowest_cost", "timeout": "2m", "cache": { "type": "memory", "ttl": "10m" } },
                "models": { "smart": { "deployments": [ { "model": "anthropic/claude-sonnet-4-5", "rpm": 60 } ], "cache": true } }
              }
            }
            """);
        IConfiguration configuration = new ConfigurationBuilder().AddJsonFile(path).Build();

        AllosOptions options = AllosConfiguration.FromConfiguration(configuration.GetSection("Allos"));

        options.DefaultModel.ShouldBe("openai/gpt-4o");
        options.Autonomy.ShouldBe(AutonomyLevel.Autonomous);
        options.Router.Strategy.ShouldBe(RoutingStrategy.LowestCost);
        options.Router.RequestTimeout.ShouldBe(TimeSpan.FromMinutes(2));
        options.Router.CacheTtl.ShouldBe(TimeSpan.FromMinutes(10));
        options.Cache!.Type.ShouldBe(ResponseCacheType.Memory);
        ModelGroup smart = options.Router.Groups.ShouldHaveSingleItem();
        smart.Cache.ShouldBeTrue();
        smart.Deployments.ShouldHaveSingleItem().RequestsPerMinute.ShouldBe(60);
    }

    [Theory]
    [InlineData("Allos:Router:Retrys", "3", "Allos:Router:Retrys: unknown key 'Retrys' in router; did you mean 'retries'?")]
    [InlineData("Allos:Autonmy", "manual", "Allos:Autonmy: unknown key 'Autonmy' in Allos; did you mean 'autonomy'?")]
    [InlineData("Allos:Router:Retries", "many", "Allos:Router:Retries: retries must be a whole number, not 'many'")]
    [InlineData("Allos:Models:fast:Deployments:0:Rpn", "5", "Allos:Models:fast:Deployments:0:Rpn: unknown key 'Rpn' in a deployment; did you mean 'rpm'?")]
    public void FromConfiguration_UnknownKeyOrBadValue_ErrorNamesThePath(string key, string value, string message)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Allos:Models:fast:Deployments:0:Model"] = "openai/gpt-4o-mini",
            [key] = value,
        }).Build();

        ConfigurationException error = Should.Throw<ConfigurationException>(() => AllosConfiguration.FromConfiguration(configuration.GetSection("Allos")));

        error.Message.ShouldStartWith(message);
    }

    [Fact]
    public void FromConfiguration_MissingSection_GivesDefaults()
    {
        IConfiguration configuration = new ConfigurationBuilder().Build();

        AllosOptions options = AllosConfiguration.FromConfiguration(configuration.GetSection("Allos"));

        options.DefaultModel.ShouldBeNull();
        options.Router.Groups.ShouldBeEmpty();
    }
}
