using Microsoft.Extensions.AI;

namespace Allos.Prompts;

/// <summary>One role section of a prompt body, compiled.</summary>
internal sealed record PromptSection(ChatRole Role, int Line, Func<IReadOnlyDictionary<string, object?>, string> Render);
