namespace Allos.Cli.Chat;

/// <summary>The chat's slash commands: names, arguments and one-line descriptions, for <c>/help</c>, errors and Tab completion.</summary>
internal static class SlashCommands
{
    public static IReadOnlyList<(string Name, string Arguments, string Description)> All { get; } =
    [
        ("/help", "", "this list"),
        ("/model", "[ID]", "show the model, or switch to ID (provider/model or an alias) for the next turns"),
        ("/tools", "", "the tools of this session, with their risk and permission"),
        ("/autonomy", "[manual|supervised|autonomous]", "show or set when tools ask before they run"),
        ("/session", "", "session id, messages, tokens and cost"),
        ("/cost", "", "tokens and cost of this chat, and the session's total"),
        ("/clear", "", "start the conversation afresh (the session keeps its messages and totals)"),
        ("/compact", "", $"summarize the older history with the model, keep the last {HistoryCompactor.KeepTurns} turns"),
        ("/exit", "", "leave the chat (also /quit or Ctrl+D)"),
    ];

    public static IReadOnlyList<string> Names { get; } = [.. All.Select(command => command.Name), "/quit"];

    public static string List => string.Join(", ", All.Select(command => command.Name));
}
