using System.Text;
using System.Text.Json;
using Allos.Agents;
using Allos.Cli.Output;
using Allos.Gateway;
using Allos.Mcp;
using Allos.Security;
using Allos.Tools;
using Microsoft.Extensions.AI;

namespace Allos.Cli.Hosting;

/// <summary>
/// MCP sampling in the CLI: servers' requests go through the Router (budgets, limits, records, fallbacks) with the run's
/// model, tagged with the session, and those of <c>sampling: ask</c> servers are asked like tool calls.
/// </summary>
/// <remarks>
/// Autonomy: <c>--yes</c> (autonomous) allows an <c>ask</c> server's requests without asking, as it runs <c>ask</c> tools;
/// <c>sampling: deny</c> is never overridden. Where no one can answer (a run on a pipe, <c>--json</c>) an <c>ask</c>
/// request is refused with a message that says to set <c>sampling: allow</c>.
/// </remarks>
internal static class McpSampling
{
    /// <summary>Gives <paramref name="mcp"/> the Router to sample through (before any server starts), and checks each <c>sampling_model</c>.</summary>
    /// <exception cref="ConfigurationException">A server's <c>sampling_model</c> is neither an alias nor a model a provider serves.</exception>
    public static void Configure(McpServers mcp, Router router, string model)
    {
        foreach (McpServerOptions server in mcp.Servers.Where(server => server.SamplingModel is not null && server.Sampling != ToolPermission.Deny))
        {
            try
            {
                _ = router.For(server.SamplingModel!);
            }
            catch (ConfigurationException ex)
            {
                string where = server.Source is null ? "" : $"{server.Source}: ";
                throw new ConfigurationException($"{where}sampling_model of MCP server '{server.Name}': {ex.Message}");
            }
        }

        var options = new McpSamplingOptions { ChatClient = router, Model = model };
        foreach (string alias in router.Aliases)
        {
            options.HintModels.Add(alias);
        }

        mcp.Sampling = options;
    }

    /// <summary>Answers <c>sampling: ask</c> requests: allowed when autonomous, asked with <paramref name="prompt"/>, refused when there is none.</summary>
    public static void UseApprovals(AgentHost host, ApprovalPrompt? prompt, Func<TurnExecution?> currentTurn)
    {
        if (host.Mcp.Sampling is not { } sampling)
        {
            return;
        }

        sampling.Approval = async (request, cancellationToken) =>
        {
            if (host.Autonomy == AutonomyLevel.Autonomous)
            {
                return McpSamplingDecision.Allow();
            }

            if (prompt is null)
            {
                return McpSamplingDecision.Deny($"no one can answer here (no terminal, or --json); set sampling: allow for MCP server '{request.Server}' in allos.yaml to allow it without asking");
            }

            currentTurn()?.PauseSpinner();
            ApprovalDecision decision = await prompt.AskAsync(ToApproval(request), cancellationToken);
            return decision.Approved ? McpSamplingDecision.Allow() : McpSamplingDecision.Deny(decision.Reason);
        };
    }

    /// <summary>A sampling request as the approval prompt shows it: the server, the model, max tokens, the system prompt and the messages.</summary>
    internal static ApprovalRequest ToApproval(McpSamplingRequest request)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("server", request.Server);
            json.WriteString("model", request.Model ?? "the run's model");
            json.WriteNumber("max_tokens", request.MaxTokens);
            if (!string.IsNullOrWhiteSpace(request.SystemPrompt))
            {
                json.WriteString("system", request.SystemPrompt);
            }

            json.WriteString("messages", Messages(request.Messages));
            json.WriteEndObject();
        }

        string name = $"{McpServers.GroupName(request.Server)}__sampling";
        return new ApprovalRequest(
            Guid.NewGuid().ToString("N"), "mcp", "", name, SecretRedactor.Redact(Encoding.UTF8.GetString(buffer.ToArray()))!, ToolRisk.Network,
            $"MCP server '{request.Server}' asks the model for a completion (sampling), paid from your budget");
    }

    private static string Messages(IReadOnlyList<ChatMessage> messages) => string.Join("\n", messages.Select(message =>
        $"{message.Role.Value}: {string.Join(" ", message.Contents.Select(content => content switch
        {
            TextContent text => text.Text,
            DataContent data => $"[{data.MediaType}]",
            _ => $"[{content.GetType().Name}]",
        }))}"));
}
