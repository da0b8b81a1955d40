using Allos.Cli.Settings;
using Allos.Configuration;

namespace Allos.Cli.Admin;

/// <summary>The commented <c>allos.yaml</c> that <c>allos config init</c> writes: the command's keys and the Router's sections.</summary>
/// <remarks>
/// Every active line must load with <see cref="AllosConfiguration"/>, which rejects unknown keys and unset <c>${VAR}</c>,
/// so examples that need a variable stay commented out.
/// </remarks>
internal static class ConfigTemplate
{
    /// <summary>Builds the file, with the default model of the first provider whose key is set (OpenAI when none is).</summary>
    public static string Create(Func<string, string?> environment)
    {
        string provider = CliSettings.ProviderWithKey(environment)?.Provider ?? "openai";
        string model = $"{provider}/{CliSettings.ProviderDefaults[provider]}";
        return Text.Replace("{MODEL}", model, StringComparison.Ordinal);
    }

    private const string Text = """
        # allos.yaml: configuration of the `allos` command and of the Router every model call goes through.
        #
        # Precedence: command-line flags, then the environment (ALLOS_MODEL, AI_PROVIDER, API keys, base URLs; a .env file
        # in the working folder counts as environment), then ./allos.yaml, then the user's config file, then defaults.
        # `allos config show` prints the effective configuration and where each value came from.
        #
        # Keep keys out of this file: set OPENAI_API_KEY, ANTHROPIC_API_KEY ... in the environment or .env, or write
        # ${VAR} in a value (replaced by the environment variable VAR when the file is loaded; loading fails if it is unset).
        # Durations: 500ms, 30s, 2m, 1h, 1d. Money: US dollars, 5 or $5.00.

        # The model when --model is not given: provider/model (`allos models` lists known ones) or an alias under models:.
        default_model: {MODEL}

        # Tools or tool groups the agent may use (`allos tools` lists them). Default: [files, search, shell].
        tools: [files, search, shell]

        # The shell tool's sandbox: auto (bubblewrap when installed; default) | bwrap (always; fails without it) | none.
        # Inside: the workspace read-write, the rest read-only, home folders hidden, a private /tmp, no network.
        sandbox: auto
        # sandbox_network: true   # let sandboxed commands use the network

        # When tools ask first: manual (every tool) | supervised (risky tools; default) | autonomous (never; like -y).
        autonomy: supervised

        # The most model calls in one run (default 20).
        max_iterations: 20

        # The system prompt (default: Allos's own, which names the workspace).
        # system: |
        #   You are a careful assistant. Keep changes small and explain them.

        # A team of agents for --agent NAME (default: ./agents.yaml when it exists).
        # agents: agents.yaml

        router:
          # How a group picks among its deployments: priority | weighted | weighted_shuffle | least_busy | lowest_latency | lowest_cost
          strategy: priority
          # Retries of a rate limit or server error within a group, before its fallbacks (default 2); first delay, doubled each time.
          retries: 2
          retry_delay: 500ms
          max_retry_delay: 10s
          # The longest provider retry-after to wait for; a longer one moves on to other deployments.
          max_retry_after: 60s
          # The time a whole request may take, retries and fallbacks included (default: no limit).
          # timeout: 2m
          # How long a started stream may send nothing before the attempt is retried or falls back (default: 5m).
          # stream_idle_timeout: 5m
          # After `failures` failures within `window`, a deployment is skipped for `duration`.
          cooldown: { failures: 3, window: 60s, duration: 30s }
          # How long a request waits when every deployment is at its rpm/tpm limit (0 fails at once).
          rate_limit_queue_timeout: 30s

          # Response cache for groups with `cache: true`: memory (in-process) or sqlite (a file that survives restarts).
          # cache: { type: memory, max_entries: 1000, ttl: 1h }
          # cache: { type: sqlite, path: ~/.cache/allos/cache.db, ttl: 1d }

          # Spending limits in US dollars, checked before every call.
          #   scope: global | alias | user | session    period: day | month | total    key: one alias, user or session
          # budgets:
          #   - { scope: global, period: day, limit: 5.00 }
          #   - { scope: alias, key: smart, period: month, limit: $50 }

        # Aliases: names to use with --model (allos -m fast). Each maps to one model or to a group of deployments.
        models:
          fast: openai/gpt-4o-mini
          smart: anthropic/claude-sonnet-4-5

          # A group with several deployments, fallbacks and a cache:
          # reliable:
          #   strategy: priority
          #   fallbacks: [smart]              # tried when every deployment of this group failed
          #   context_window_fallbacks: [long]
          #   cache: true
          #   cache_ttl: 10m
          #   deployments:
          #     - model: openai/gpt-4o-mini
          #       name: oai-mini
          #       api_key: ${OPENAI_KEY_2}     # default: the provider's variable (OPENAI_API_KEY)
          #       base_url: https://api.openai.com/v1
          #       rpm: 500
          #       tpm: 200000
          #       timeout: 30s
          #     - groq/llama-3.1-8b-instant
          # long: gemini/gemini-2.5-pro

        # MCP servers whose tools a run may use (--tools mcp__NAME, or mcp for all); a .mcp.json in this folder is read too.
        # mcp_servers:
        #   files:
        #     command: npx
        #     args: ["-y", "@modelcontextprotocol/server-filesystem", "."]
        #     approval: { write_file: ask, read_text_file: allow }
        #     timeout: 60s
        #   docs:
        #     url: https://docs.example.com/mcp
        #     headers: { Authorization: "Bearer ${DOCS_TOKEN}" }
        #     exclude: [delete_page]
        #     enabled: false

        """;
}
