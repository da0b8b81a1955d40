using System.CommandLine;
using Allos.Cli.Admin;
using Allos.Cli.Chat;
using Allos.Cli.Hosting;
using Allos.Cli.Output;
using Allos.Cli.Settings;

namespace Allos.Cli.Commands;

/// <summary>
/// <c>allos chat</c> (also <c>allos</c> alone and <c>allos -i</c>): an interactive conversation kept as a session, with
/// slash commands. Exit codes: 0 after <c>/exit</c> or the end of input, 130 after Ctrl+C twice at an empty prompt,
/// 3 for a configuration error at the start.
/// </summary>
internal static class ChatCommand
{
    public static Command Create(RunFlags flags)
    {
        var command = new Command("chat", "Interactive conversation with slash commands (/help); the history is kept as a session");
        flags.AddTo(command);
        command.SetAction((result, cancellationToken) => ExecuteAsync(flags.Read(result)));
        return command;
    }

    public static async Task<int> ExecuteAsync(RunRequest request)
    {
        var console = new CliConsole();
        using var interrupts = new Interrupts();
        try
        {
            (RunRequest? resolved, int exitCode) = await SessionChoice.ResolveAsync(request, console, interrupts.Token);
            if (resolved is null)
            {
                return exitCode;
            }

            request = resolved;
            CliSettings settings = CliSettings.Load(request);
            await using AgentHost host = await AgentHost.OpenAsync(settings, request.Verbose ? console.Error : null, interrupts.Token);
            Conversation conversation = await Conversation.OpenAsync(host, request.Session, interrupts.Token);
            try
            {
                int chatExit = await new ChatLoop(console, request, host, conversation, interrupts).RunAsync();
                if (!request.Json && !request.Quiet && !conversation.IsFile && conversation.Messages.Count > 0)
                {
                    string id = await SessionLookup.ShortIdOrWholeAsync(host.Store.Sessions, conversation.Id);
                    console.Error.WriteLine($"session {id} saved; resume it with: allos sessions resume {id}  (or allos chat -c)");
                }

                return chatExit;
            }
            finally
            {
                // A chat left without a turn keeps no empty session behind.
                await conversation.DiscardIfUntouchedAsync(host);
            }
        }
        catch (Exception ex) when (ex is AllosException or IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            return ErrorReport.Report(console, ex, request.Json, request.Verbose);
        }
    }
}
