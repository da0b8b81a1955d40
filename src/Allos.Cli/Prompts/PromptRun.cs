using Allos.Cli.Settings;
using Allos.Prompts;
using Microsoft.Extensions.AI;

namespace Allos.Cli.Prompts;

/// <summary>
/// What <c>run --prompt REF [TASK]</c> sends: the rendered prompt's system sections as the run's instructions, its other
/// messages (few-shot pairs, user turns) as the conversation before the run's input, which is TASK when given, else the
/// prompt's last user turn.
/// </summary>
internal sealed class PromptRun
{
    private PromptRun(RenderedPrompt rendered, string? instructions, IReadOnlyList<ChatMessage> before, string input)
    {
        Rendered = rendered;
        Instructions = instructions;
        Before = before;
        Input = input;
    }

    public RenderedPrompt Rendered { get; }

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
        string[] system = [.. rendered.Messages.Where(message => message.Role == ChatRole.System).Select(message => message.Text)];
        List<ChatMessage> conversation = [.. rendered.Messages.Where(message => message.Role != ChatRole.System)];
        usage = null;
        if (!string.IsNullOrWhiteSpace(task))
        {
            return new PromptRun(rendered, Join(system), conversation, task.Trim());
        }

        if (conversation.Count == 0 || conversation[^1].Role != ChatRole.User)
        {
            usage = $"{template.Reference} does not end with a user section, so there is nothing to ask: pass a TASK (allos run --prompt {reference} \"…\") or add a user: section to {PromptsPath(template)}.";
            return null;
        }

        return new PromptRun(rendered, Join(system), conversation[..^1], conversation[^1].Text);
    }

    /// <summary>The request with the prompt's instructions, and its model unless <c>-m</c> or <c>-p</c> chose one.</summary>
    public RunRequest Apply(RunRequest request) => request with
    {
        System = Instructions ?? request.System,
        Model = request.Model is null && request.Provider is null ? Rendered.Template.Model ?? request.Model : request.Model,
    };

    private static string? Join(string[] sections) => sections.Length == 0 ? null : string.Join("\n\n", sections);

    private static string PromptsPath(PromptTemplate template) => Commands.PromptsCommand.Display(template.FilePath);
}
