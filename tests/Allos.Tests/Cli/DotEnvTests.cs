using Allos.Cli.Settings;

namespace Allos.Tests.Cli;

public sealed class DotEnvTests : IDisposable
{
    private readonly string _file = Path.GetTempFileName();
    private readonly string _prefix = "ALLOS_DOTENV_TEST_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant() + "_";

    public void Dispose()
    {
        File.Delete(_file);
        foreach (string suffix in new[] { "PLAIN", "QUOTED", "SINGLE", "EXPORTED", "COMMENTED", "SET" })
        {
            Environment.SetEnvironmentVariable(_prefix + suffix, null);
        }
    }

    [Fact]
    public void Load_Forms_AreReadAndExistingVariablesWin()
    {
        Environment.SetEnvironmentVariable(_prefix + "SET", "from the environment");
        File.WriteAllText(_file, $"""
            # a comment
            {_prefix}PLAIN=sk-123
            {_prefix}QUOTED="two\nlines \"quoted\""
            {_prefix}SINGLE='raw $VALUE\n'
            export {_prefix}EXPORTED=yes
            {_prefix}COMMENTED=value # trailing comment
            {_prefix}SET=from the file
            not a variable line
            """);

        IReadOnlyList<string> loaded = DotEnv.Load(_file);

        Environment.GetEnvironmentVariable(_prefix + "PLAIN").ShouldBe("sk-123");
        Environment.GetEnvironmentVariable(_prefix + "QUOTED").ShouldBe("two\nlines \"quoted\"");
        Environment.GetEnvironmentVariable(_prefix + "SINGLE").ShouldBe("raw $VALUE\\n");
        Environment.GetEnvironmentVariable(_prefix + "EXPORTED").ShouldBe("yes");
        Environment.GetEnvironmentVariable(_prefix + "COMMENTED").ShouldBe("value");
        Environment.GetEnvironmentVariable(_prefix + "SET").ShouldBe("from the environment");
        loaded.ShouldNotContain(_prefix + "SET");
        loaded.Count.ShouldBe(5);
    }

    [Fact]
    public void Load_MissingFile_LoadsNothing() => DotEnv.Load(_file + ".missing").ShouldBeEmpty();
}
