namespace Allos.IntegrationTests.Cli;

/// <summary>A data folder whose database is not a database: every command says so in one line, and the file is kept.</summary>
public sealed class CorruptStoreTests : IDisposable
{
    private readonly CliProcess _cli = new();

    public void Dispose() => _cli.Dispose();

    [Theory]
    [InlineData("sessions", "list")]
    [InlineData("sessions", "show", "01ABC")]
    [InlineData("stats")]
    [InlineData("run", "-m", "openai/gpt-4o-mini", "Hello")]
    public async Task ACorruptDatabase_IsOneClearErrorNamingTheFileAndTheFolderVariable(params string[] args)
    {
        string file = Path.Combine(_cli.Home, "allos.db");
        byte[] garbage = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("not a database at all. ", 400)));
        await File.WriteAllBytesAsync(file, garbage);
        _cli.Environment["OPENAI_API_KEY"] = "sk-test-0123456789";

        CliResult result = await _cli.RunAsync(args);

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain($"The session database {file} is not a readable Allos database");
        result.Stderr.ShouldContain("ALLOS_HOME");
        result.Stderr.ShouldNotContain("Unhandled exception");
        result.Stderr.ShouldNotContain("   at ");
        (await File.ReadAllBytesAsync(file)).ShouldBe(garbage, "the file is left as it was");
    }
}
