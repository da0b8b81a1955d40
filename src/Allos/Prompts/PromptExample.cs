namespace Allos.Prompts;

/// <summary>A few-shot example: a user turn and the assistant's answer, sent before the prompt's last user turn.</summary>
/// <param name="User">The example's user message.</param>
/// <param name="Assistant">The answer the model should imitate.</param>
public sealed record PromptExample(string User, string Assistant);
