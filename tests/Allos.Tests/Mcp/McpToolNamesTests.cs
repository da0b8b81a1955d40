using Allos.Mcp;

namespace Allos.Tests.Mcp;

public sealed class McpToolNamesTests
{
    [Fact]
    public void Compose_PlainNames_AreJoinedWithTheMcpPrefix() =>
        McpToolNames.Compose("files", "read_file").ShouldBe("mcp__files__read_file");

    [Fact]
    public void Compose_CharactersProvidersReject_BecomeUnderscores() =>
        McpToolNames.Compose("my server", "repo.search/v2").ShouldBe("mcp__my_server__repo_search_v2");

    [Fact]
    public void Compose_LongName_IsCutTo64WithAStableHash()
    {
        string tool = new('x', 100);

        string name = McpToolNames.Compose("files", tool);

        name.Length.ShouldBe(64);
        name.ShouldStartWith("mcp__files__xxxx");
        name.ShouldMatch("^[A-Za-z0-9_-]+$");
        McpToolNames.Compose("files", tool).ShouldBe(name, "the same name every run");
    }

    [Fact]
    public void Compose_TwoLongNamesWithTheSameStart_StayDistinct()
    {
        string start = new('a', 80);

        McpToolNames.Compose("s", start + "one").ShouldNotBe(McpToolNames.Compose("s", start + "two"));
    }

    [Theory]
    [InlineData("mcp", "files", true)]
    [InlineData("mcp__files", "files", true)]
    [InlineData("mcp__files__read_file", "files", true)]
    [InlineData("mcp__filesystem", "files", false)]
    [InlineData("mcp__files__", "files", false)]
    [InlineData("read_file", "files", false)]
    public void Names_MatchesTheServersGroupAndTools(string name, string server, bool expected) =>
        McpToolNames.Names(name, server).ShouldBe(expected);

    [Fact]
    public void IsToolName_OnlyMcpNames()
    {
        McpServers.IsToolName("mcp").ShouldBeTrue();
        McpServers.IsToolName(" mcp__x ").ShouldBeTrue();
        McpServers.IsToolName("mcpx").ShouldBeFalse();
        McpServers.IsToolName("files").ShouldBeFalse();
    }
}
