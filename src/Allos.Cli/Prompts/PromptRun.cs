using Allos.Cli.Settings;
using Allos.Mcp;
using Allos.Prompts;
using Microsoft.Extensions.AI;

namespace Allos.Cli.Prompts;

/// <summary>
/// What <c>run --prompt REF [TASK]</c> sends: the rendered prompt's system sections as the run's instructions, its other
/// messages (few-shot pairs, user turns) as the conversation before the run's input, which is TASK when given, else the
/// prompt's last user turn. The prompt is a prompt file's or an MCP server's (<c>mcp__SERVER__NAME</c>).
/// </summary>
internal sealed class PromptRun
{
    private PromptRun(ChatOptions? options, string? model, string? instructions, IReadOnlyList<ChatMessage> before, string input)
    {
        Options = options;
        Model = model;
        Instructions = instructions;
        Before = before;
        Input = input;
    }

    /// <summary>Gets the options the prompt sets (a prompt file's front matter), or <see langword="null"/> for an MCP prompt.</summary>
    public ChatOptions? Options { get; }

    /// <summary>Gets the model the prompt asks for, if any.</summary>
    public string? Model { get; }

    /// <summary>Gets the system sections, joined, or <see langword="null"/> when the prompt has none (the default instructions stay).</summary>
    public string? Instructions { get; }

    /// <summary>Gets the messages added to the history before the run.</summary>
    public IReadOnlyList<ChatMessage> Before { get; }

    /// <summary>Gets the run's input, its last user message.</summary>
    public string Input { get; }

    /// <summary>Loads and renders the prompt; returns <see langword="null"/> with <paramref name="usage"/> when there is nothing to send as the last user turn.</summary>
    /// <exception cref="PromptException">A prompt file is malformed, the reference names no prompt, or an input is missing, unknown or mistyped.</exception>
    public static PromptRun? Prepare(PromptLibrary library, string reference, IReadOnlyDictionary<string, object?> variables, string? task, out string? usage)
    {
        PromptTemplate template = library.Get(reference);
        RenderedPrompt rendered = template.Render(variables);
        return From(rendered.Options, template.Model, rendered.Messages, task, out usage, () =>
            $"{template.Reference} does not end with a user section, so there is nothing to ask: pass a TASK (allos run --prompt {reference} \"…\") or add a user: section to {PromptsPath(template)}.");
    }

    /// <summary>Renders an MCP server's prompt (<c>prompts/get</c>); returns <see langword="null"/> with <paramref name="usage"/> as <see cref="Prepare"/> does.</summary>
    /// <exception cref="PromptException">An input is missing or unknown.</exception>
    /// <exception cref="McpServerException">The server failed or refused the arguments.</exception>
    public static async Task<(PromptRun? Run, string? Usage)> PrepareAsync(McpPrompt prompt, IReadOnlyDictionary<string, object?> variables, string? task, CancellationToken cancellationToken)
    {
        IReadOnlyList<ChatMessage> messages = await prompt.RenderAsync(variables, cancellationToken);
        PromptRun? run = From(null, null, messages, task, out string? usage, () =>
            $"{prompt.Name} (a prompt of MCP server '{prompt.Server}') does not end with a user message with text, so there is nothing to ask: pass a TASK (allos run --prompt {prompt.Name} \"…\").");
        return (run, usage);
    }

    private static PromptRun? From(ChatOptions? options, string? model, IEnumerable<ChatMessage> messages, string? task, out string? usage, Func<string> nothingToAsk)
    {
        string[] system = [.. messages.Where(message => message.Role == ChatRole.System).Select(message => message.Text)];
        List<ChatMessage> conversation = [.. messages.Where(message => message.Role != ChatRole.System)];
        usage = null;
        if (!string.IsNullOrWhiteSpace(task))
        {
            return new PromptRun(options, model, Join(system), conversation, task.Trim());
        }

        if (conversation.Count == 0 || conversation[^1].Role != ChatRole.User || string.IsNullOrWhiteSpace(conversation[^1].Text))
        {
            usage = nothingToAsk();
            return null;
        }

        // The run's input is text: what else the last turn holds (an image of an MCP prompt) goes just before it.
        ChatMessage last = conversation[^1];
        List<ChatMessage> before = conversation[..^1];
        AIContent[] other = [.. last.Contents.Where(content => content is not TextContent)];
        if (other.Length > 0)
        {
            before.Add(new ChatMessage(ChatRole.User, other));
        }

        return new PromptRun(options, model, Join(system), before, string.Join("\n\n", last.Contents.OfType<TextContent>().Select(text => text.Text)));
    }

    /// <summary>The request with the prompt's instructions, and its model unless <c>-m</c> or <c>-p</c> chose one.</summary>
    public RunRequest Apply(RunRequest request) => request with
    {
        System = Instructions ?? request.System,
        Model = request.Model is null && request.Provider is null ? Model ?? request.Model : request.Model,
    };

    private static string? Join(string[] sections) => sections.Length == 0 ? null : string.Join("\n\n", sections);

    private static string PromptsPath(PromptTemplate template) => Commands.PromptsCommand.Display(template.FilePath);
}
