using System.CommandLine;
using System.Globalization;
using Allos.Agents;
using Allos.Cli.Admin;
using Allos.Cli.Hosting;
using Allos.Cli.Output;
using Allos.Cli.Settings;
using Allos.Configuration;
using Allos.Gateway;
using Allos.Gateway.Caching;
using Allos.Models;
using Allos.Providers;

namespace Allos.Cli.Commands;

/// <summary><c>allos config init</c> (a commented allos.yaml) and <c>allos config show</c> (the effective configuration, secrets masked).</summary>
internal static class ConfigCommand
{
    public static Command Create()
    {
        var command = new Command("config", "Write a commented allos.yaml, or show the effective configuration");
        command.Subcommands.Add(Init());
        command.Subcommands.Add(Show());
        return command;
    }

    private static Command Init()
    {
        var force = new Option<bool>("--force") { Description = "Overwrite an existing file" };
        var user = new Option<bool>("--user") { Description = "Write the user's config file instead of ./allos.yaml" };
        var command = new Command("init", "Write a commented allos.yaml in the current folder (or the user's config with --user)") { force, user };
        command.SetAction(async (result, cancellationToken) =>
        {
            var console = new CliConsole();
            string path = result.GetValue(user) ? Path.Combine(AllosPaths.ConfigDirectory, "allos.yaml") : Path.GetFullPath("allos.yaml");
            if (File.Exists(path) && !result.GetValue(force))
            {
                console.Error.WriteLine($"error: {path} exists; not overwriting it.");
                console.Error.WriteLine("hint: pass --force to replace it, or edit it (`allos config show` prints what it sets).");
                return ExitCodes.Failed;
            }

            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllTextAsync(path, ConfigTemplate.Create(Environment.GetEnvironmentVariable), cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                console.Error.WriteLine($"error: could not write {path}: {ex.Message}");
                console.Error.WriteLine("hint: check the folder is writable.");
                return ExitCodes.Failed;
            }

            console.Error.WriteLine($"Wrote {path}. Edit it, then `allos config show` prints the effective configuration.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show()
    {
        var flags = new RunFlags();
        var command = new Command("show", "Print the effective configuration (accepts the run/chat flags to show their effect); keys are masked");
        flags.AddTo(command);
        command.SetAction(result =>
        {
            var console = new CliConsole();
            RunRequest request = flags.Read(result);
            CliSettings settings;
            ConfigurationException? modelProblem = null;
            RouterOptions router;
            try
            {
                try
                {
                    settings = CliSettings.Load(request);
                }
                catch (ConfigurationException ex) when (request.Model is null && request.Provider is null)
                {
                    // No model chosen is worth showing with everything else; any other problem fails the second load too.
                    modelProblem = ex;
                    settings = CliSettings.Load(request with { Model = "?" });
                }

                router = settings.RouterOptions();
            }
            catch (ConfigurationException ex)
            {
                ErrorReport.Write(console, ex, request.Verbose);
                return ExitCodes.Configuration;
            }

            try
            {
                ConfigReport report = Build(request, settings, router, modelProblem);
                if (request.Json)
                {
                    report.WriteJson(console.Out);
                }
                else
                {
                    report.WriteText(console.RichOut);
                }
            }
            finally
            {
                (router.Cache as IDisposable)?.Dispose();
            }

            if (modelProblem is not null)
            {
                ErrorReport.Write(console, modelProblem, request.Verbose);
                return ExitCodes.Configuration;
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static ConfigReport Build(RunRequest request, CliSettings settings, RouterOptions router, ConfigurationException? modelProblem)
    {
        AllosOptions? project = settings.ProjectConfig;
        AllosOptions? user = settings.UserConfig;
        var report = new ConfigReport().Section("run");
        report.Add("model", modelProblem is null ? $"{settings.Model} (from {settings.ModelSource})" : "none chosen");
        if (modelProblem is null)
        {
            report.Add("resolves to", Resolve(settings.Model, router));
        }

        report.Add("tools", $"{(settings.Tools.Count == 0 ? "none" : string.Join(", ", settings.Tools))} (from {Source(request.Tools, "--tools", project?.Tools, user?.Tools, project, user)})");
        report.Add("sandbox", $"{settings.Sandbox.Describe()} (from {Source(null, "", project?.Sandbox, user?.Sandbox, project, user)})");
        report.Add("web search", Tools.BuiltIn.BuiltInTools.DescribeWebSearch());
        string autonomySource = request.AutoApprove ? "-y" : Source(request.Autonomy, "--autonomy", project?.Autonomy, user?.Autonomy, project, user);
        report.Add("autonomy", $"{settings.Autonomy.ToString().ToLowerInvariant()} (from {autonomySource})");
        report.Add("max iterations", settings.MaxIterations is int max
            ? $"{max.ToString(CultureInfo.InvariantCulture)} (from {Source(request.MaxIterations, "--max-iterations", project?.MaxIterations, user?.MaxIterations, project, user)})"
            : $"{new AgentDefinition { Name = "allos" }.MaxIterations.ToString(CultureInfo.InvariantCulture)} (default)");
        report.Add("system", settings.System is string system
            ? $"{ApprovalPrompt.Shorten(system)} (from {Source(request.System, "--system", project?.System, user?.System, project, user)})"
            : "Allos's own instructions (default)");
        report.Add("agent", settings.Agent ?? "allos (default)");
        if (settings.Agent is string agentName && settings.AgentsFile is string file && File.Exists(file)
            && AgentHost.LoadTeam(file, settings).Agents.FirstOrDefault(a => string.Equals(a.Name, agentName, StringComparison.OrdinalIgnoreCase)) is { } agent)
        {
            // The agent's own model and tools apply unless a flag names them.
            // A prompt's model applies where agents.yaml names none (AgentTeam fills it in from the front matter).
            string modelSource = agent.Prompt is { Model: { } promptModel } prompt && promptModel == agent.Model ? $"prompt {prompt.Reference}" : file;
            report.Add("agent model", settings.ModelFromFlag || agent.Model is null ? $"{settings.Model} (from {settings.ModelSource})" : $"{agent.Model} (from {modelSource})");
            report.Add("agent tools", settings.ToolsFromFlag ? $"{string.Join(", ", settings.Tools)} (from --tools)" : $"{(agent.Tools.Count == 0 ? "none" : string.Join(", ", agent.Tools))} (from {file})");
        }
        report.Add("agents file", settings.AgentsFile ?? "none");
        report.Add("workspace", $"{settings.Workspace} (from {(request.Cwd is null ? "the current folder" : "--cwd")})");

        report.Section("mcp servers");
        if (settings.McpServers.Count == 0)
        {
            report.Add("servers", "none (add them under mcp_servers: in allos.yaml or in a .mcp.json; `allos config init` writes an example)");
        }

        foreach (Mcp.McpServerOptions server in settings.McpServers)
        {
            report.Add(server.Name, DescribeMcpServer(server));
        }

        report.Section("files");
        report.Add("data folder", $"{AllosPaths.DataDirectory} (from {DataFolder.Variable ?? "default"})");
        report.Add("database", AllosPaths.DatabasePath + (File.Exists(AllosPaths.DatabasePath) ? "" : " (not created yet)"));
        string projectPath = Path.GetFullPath("allos.yaml");
        report.Add("project config", project is null ? $"{projectPath} (not found)" : $"{projectPath} (used)");
        string userPath = Path.Combine(AllosPaths.ConfigDirectory, "allos.yaml");
        report.Add("user config", user is null ? $"{userPath} (not found)" : $"{userPath} (used)");
        string dotEnv = Path.GetFullPath(".env");
        report.Add(".env", !File.Exists(dotEnv) ? $"{dotEnv} (not found)"
            : DotEnv.Loaded.Count == 0 ? $"{dotEnv} (every variable in it was already set)"
            : $"{dotEnv} (set {string.Join(", ", DotEnv.Loaded.Order(StringComparer.Ordinal))})");

        report.Section("providers");
        foreach (string name in ProviderRegistry.Default.Providers)
        {
            if (name == "bedrock")
            {
                report.Add(name, DescribeBedrock());
                continue;
            }

            (ProviderInfo info, string? variable, string? endpoint) = ProviderSetup.Of(ProviderRegistry.Default.Describe(name)!);
            string key = variable is not null
                ? $"key {Secrets.Mask(Environment.GetEnvironmentVariable(variable)!)} (from {variable}{(DotEnv.Loaded.Contains(variable) ? " in .env" : "")})"
                : info.RequiresApiKey ? $"no key (set {string.Join(" or ", info.ApiKeyVariables)})"
                : "no key needed";
            string url = endpoint is not null ? $"{Secrets.Url(endpoint)} (from {info.EndpointVariable})"
                : info.DefaultEndpoint is string defaultEndpoint ? $"{defaultEndpoint} (default)"
                : $"no base URL (set {info.EndpointVariable})";
            report.Add(name, name == "vertex" ? VertexSetup.Describe(Environment.GetEnvironmentVariable) : $"{key} · {url}");
        }

        report.Section("router");
        report.Add("config", settings.RouterConfigPath ?? "none (defaults)");
        report.Add("strategy", router.Strategy.ToString());
        report.Add("retries", $"{router.MaxRetries.ToString(CultureInfo.InvariantCulture)}, delay {ConfigReport.Duration(router.RetryDelay)} doubling to {ConfigReport.Duration(router.MaxRetryDelay)}, retry-after up to {ConfigReport.Duration(router.MaxRetryAfter)}");
        report.Add("timeout", ConfigReport.Duration(router.RequestTimeout));
        report.Add("cooldown", $"{router.CooldownFailures.ToString(CultureInfo.InvariantCulture)} failures in {ConfigReport.Duration(router.CooldownWindow)} → skipped for {ConfigReport.Duration(router.CooldownDuration)}");
        report.Add("rate-limit wait", ConfigReport.Duration(router.RateLimitQueueTimeout));
        report.Add("cache", router.Cache switch
        {
            null => "none",
            MemoryResponseCache => $"memory, ttl {ConfigReport.Duration(router.CacheTtl)}",
            SqliteResponseCache => $"sqlite, ttl {ConfigReport.Duration(router.CacheTtl)}",
            PostgresResponseCache postgres => $"postgres {postgres.Server}, ttl {ConfigReport.Duration(router.CacheTtl)}",
            var other => $"{other.GetType().Name}, ttl {ConfigReport.Duration(router.CacheTtl)}",
        });
        if (router.Budgets.Count == 0)
        {
            report.Add("budgets", "none");
        }

        for (int i = 0; i < router.Budgets.Count; i++)
        {
            Budget budget = router.Budgets[i];
            string scope = budget.Key is null ? budget.Scope.ToString().ToLowerInvariant() : $"{budget.Scope.ToString().ToLowerInvariant()} '{budget.Key}'";
            report.Add($"budget {(i + 1).ToString(CultureInfo.InvariantCulture)}", $"{scope}: ${budget.Limit.ToString("0.00##", CultureInfo.InvariantCulture)} per {budget.Period.ToString().ToLowerInvariant()}");
        }

        report.Section("models");
        if (router.Groups.Count == 0)
        {
            report.Add("aliases", "none (define them under models: in allos.yaml; `allos config init` writes examples)");
        }

        foreach (ModelGroup group in router.Groups)
        {
            var parts = new List<string>
            {
                string.Join(", ", group.Deployments.Select(Describe)),
            };
            if (group.Strategy is RoutingStrategy strategy)
            {
                parts.Add($"strategy {strategy}");
            }

            if (group.Fallbacks.Count > 0)
            {
                parts.Add($"fallbacks {string.Join(", ", group.Fallbacks)}");
            }

            if (group.ContextWindowFallbacks.Count > 0)
            {
                parts.Add($"context-window fallbacks {string.Join(", ", group.ContextWindowFallbacks)}");
            }

            if (group.ContentPolicyFallbacks.Count > 0)
            {
                parts.Add($"content-policy fallbacks {string.Join(", ", group.ContentPolicyFallbacks)}");
            }

            if (group.Cache)
            {
                parts.Add($"cached{(group.CacheTtl is TimeSpan ttl ? $" {ConfigReport.Duration(ttl)}" : "")}");
            }

            report.Add(group.Alias, string.Join(" · ", parts));
        }

        return report;
    }

    /// <summary>
    /// One MCP server: transport, command and arguments or URL, whether it is used, and where it is defined; header and
    /// environment values are masked (they carry tokens), and a URL loses its password and query.
    /// </summary>
    /// <summary>Bedrock's credentials are AWS's chain and its endpoint follows the region: each part says where it came from.</summary>
    private static string DescribeBedrock()
    {
        var (endpoint, endpointSource, region, regionSource, credentials, problem) = Allos.Providers.Bedrock.BedrockSetup.Inspect(Environment.GetEnvironmentVariable);
        // The usual case is said in words of its own: the full message names the key pair's second variable, and this line stays free of that word.
        string key = credentials is not null ? $"credentials from {credentials}"
            : problem is not null && problem.StartsWith("No AWS credentials", StringComparison.Ordinal) ? "no credentials (set the AWS_ACCESS_KEY_ID pair, AWS_PROFILE or AWS_BEARER_TOKEN_BEDROCK)"
            : $"not usable: {problem}";
        string url = endpoint is not null ? $"{Secrets.Url(endpoint)} (from {endpointSource})" : "no endpoint (set AWS_REGION or BEDROCK_BASE_URL)";
        string where = region is not null ? $"region {region} (from {regionSource})" : "no region";
        return $"{key} · {url} · {where}";
    }

    private static string DescribeMcpServer(Mcp.McpServerOptions server)
    {
        var parts = new List<string> { server.Transport };
        if (server.Url is { } url)
        {
            string shown = Secrets.Url(url.GetLeftPart(UriPartial.Path));
            parts.Add(url.Query.Length > 1 ? shown + "?…" : shown);
        }
        else
        {
            parts.Add(string.Join(' ', [server.Command!, .. server.Arguments.Select(argument => argument.Contains(' ', StringComparison.Ordinal) ? $"\"{argument}\"" : argument)]));
        }

        if (server.Headers.Count > 0)
        {
            parts.Add($"headers {string.Join(", ", server.Headers.Select(header => $"{header.Key}: {Secrets.Mask(header.Value)}"))}");
        }

        if (server.Environment.Count > 0)
        {
            parts.Add($"env {string.Join(", ", server.Environment.Select(variable => $"{variable.Key}={Secrets.Mask(variable.Value)}"))}");
        }

        parts.Add(server.Enabled ? "enabled" : "disabled");
        return $"{string.Join(" · ", parts)} (from {server.Source ?? "a program"})";
    }

    /// <summary>One deployment: its model and whatever the config sets for it; its key masked, its headers by name only (they may carry secrets).</summary>
    private static string Describe(Deployment deployment)
    {
        var details = new List<string>();
        if (deployment.ApiKey is { Length: > 0 } key)
        {
            details.Add($"key {Secrets.Mask(key)} (from allos.yaml)");
        }

        if (deployment.Endpoint is Uri endpoint)
        {
            details.Add($"base URL {Secrets.Url(endpoint.ToString())}");
        }

        if (deployment.Project is { Length: > 0 } project)
        {
            details.Add($"project {project}");
        }

        if (deployment.Location is { Length: > 0 } location)
        {
            details.Add($"location {location}");
        }

        if (deployment.TokenEndpoint is Uri tokenEndpoint)
        {
            details.Add($"token endpoint {Secrets.Url(tokenEndpoint.ToString())}");
        }

        if (deployment.Headers is { Count: > 0 } headers)
        {
            details.Add($"headers {string.Join(", ", headers.Keys)}");
        }

        if (deployment.Priority != 0)
        {
            details.Add($"priority {deployment.Priority.ToString(CultureInfo.InvariantCulture)}");
        }

        if (deployment.RequestsPerMinute is int rpm)
        {
            details.Add($"rpm {rpm.ToString(CultureInfo.InvariantCulture)}");
        }

        if (deployment.TokensPerMinute is int tpm)
        {
            details.Add($"tpm {tpm.ToString(CultureInfo.InvariantCulture)}");
        }

        string name = deployment.Name is { Length: > 0 } named && named != deployment.Model ? $"{named}: {deployment.Model}" : deployment.Model;
        return details.Count == 0 ? name : $"{name} ({string.Join(", ", details)})";
    }

    /// <summary>Says what the run's model is: an alias and its deployments, or a provider's model with its catalog entry.</summary>
    private static string Resolve(string model, RouterOptions router)
    {
        if (router.Groups.FirstOrDefault(group => string.Equals(group.Alias, model, StringComparison.OrdinalIgnoreCase)) is ModelGroup alias)
        {
            return $"alias of {string.Join(", ", alias.Deployments.Select(deployment => deployment.Model))}";
        }

        try
        {
            ModelReference reference = ProviderRegistry.Default.Resolve(model);
            ModelInfo? info = ModelCatalog.Default.Find(model);
            string catalog = info is null
                ? "not in the catalog (unknown price and limits)"
                : $"context {info.ContextWindow.ToString("N0", CultureInfo.InvariantCulture)}" +
                  (info.Pricing is ModelPricing price
                      ? $", ${price.Input.ToString("0.###", CultureInfo.InvariantCulture)} in / ${price.Output.ToString("0.###", CultureInfo.InvariantCulture)} out per million tokens"
                      : ", price unknown");
            return $"provider {reference.Provider}, model {reference.Model}; {catalog}";
        }
        catch (ConfigurationException ex)
        {
            return $"unresolved: {ex.Message}";
        }
    }

    /// <summary>Names where a setting came from: its flag, the project config, the user config, or the default.</summary>
    private static string Source(object? flag, string flagName, object? projectValue, object? userValue, AllosOptions? project, AllosOptions? user) =>
        flag is not null ? flagName
        : projectValue is not null ? project!.Source!
        : userValue is not null ? user!.Source!
        : "default";
}
