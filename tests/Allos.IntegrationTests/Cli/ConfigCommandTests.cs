using System.Text.Json;
using Allos.Configuration;
using Allos.Gateway;

namespace Allos.IntegrationTests.Cli;

/// <summary><c>allos config init</c> and <c>allos config show</c> as a real process.</summary>
public sealed class ConfigCommandTests : IDisposable
{
    private readonly CliProcess _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Init_EmptyFolder_WritesACommentedFileThatBothReadersLoad()
    {
        CliResult result = await Allos("config", "init");

        result.ExitCode.ShouldBe(0, result.ToString());
        string path = Path.Combine(_cli.Workspace, "allos.yaml");
        string text = File.ReadAllText(path);
        text.ShouldContain("# ");
        foreach (string key in (string[])["default_model:", "tools:", "sandbox:", "# sandbox_network:", "autonomy:", "max_iterations:", "# system:", "# agents:", "router:", "models:", "# budgets:", "# cache:"])
        {
            text.ShouldContain(key);
        }

        RouterOptions router = RouterConfiguration.LoadFile(path);
        router.DefaultModel.ShouldBe("openai/gpt-5-mini", "no key is set, so the OpenAI default");
        router.MaxRetries.ShouldBe(2);
        router.Groups.Select(group => group.Alias).ShouldBe(["fast", "smart"]);

        // The command's own reader: config show reports the values as coming from this file.
        JsonElement run = (await Allos("config", "show", "--json")).Json().GetProperty("run");
        run.GetProperty("model").GetString().ShouldBe($"openai/gpt-5-mini (from {path})");
        run.GetProperty("tools").GetString().ShouldBe($"files, search, shell (from {path})");
        run.GetProperty("max iterations").GetString().ShouldBe($"20 (from {path})");
        run.GetProperty("sandbox").GetString()!.ShouldMatch($@"^bwrap \(/.*bwrap\), no network \(from {System.Text.RegularExpressions.Regex.Escape(path)}\)$");
    }

    [Fact]
    public async Task Init_KeyInTheEnvironment_DefaultsToThatProvidersModel()
    {
        _cli.Environment["ANTHROPIC_API_KEY"] = "sk-ant-0123456789abcdef";

        (await Allos("config", "init")).ExitCode.ShouldBe(0);

        RouterConfiguration.LoadFile(Path.Combine(_cli.Workspace, "allos.yaml")).DefaultModel.ShouldStartWith("anthropic/");
    }

    [Fact]
    public async Task Init_ExistingFile_RefusesUnlessForce()
    {
        string path = Path.Combine(_cli.Workspace, "allos.yaml");
        File.WriteAllText(path, "default_model: openai/gpt-4o\n");

        CliResult refused = await Allos("config", "init");

        refused.ExitCode.ShouldBe(1, refused.ToString());
        refused.Stderr.ShouldContain("--force");
        File.ReadAllText(path).ShouldBe("default_model: openai/gpt-4o\n");

        CliResult forced = await Allos("config", "init", "--force");
        forced.ExitCode.ShouldBe(0, forced.ToString());
        File.ReadAllText(path).ShouldContain("router:");
    }

    [Fact]
    public async Task Init_User_WritesTheUserConfigWhichShowUses()
    {
        CliResult result = await Allos("config", "init", "--user");

        result.ExitCode.ShouldBe(0, result.ToString());
        string path = Path.Combine(_cli.Home, "allos.yaml");
        File.Exists(path).ShouldBeTrue();
        File.Exists(Path.Combine(_cli.Workspace, "allos.yaml")).ShouldBeFalse();
        JsonElement json = (await Allos("config", "show", "--json")).Json();
        json.GetProperty("files").GetProperty("user config").GetString().ShouldBe($"{path} (used)");
        json.GetProperty("run").GetProperty("model").GetString().ShouldBe($"openai/gpt-5-mini (from {path})");
    }

    [Fact]
    public async Task Show_KeysFromEnvironmentDotEnvAndYaml_AreMaskedEverywhere()
    {
        _cli.Environment["OPENAI_API_KEY"] = "sk-envSECRET0123456789";
        _cli.Environment["MY_KEY"] = "sk-yaml-SECRET-0123456789";
        File.WriteAllText(Path.Combine(_cli.Workspace, ".env"), "ANTHROPIC_API_KEY=sk-dotenv-SECRET-0123456789\n");
        File.WriteAllText(Path.Combine(_cli.Workspace, "allos.yaml"), """
            default_model: mine
            models:
              mine:
                model: openai/gpt-4o
                api_key: ${MY_KEY}
                base_url: https://user:pass-SECRET@llm.example.com/v1
            router:
              budgets:
                - { scope: global, period: day, limit: 5 }
            """);

        CliResult text = await Allos("config", "show", "-v");
        CliResult json = await Allos("config", "show", "--json");

        foreach (CliResult result in new[] { text, json })
        {
            result.ExitCode.ShouldBe(0, result.ToString());
            result.Stdout.ShouldNotContain("SECRET");
            result.Stderr.ShouldNotContain("SECRET");
        }

        JsonElement report = json.Json();
        report.GetProperty("providers").GetProperty("openai").GetString().ShouldStartWith("key sk-… (from OPENAI_API_KEY)");
        report.GetProperty("providers").GetProperty("anthropic").GetString().ShouldStartWith("key sk-… (from ANTHROPIC_API_KEY in .env)");
        string mine = report.GetProperty("models").GetProperty("mine").GetString()!;
        mine.ShouldContain("openai/gpt-4o (key sk-… (from allos.yaml)");
        mine.ShouldContain("llm.example.com");
        report.GetProperty("run").GetProperty("model").GetString().ShouldStartWith("mine (from ");
        report.GetProperty("run").GetProperty("resolves to").GetString().ShouldBe("alias of openai/gpt-4o");
        report.GetProperty("router").GetProperty("budget 1").GetString().ShouldBe("global: $5.00 per day");
    }

    [Fact]
    public async Task Show_WebSearch_SaysWhatToSetWithoutABackend_AndWhereQueriesGoWithOne_NeverTheKey()
    {
        _cli.Environment["OPENAI_API_KEY"] = "sk-0123456789abcdef"; // a model to show, so the command succeeds
        JsonElement none = (await Allos("config", "show", "--json")).Json().GetProperty("run");
        none.GetProperty("web search").GetString()!.ShouldStartWith("none (No web search backend is configured: set BRAVE_API_KEY");

        _cli.Environment["TAVILY_API_KEY"] = "tvly-SECRET-0123456789";
        _cli.Environment["TAVILY_URL"] = "https://tavily-proxy.example.com/search?region=eu";
        CliResult result = await Allos("config", "show", "--json");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldNotContain("SECRET");
        result.Json().GetProperty("run").GetProperty("web search").GetString()
            .ShouldBe("tavily · https://tavily-proxy.example.com/search (from TAVILY_API_KEY, endpoint TAVILY_URL)");
    }

    [Fact]
    public async Task Show_CohereBaseUrlFromEnvironmentAndYaml_PrintsWhereItPoints()
    {
        _cli.Environment["COHERE_API_KEY"] = "co-SECRET-0123456789";
        _cli.Environment["COHERE_BASE_URL"] = "https://cohere-proxy.example.com";
        File.WriteAllText(Path.Combine(_cli.Workspace, "allos.yaml"), """
            default_model: cmd
            models:
              cmd:
                model: cohere/command-a-03-2025
                base_url: https://cohere-eu.example.com
            """);

        CliResult result = await Allos("config", "show", "--json");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldNotContain("SECRET");
        JsonElement report = result.Json();
        string cohere = report.GetProperty("providers").GetProperty("cohere").GetString()!;
        cohere.ShouldContain("(from COHERE_API_KEY)");
        cohere.ShouldContain("https://cohere-proxy.example.com (from COHERE_BASE_URL)");
        report.GetProperty("models").GetProperty("cmd").GetString()!.ShouldContain("cohere-eu.example.com");
    }

    [Fact]
    public async Task Show_Vertex_PrintsCredentialFileProjectLocationEndpointAndTokenEndpointNeverTheKey()
    {
        string file = Path.Combine(_cli.Workspace, "sa.json");
        File.WriteAllText(file, """
            {"type":"service_account","project_id":"sa-project","client_email":"a@sa-project.iam.gserviceaccount.com",
             "private_key":"-----BEGIN PRIVATE KEY-----\nSECRETKEYMATERIAL\n-----END PRIVATE KEY-----\n","token_uri":"https://oauth2.example.com/token"}
            """);
        _cli.Environment["GOOGLE_APPLICATION_CREDENTIALS"] = file;
        _cli.Environment["VERTEX_LOCATION"] = "europe-west4";

        JsonElement first = (await Allos("config", "show", "--json")).Json();
        _cli.Environment["VERTEX_BASE_URL"] = "https://vertex-proxy.example.com";
        _cli.Environment["VERTEX_TOKEN_URL"] = "https://token-proxy.example.com/token";
        _cli.Environment["VERTEX_PROJECT"] = "env-project";
        CliResult second = await Allos("config", "show", "--json", "--provider", "vertex");

        string before = first.GetProperty("providers").GetProperty("vertex").GetString()!;
        before.ShouldContain($"credentials {file} (from GOOGLE_APPLICATION_CREDENTIALS)");
        before.ShouldContain($"project sa-project (from {file})");
        before.ShouldContain("location europe-west4 (from VERTEX_LOCATION)");
        before.ShouldContain("https://europe-west4-aiplatform.googleapis.com (default)");
        before.ShouldContain($"token endpoint https://oauth2.example.com/token (token_uri of {file})");
        second.ExitCode.ShouldBe(0, second.ToString());
        second.Stdout.ShouldNotContain("SECRETKEYMATERIAL");
        JsonElement report = second.Json();
        string after = report.GetProperty("providers").GetProperty("vertex").GetString()!;
        after.ShouldContain("project env-project (from VERTEX_PROJECT)");
        after.ShouldContain("https://vertex-proxy.example.com (from VERTEX_BASE_URL)");
        after.ShouldContain("token endpoint https://token-proxy.example.com/token (from VERTEX_TOKEN_URL)");
        report.GetProperty("run").GetProperty("model").GetString()!.ShouldContain("vertex/gemini-2.5-flash");
    }

    [Fact]
    public async Task Show_VertexDeploymentInYaml_PrintsItsProjectLocationBaseUrlAndTokenEndpoint()
    {
        File.WriteAllText(Path.Combine(_cli.Workspace, "allos.yaml"), """
            default_model: vx
            models:
              vx:
                model: vertex/claude-sonnet-4@20250514
                project: yaml-project
                location: europe-west1
                base_url: https://vertex-eu.example.com
                token_url: https://sts.example.com/token
            """);

        CliResult result = await Allos("config", "show", "--json");

        result.ExitCode.ShouldBe(0, result.ToString());
        string vx = result.Json().GetProperty("models").GetProperty("vx").GetString()!;
        vx.ShouldContain("project yaml-project");
        vx.ShouldContain("location europe-west1");
        vx.ShouldContain("vertex-eu.example.com");
        vx.ShouldContain("token endpoint https://sts.example.com/token");
    }

    [Fact]
    public async Task Show_VertexAccessToken_SaysSoWithoutTheToken()
    {
        _cli.Environment["VERTEX_ACCESS_TOKEN"] = "ya29.SECRET-token-0123456789";

        CliResult result = await Allos("config", "show", "--json");

        result.Stdout.ShouldNotContain("SECRET");
        string vertex = result.Json().GetProperty("providers").GetProperty("vertex").GetString()!;
        vertex.ShouldContain("access token (from VERTEX_ACCESS_TOKEN)");
        vertex.ShouldContain("project none (set VERTEX_PROJECT)");
        vertex.ShouldContain("location us-central1 (default)");
    }

    [Fact]
    public async Task Show_BedrockFromTheEnvironment_PrintsEndpointRegionAndCredentialSourceWithoutSecrets()
    {
        _cli.Environment["HOME"] = _cli.Workspace;
        _cli.Environment["ALLOS_MODEL"] = "bedrock/amazon.nova-lite-v1:0";
        _cli.Environment["AWS_BEARER_TOKEN_BEDROCK"] = "";
        _cli.Environment["AWS_PROFILE"] = "";
        _cli.Environment["AWS_ACCESS_KEY_ID"] = "AKIA" + "IOSFODNN7EXAMPLE"; // in two pieces: no literal in a real key's format
        _cli.Environment["AWS_SECRET_ACCESS_KEY"] = "SECRET-wJalrXUtnFEMI";
        _cli.Environment["AWS_REGION"] = "eu-west-1";
        _cli.Environment["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] = "https://vpce-123.bedrock-runtime.example.com";
        _cli.Environment["BEDROCK_BASE_URL"] = "";

        CliResult result = await Allos("config", "show", "--json");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldNotContain("SECRET");
        string bedrock = result.Json().GetProperty("providers").GetProperty("bedrock").GetString()!;
        bedrock.ShouldContain("credentials from AWS_ACCESS_KEY_ID");
        bedrock.ShouldContain("https://vpce-123.bedrock-runtime.example.com/ (from AWS_ENDPOINT_URL_BEDROCK_RUNTIME)");
        bedrock.ShouldContain("region eu-west-1 (from AWS_REGION)");
    }

    [Fact]
    public async Task Show_BedrockWithoutCredentials_SaysWhatToSet()
    {
        _cli.Environment["HOME"] = _cli.Workspace;
        _cli.Environment["ALLOS_MODEL"] = "bedrock/amazon.nova-lite-v1:0";
        foreach (string variable in (string[])["AWS_BEARER_TOKEN_BEDROCK", "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SHARED_CREDENTIALS_FILE", "BEDROCK_BASE_URL", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "AWS_ENDPOINT_URL"])
        {
            _cli.Environment[variable] = "";
        }

        _cli.Environment["AWS_REGION"] = "us-east-2";

        CliResult result = await Allos("config", "show", "--json");

        result.ExitCode.ShouldBe(0, result.ToString());
        string bedrock = result.Json().GetProperty("providers").GetProperty("bedrock").GetString()!;
        bedrock.ShouldContain("no credentials");
        bedrock.ShouldContain("AWS_ACCESS_KEY_ID");
        bedrock.ShouldContain("AWS_PROFILE");
        bedrock.ShouldContain("AWS_BEARER_TOKEN_BEDROCK");
        bedrock.ShouldContain("https://bedrock-runtime.us-east-2.amazonaws.com/ (from default)");
    }

    [Fact]
    public async Task Show_ModelFlag_WinsOverTheFileAndSaysSo()
    {
        File.WriteAllText(Path.Combine(_cli.Workspace, "allos.yaml"), "default_model: openai/gpt-4o\nautonomy: manual\n");

        CliResult result = await Allos("config", "show", "-m", "anthropic/claude-sonnet-4-5", "--autonomy", "autonomous", "--json");

        result.ExitCode.ShouldBe(0, result.ToString());
        JsonElement run = result.Json().GetProperty("run");
        run.GetProperty("model").GetString().ShouldBe("anthropic/claude-sonnet-4-5 (from --model)");
        run.GetProperty("resolves to").GetString()!.ShouldStartWith("provider anthropic, model claude-sonnet-4-5; context 200,000");
        run.GetProperty("autonomy").GetString().ShouldBe("autonomous (from --autonomy)");
    }

    [Fact]
    public async Task Show_NoModelAnywhere_PrintsTheRestAndExits3NamingTheVariable()
    {
        CliResult result = await Allos("config", "show");

        result.ExitCode.ShouldBe(3, result.ToString());
        result.Stdout.ShouldContain("none chosen");
        result.Stdout.ShouldContain("data folder");
        result.Stdout.ShouldContain(_cli.Home);
        result.Stderr.ShouldContain("ALLOS_MODEL");
    }

    [Fact]
    public async Task Show_InvalidYaml_IsAConfigurationErrorWithTheLine()
    {
        File.WriteAllText(Path.Combine(_cli.Workspace, "allos.yaml"), "default_model: openai/gpt-4o\nrouter:\n  retrys: 2\n");

        CliResult result = await Allos("config", "show");

        result.ExitCode.ShouldBe(3, result.ToString());
        result.Stderr.ShouldContain("retrys");
        result.Stderr.ShouldContain("allos.yaml:3");
    }

    [Fact]
    public async Task Show_WithAnAgent_SaysWhichModelAndToolsApply()
    {
        string file = Path.Combine(_cli.Workspace, "agents.yaml");
        File.WriteAllText(file, """
            agents:
              - name: reader
                model: openai/gpt-4.1
                tools: [read_file]
            """);
        _cli.Environment["OPENAI_API_KEY"] = "sk-0123456789abcdef";

        JsonElement own = (await Allos("config", "show", "--json", "--agent", "reader")).Json().GetProperty("run");
        JsonElement flags = (await Allos("config", "show", "--json", "--agent", "reader", "-m", "openai/gpt-4o-mini", "-t", "grep")).Json().GetProperty("run");

        own.GetProperty("agent model").GetString().ShouldBe($"openai/gpt-4.1 (from {file})");
        own.GetProperty("agent tools").GetString().ShouldBe($"read_file (from {file})");
        flags.GetProperty("agent model").GetString().ShouldBe("openai/gpt-4o-mini (from --model)");
        flags.GetProperty("agent tools").GetString().ShouldBe("grep (from --tools)");
    }

    private Task<CliResult> Allos(params string[] args) => _cli.RunAsync(args);
}
