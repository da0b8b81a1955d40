using Allos.Configuration;

namespace Allos.Tests.Configuration;

public sealed class AllosPathsTests
{
    private static string Data(Dictionary<string, string?> env) =>
        AllosPaths.Resolve(name => env.GetValueOrDefault(name), "XDG_DATA_HOME", Environment.SpecialFolder.LocalApplicationData, ".local/share");

    [Fact]
    public void Resolve_AllosHome_WinsOverEverything() =>
        Data(new() { ["ALLOS_HOME"] = "/srv/allos", ["XDG_DATA_HOME"] = "/xdg", ["HOME"] = "/home/u" }).ShouldBe("/srv/allos");

    [Fact]
    public void Resolve_XdgDataHome_IsUsedWhenAbsolute()
    {
        Data(new() { ["XDG_DATA_HOME"] = "/xdg", ["HOME"] = "/home/u" }).ShouldBe("/xdg/allos");
        Data(new() { ["XDG_DATA_HOME"] = "relative", ["HOME"] = "/home/u" }).ShouldBe("/home/u/.local/share/allos");
    }

    [Fact]
    public void Resolve_Fallback_IsUnderHome() => Data(new() { ["HOME"] = "/home/u" }).ShouldBe("/home/u/.local/share/allos");
}
