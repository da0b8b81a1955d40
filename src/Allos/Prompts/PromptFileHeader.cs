namespace Allos.Prompts;

/// <summary>What the front matter of a prompt file says, as the parser read it.</summary>
internal sealed record PromptFileHeader(
    string FilePath,
    string DisplayPath,
    string Name,
    int Version,
    int VersionLine,
    IReadOnlyList<string> Labels,
    IReadOnlyList<int> LabelLines,
    string? Description,
    string? Model,
    IReadOnlyList<PromptInput> Inputs,
    IReadOnlyList<PromptExample> Examples,
    IReadOnlyList<PromptTest> Tests);
