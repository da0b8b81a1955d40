namespace Allos;

/// <summary>
/// Where Allos keeps the user's data (the SQLite file) and configuration, by platform convention:
/// <c>ALLOS_HOME</c> if set (data and config both there), else <c>XDG_DATA_HOME/allos</c> and <c>XDG_CONFIG_HOME/allos</c>,
/// else <c>~/.local/share/allos</c> and <c>~/.config/allos</c> (on Windows, the local application data folder).
/// </summary>
public static class AllosPaths
{
    /// <summary>Gets the data folder (not created).</summary>
    public static string DataDirectory => Resolve(Environment.GetEnvironmentVariable, "XDG_DATA_HOME", Environment.SpecialFolder.LocalApplicationData, ".local/share");

    /// <summary>Gets the configuration folder (not created).</summary>
    public static string ConfigDirectory => Resolve(Environment.GetEnvironmentVariable, "XDG_CONFIG_HOME", Environment.SpecialFolder.ApplicationData, ".config");

    /// <summary>Gets the default database file, <c>allos.db</c> in <see cref="DataDirectory"/>.</summary>
    public static string DatabasePath => Path.Combine(DataDirectory, "allos.db");

    internal static string Resolve(Func<string, string?> environment, string xdgVariable, Environment.SpecialFolder windowsFolder, string unixFallback)
    {
        if (environment("ALLOS_HOME") is { Length: > 0 } home)
        {
            return Path.GetFullPath(home);
        }

        if (environment(xdgVariable) is { Length: > 0 } xdg && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "allos");
        }

        if (OperatingSystem.IsWindows())
        {
            return Path.Combine(Environment.GetFolderPath(windowsFolder), "allos");
        }

        string user = environment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(user, unixFallback, "allos");
    }
}
