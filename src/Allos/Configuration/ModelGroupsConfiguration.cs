using Allos.Gateway;
using Allos.Yaml;
using YamlDotNet.RepresentationModel;

namespace Allos.Configuration;

/// <summary>Reads the <c>models:</c> section of <c>allos.yaml</c>: aliases, their deployments and fallbacks (see <see cref="RouterConfiguration"/>).</summary>
internal static class ModelGroupsConfiguration
{
    private static readonly string[] GroupKeys =
        ["strategy", "cache", "cache_ttl", "fallbacks", "context_window_fallbacks", "content_policy_fallbacks", "deployments"];

    private static readonly string[] DeploymentKeys =
        ["model", "name", "api_key", "base_url", "endpoint", "api_version", "project", "location", "token_url", "headers", "weight", "priority", "rpm", "tpm", "timeout", "stream_idle_timeout", "tags"];

    private static readonly string[] SingleDeploymentGroupKeys = [.. GroupKeys.Where(k => k != "deployments"), .. DeploymentKeys];

    internal static readonly Dictionary<string, RoutingStrategy> Strategies = new()
    {
        ["priority"] = RoutingStrategy.Priority,
        ["weighted"] = RoutingStrategy.WeightedShuffle,
        ["weighted_shuffle"] = RoutingStrategy.WeightedShuffle,
        ["least_busy"] = RoutingStrategy.LeastBusy,
        ["lowest_latency"] = RoutingStrategy.LowestLatency,
        ["lowest_cost"] = RoutingStrategy.LowestCost,
    };

    /// <summary>Reads the <c>models:</c> aliases into <paramref name="options"/>.</summary>
    public static void ReadModels(ConfigurationReader reader, YamlMappingNode models, RouterOptions options)
    {
        var lines = new Dictionary<string, YamlNode>(StringComparer.OrdinalIgnoreCase);
        var fallbackNodes = new List<(ModelGroup Group, YamlMappingNode Node)>();
        foreach (KeyValuePair<YamlNode, YamlNode> entry in models)
        {
            string alias = reader.String(entry.Key, "an alias").Trim();
            if (alias.Length == 0)
            {
                throw reader.Error(entry.Key, "an alias must not be empty.");
            }

            if (lines.TryGetValue(alias, out YamlNode? first))
            {
                throw reader.Error(entry.Key, $"alias '{alias}' is defined twice (first on line {first.Start.Line}); rename or merge one.");
            }

            lines[alias] = entry.Key;
            ModelGroup group = ReadGroup(reader, alias, entry.Key, entry.Value);
            options.Groups.Add(group);
            if (entry.Value is YamlMappingNode mapping)
            {
                fallbackNodes.Add((group, mapping));
            }
        }

        // Checked once every alias is known, since a fallback may name one defined further down.
        foreach ((ModelGroup group, YamlMappingNode node) in fallbackNodes)
        {
            foreach (string key in (string[])["fallbacks", "context_window_fallbacks", "content_policy_fallbacks"])
            {
                if (reader.Get(node, key) is not { } listNode)
                {
                    continue;
                }

                foreach (string target in reader.Names(node, key))
                {
                    if (target.Contains('/', StringComparison.Ordinal))
                    {
                        continue;
                    }

                    if (string.Equals(target, group.Alias, StringComparison.Ordinal))
                    {
                        throw reader.Error(listNode, $"{key} of '{group.Alias}' names '{target}' itself; name another alias.");
                    }

                    if (!options.Groups.Any(g => string.Equals(g.Alias, target, StringComparison.Ordinal)))
                    {
                        string hint = lines.TryGetValue(target, out YamlNode? near) ? $" (did you mean '{((YamlScalarNode)near).Value}'?)" : "";
                        throw reader.Error(listNode,
                            $"{key} of '{group.Alias}' names '{target}', which is not an alias under models{hint}; define it, or use a model id such as openai/gpt-4o.");
                    }
                }
            }
        }
    }

    private static ModelGroup ReadGroup(ConfigurationReader reader, string alias, YamlNode aliasNode, YamlNode node)
    {
        switch (node)
        {
            // `claude: anthropic/claude-sonnet-4-5`: one deployment with defaults.
            case YamlScalarNode when ConfigurationReader.IsEmpty(node):
                throw reader.Error(aliasNode, $"alias '{alias}' has no deployments; give it a model id or a deployments list.");
            case YamlScalarNode scalar:
                return new ModelGroup(alias, new Deployment(reader.String(scalar, "a model id")));

            // `fast: [openai/gpt-4o-mini, groq/llama-3.1-8b-instant]`: deployments only.
            case YamlSequenceNode sequence:
                return new ModelGroup(alias, ReadDeployments(reader, alias, aliasNode, sequence));
        }

        YamlMappingNode mapping = reader.Mapping(node, $"alias '{alias}'");
        ModelGroup group;
        if (reader.Get(mapping, "deployments") is { } deployments)
        {
            reader.CheckKeys(mapping, $"alias '{alias}'", GroupKeys);
            group = new ModelGroup(alias, ReadDeployments(reader, alias, deployments, deployments as YamlSequenceNode
                ?? throw reader.Error(deployments, "deployments must be a list of model ids or deployment mappings.")));
        }
        else if (reader.Get(mapping, "model") is not null)
        {
            // `fast: { model: openai/gpt-4o-mini, api_key: ..., fallbacks: [...] }`: a group of one deployment.
            reader.CheckKeys(mapping, $"alias '{alias}'", SingleDeploymentGroupKeys);
            group = new ModelGroup(alias, ReadDeployment(reader, mapping));
        }
        else
        {
            reader.CheckKeys(mapping, $"alias '{alias}'", SingleDeploymentGroupKeys);
            throw reader.Error(aliasNode, $"alias '{alias}' has no deployments; add a deployments list (or a model key).");
        }

        group.Strategy = reader.Choice(mapping, "strategy", Strategies);
        group.Cache = reader.Boolean(mapping, "cache") ?? false;
        group.CacheTtl = reader.Duration(mapping, "cache_ttl", allowZero: false);
        foreach (string name in reader.Names(mapping, "fallbacks"))
        {
            group.Fallbacks.Add(name);
        }

        foreach (string name in reader.Names(mapping, "context_window_fallbacks"))
        {
            group.ContextWindowFallbacks.Add(name);
        }

        foreach (string name in reader.Names(mapping, "content_policy_fallbacks"))
        {
            group.ContentPolicyFallbacks.Add(name);
        }

        return group;
    }

    private static List<Deployment> ReadDeployments(ConfigurationReader reader, string alias, YamlNode where, YamlSequenceNode sequence)
    {
        if (sequence.Children.Count == 0)
        {
            throw reader.Error(where, $"alias '{alias}' has no deployments; list at least one model id.");
        }

        return [.. sequence.Select(item => item is YamlScalarNode scalar
            ? new Deployment(NonEmptyModel(reader, scalar, reader.String(scalar, "a model id")))
            : ReadListedDeployment(reader, reader.Mapping(item, "a deployment")))];
    }

    private static Deployment ReadListedDeployment(ConfigurationReader reader, YamlMappingNode node)
    {
        reader.CheckKeys(node, "a deployment", DeploymentKeys);
        return ReadDeployment(reader, node);
    }

    private static string NonEmptyModel(ConfigurationReader reader, YamlNode node, string model) =>
        string.IsNullOrWhiteSpace(model) ? throw reader.Error(node, "a deployment needs a model id, such as openai/gpt-4o-mini.") : model;

    private static Deployment ReadDeployment(ConfigurationReader reader, YamlMappingNode node)
    {
        YamlNode modelNode = reader.Get(node, "model")
            ?? throw reader.Error(node, "a deployment needs a model id, such as model: openai/gpt-4o-mini.");
        string model = NonEmptyModel(reader, modelNode, reader.String(modelNode, "model"));

        Uri? endpoint = null;
        foreach (string key in (string[])["base_url", "endpoint"])
        {
            if (reader.String(node, key) is not { } url)
            {
                continue;
            }

            if (endpoint is not null)
            {
                throw reader.Error(reader.Get(node, key)!, "give base_url or endpoint, not both.");
            }

            endpoint = Uri.TryCreate(url, UriKind.Absolute, out Uri? parsed) && parsed.Scheme is "http" or "https"
                ? parsed
                : throw reader.Error(reader.Get(node, key)!, $"{key} must be an absolute http or https URL, not '{url}'.");
        }

        Uri? tokenEndpoint = reader.String(node, "token_url") is not { } tokenUrl ? null
            : Uri.TryCreate(tokenUrl, UriKind.Absolute, out Uri? parsedToken) && parsedToken.Scheme is "http" or "https" ? parsedToken
            : throw reader.Error(reader.Get(node, "token_url")!, $"token_url must be an absolute http or https URL, not '{tokenUrl}'.");

        Dictionary<string, string>? headers = null;
        if (reader.Get(node, "headers") is { } headersNode)
        {
            headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (KeyValuePair<YamlNode, YamlNode> header in reader.Mapping(headersNode, "headers"))
            {
                headers[reader.String(header.Key, "a header name")] = reader.String(header.Value, "a header value");
            }
        }

        double weight = reader.Number(node, "weight") ?? 1;
        if (weight <= 0)
        {
            throw reader.Error(reader.Get(node, "weight")!, $"weight must be more than 0, not {weight}; remove the deployment to stop using it.");
        }

        // Registered as soon as the file is read: allos.yaml may sit in the workspace, where read_file can show it.
        string? apiKey = reader.String(node, "api_key");
        Security.SecretRedactor.Register($"api_key of {model}", apiKey);
        return new Deployment(model)
        {
            Name = reader.String(node, "name"),
            ApiKey = apiKey,
            Endpoint = endpoint,
            ApiVersion = reader.String(node, "api_version"),
            Project = reader.String(node, "project"),
            Location = reader.String(node, "location"),
            TokenEndpoint = tokenEndpoint,
            Headers = headers,
            Weight = weight,
            Priority = reader.Integer(node, "priority", 0) ?? 0,
            RequestsPerMinute = reader.Integer(node, "rpm", 1),
            TokensPerMinute = reader.Integer(node, "tpm", 1),
            Timeout = reader.Duration(node, "timeout", allowZero: false),
            StreamIdleTimeout = reader.Duration(node, "stream_idle_timeout", allowZero: false),
            Tags = reader.Names(node, "tags"),
        };
    }
}
