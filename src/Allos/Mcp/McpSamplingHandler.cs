using Allos.Prompts;
using Allos.Security;
using Allos.Tools;
using Microsoft.Extensions.AI;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

// Sampling is deprecated from protocol 2026-07-28, but servers on earlier versions still ask for it.
#pragma warning disable MCP9005

namespace Allos.Mcp;

/// <summary>
/// Answers one server's <c>sampling/createMessage</c>: picks the model, asks for approval when the server's
/// <see cref="McpServerOptions.Sampling"/> says so, and sends the request through <see cref="McpSamplingOptions.ChatClient"/>.
/// A refusal or a failed call is a JSON-RPC error whose message the server (and, through its tool result, the model) reads.
/// </summary>
internal sealed class McpSamplingHandler(McpServerOptions server, Func<McpSamplingOptions?> options)
{
    /// <summary>The error code of a refused request: the MCP specification's example for "user rejected sampling request".</summary>
    private const McpErrorCode Rejected = (McpErrorCode)(-1);

    /// <summary>The prompt name a sampling call is recorded under, <c>mcp__SERVER__sampling</c>.</summary>
    public static string PromptName(string server) => $"{McpToolNames.Group(server)}__sampling";

    public async ValueTask<CreateMessageResult> HandleAsync(CreateMessageRequestParams? request, IProgress<ProgressNotificationValue> progress, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new McpProtocolException("sampling/createMessage needs its params (messages, maxTokens).", McpErrorCode.InvalidParams);
        }

        if (options() is not { } sampling || server.Sampling == ToolPermission.Deny)
        {
            throw new McpProtocolException($"Sampling was refused: the client does not allow MCP server '{server.Name}' to ask for model completions.", Rejected);
        }

        string? model = Model(sampling, request.ModelPreferences);
        IReadOnlyList<ChatMessage> messages = McpSamplingMessages.ToChatMessages(request);
        if (server.Sampling == ToolPermission.Ask)
        {
            if (sampling.Approval is not { } approval)
            {
                throw new McpProtocolException(
                    $"Sampling was refused: MCP server '{server.Name}' asked for a model completion and no one could approve it here; to allow it without asking, set sampling: allow for the server in allos.yaml.",
                    Rejected);
            }

            var asked = new McpSamplingRequest(server.Name, [.. messages.Where(message => message.Role != ChatRole.System)], request.SystemPrompt, request.MaxTokens, model);
            McpSamplingDecision decision = await approval(asked, cancellationToken).ConfigureAwait(false);
            if (!decision.Allowed)
            {
                throw new McpProtocolException(string.IsNullOrWhiteSpace(decision.Reason)
                    ? $"Sampling was refused: the user denied MCP server '{server.Name}' a model completion."
                    : $"Sampling was refused: MCP server '{server.Name}' was not allowed a model completion ({decision.Reason.Trim().TrimEnd('.')}).", Rejected);
            }
        }

        ChatOptions chatOptions = McpSamplingMessages.ToOptions(request, model);

        // Recorded as the prompt mcp__SERVER__sampling, so call records say which server's sampling a call was.
        (chatOptions.AdditionalProperties ??= [])[PromptChatOptions.NameKey] = PromptName(server.Name);
        ChatResponse response;
        try
        {
            response = await sampling.ChatClient.GetResponseAsync(messages, chatOptions, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not McpException)
        {
            throw new McpProtocolException($"The model call for the sampling request of MCP server '{server.Name}' failed: {SecretRedactor.Redact(ex.Message)}", McpErrorCode.InternalError);
        }

        return McpSamplingMessages.ToResult(response, model);
    }

    /// <summary>The server's configured model, else the first hint the user listed, else the default.</summary>
    internal string? Model(McpSamplingOptions sampling, ModelPreferences? preferences)
    {
        if (!string.IsNullOrWhiteSpace(server.SamplingModel))
        {
            return server.SamplingModel.Trim();
        }

        foreach (ModelHint hint in preferences?.Hints ?? [])
        {
            if (hint.Name is { Length: > 0 } name && sampling.HintModels.FirstOrDefault(known => string.Equals(known, name.Trim(), StringComparison.OrdinalIgnoreCase)) is { } match)
            {
                return match;
            }
        }

        return sampling.Model;
    }
}
