using Microsoft.Extensions.AI;

namespace Allos.Prompts;

/// <summary>A prompt rendered with its inputs: the messages to send and the options its front matter sets.</summary>
public sealed class RenderedPrompt
{
    internal RenderedPrompt(PromptTemplate template, IList<ChatMessage> messages, ChatOptions options, IReadOnlyDictionary<string, object?> variables)
    {
        Template = template;
        Messages = messages;
        Options = options;
        Variables = variables;
    }

    /// <summary>Gets the template this was rendered from.</summary>
    public PromptTemplate Template { get; }

    /// <summary>Gets the prompt's name.</summary>
    public string Name => Template.Name;

    /// <summary>Gets the prompt's version.</summary>
    public int Version => Template.Version;

    /// <summary>Gets the messages: the rendered sections in file order, the few-shot examples before the last user turn.</summary>
    public IList<ChatMessage> Messages { get; }

    /// <summary>
    /// Gets a new <see cref="ChatOptions"/> with what the front matter sets (model, temperature, output limit, …), tagged
    /// with the prompt's name and version (<see cref="PromptChatOptions"/>) so the call is recorded against them.
    /// </summary>
    public ChatOptions Options { get; }

    /// <summary>Gets the input values used, after defaults and type conversion.</summary>
    public IReadOnlyDictionary<string, object?> Variables { get; }
}
