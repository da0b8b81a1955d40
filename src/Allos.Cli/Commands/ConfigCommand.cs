using System.CommandLine;
using Allos.Cli.Settings;

namespace Allos.Cli.Commands;

// Work in progress: filled in by the config work item before this issue is closed.
internal static class ConfigCommand
{
    public static Command Create() => new("config");

}
