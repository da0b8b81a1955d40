using System.CommandLine;
using Allos.Cli.Settings;

namespace Allos.Cli.Commands;

// Work in progress: filled in by the chat work item before this issue is closed.
internal static class ChatCommand
{
    public static Command Create(RunFlags flags) => new("chat");

    public static Task<int> ExecuteAsync(RunRequest request) => Task.FromResult(ExitCodes.Failed);
}
