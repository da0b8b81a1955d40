namespace Allos.Cli.Settings;

/// <summary>Where the data folder's location comes from, for messages that tell the user how to move it.</summary>
internal static class DataFolder
{
    /// <summary>Gets the environment variable that placed the data folder, or <see langword="null"/> for the default.</summary>
    public static string? Variable =>
        Environment.GetEnvironmentVariable("ALLOS_HOME") is { Length: > 0 } ? "ALLOS_HOME"
        : Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } ? "XDG_DATA_HOME"
        : null;
}
