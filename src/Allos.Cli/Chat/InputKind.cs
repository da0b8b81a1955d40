namespace Allos.Cli.Chat;

/// <summary>How reading the prompt ended.</summary>
internal enum InputKind
{
    Line,
    EndOfInput,
    Interrupted,
}
