using System.CommandLine;
using Allos.Cli.Settings;

namespace Allos.Cli.Commands;

// Work in progress: filled in by the stats work item before this issue is closed.
internal static class StatsCommand
{
    public static Command Create() => new("stats");

}
