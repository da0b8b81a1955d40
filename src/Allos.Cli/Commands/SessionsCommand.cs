using System.CommandLine;
using Allos.Cli.Settings;

namespace Allos.Cli.Commands;

// Work in progress: filled in by the sessions work item before this issue is closed.
internal static class SessionsCommand
{
    public static Command Create() => new("sessions");

}
