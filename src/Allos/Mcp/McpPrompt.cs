using System.Globalization;
using System.Text.Json;
using Allos.Prompts;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Protocol;

namespace Allos.Mcp;

/// <summary>
/// A prompt an MCP server offers, under its Allos name <c>mcp__SERVER__NAME</c>: its arguments are its inputs (all
/// strings; required as the server says), and <see cref="RenderAsync"/> asks the server for its messages
/// (<c>prompts/get</c>).
/// </summary>
/// <remarks>
/// Thread-safe. Security: the messages come from the server and are sent to the model as written, so a server can steer
/// the model (prompt injection) through them; use prompts of servers you trust.
/// </remarks>
public sealed class McpPrompt
{
    private readonly McpServerConnection _connection;

    internal McpPrompt(McpServerConnection connection, Prompt prompt)
    {
        _connection = connection;
        PromptName = prompt.Name;
        Name = McpToolNames.Compose(connection.Name, prompt.Name);
        Title = prompt.Title;
        Description = prompt.Description;
        Inputs = [.. (prompt.Arguments ?? []).Select(argument => new PromptInput(argument.Name, PromptInputType.String, argument.Required == true, null, argument.Description ?? argument.Title, 0))];
    }

    /// <summary>Gets the Allos name, <c>mcp__SERVER__NAME</c> (sanitized as MCP tool names are).</summary>
    public string Name { get; }

    /// <summary>Gets the name of the server that offers the prompt.</summary>
    public string Server => _connection.Name;

    /// <summary>Gets the prompt's name on the server.</summary>
    public string PromptName { get; }

    /// <summary>Gets the server's title for the prompt, if it gave one.</summary>
    public string? Title { get; }

    /// <summary>Gets what the prompt is for, as the server says.</summary>
    public string? Description { get; }

    /// <summary>Gets the prompt's arguments as inputs: all of type string, without defaults.</summary>
    public IReadOnlyList<PromptInput> Inputs { get; }

    /// <summary>
    /// Asks the server for the prompt's messages with these argument values. Roles are kept (user, assistant); text stays
    /// text, images become <see cref="DataContent"/>, embedded text resources their text, and anything else a line that
    /// describes it; consecutive messages of one role are joined into one.
    /// </summary>
    /// <param name="variables">Values by input name: text, or values written as text (numbers, booleans, JSON).</param>
    /// <param name="cancellationToken">The token to monitor for cancellation requests.</param>
    /// <exception cref="PromptException">An input is unknown or a required one is missing; <see cref="PromptException.Input"/> names it.</exception>
    /// <exception cref="McpServerException">The server could not be reached, or refused (its message says why).</exception>
    public async Task<IReadOnlyList<ChatMessage>> RenderAsync(IReadOnlyDictionary<string, object?>? variables = null, CancellationToken cancellationToken = default)
    {
        Dictionary<string, object?> arguments = Bind(variables ?? new Dictionary<string, object?>());
        GetPromptResult result = await _connection.RequestAsync(
            $"get the prompt '{PromptName}'", (client, token) => client.GetPromptAsync(PromptName, arguments, cancellationToken: token), cancellationToken).ConfigureAwait(false);
        return McpPromptMessages.ToChatMessages(result.Messages);
    }

    private Dictionary<string, object?> Bind(IReadOnlyDictionary<string, object?> variables)
    {
        var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach ((string name, object? value) in variables)
        {
            if (!Inputs.Any(input => input.Name == name))
            {
                string[] names = [.. Inputs.Select(input => input.Name)];
                string hint = KeySuggestion.Nearest(name, names) is { } near ? $" Did you mean '{near}'?" : "";
                string known = names.Length == 0 ? "it has no arguments" : $"its inputs are {string.Join(", ", names)}";
                throw new PromptException($"{Name} (a prompt of MCP server '{Server}') has no input '{name}'; {known}.{hint}", file: null, input: name);
            }

            // MCP prompt arguments are strings: a typed value (from a --var-file) is sent as it would be written.
            arguments[name] = value switch
            {
                null => null,
                string text => text,
                JsonElement { ValueKind: JsonValueKind.String } json => json.GetString(),
                JsonElement json => json.GetRawText(),
                bool flag => flag ? "true" : "false",
                _ => Convert.ToString(value, CultureInfo.InvariantCulture),
            };
        }

        foreach (PromptInput input in Inputs.Where(input => input.Required && arguments.GetValueOrDefault(input.Name) is null))
        {
            throw new PromptException($"input '{input.Name}' of {Name} is required and was not given; pass it (on the command line: --var {input.Name}=VALUE).", file: null, input: input.Name);
        }

        return arguments;
    }
}
