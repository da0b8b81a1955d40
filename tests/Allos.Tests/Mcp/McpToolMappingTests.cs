using System.Text.Json;
using Allos.Mcp;
using Allos.Tools;
using ModelContextProtocol.Protocol;

namespace Allos.Tests.Mcp;

public sealed class McpToolMappingTests
{
    private static readonly JsonElement Schema = JsonDocument.Parse("""{"type":"object","properties":{"q":{"type":"string"}}}""").RootElement.Clone();

    [Fact]
    public void ToTools_TwoToolsThatSanitizeAlike_KeepsTheFirstAndReportsTheSecond()
    {
        (IReadOnlyList<Allos.Tools.Tool> tools, IReadOnlyList<string> warnings) = McpToolMapping.ToTools(Connection(), [Listed("a.b"), Listed("a_b"), Listed("c")]);

        tools.Select(tool => tool.Name).ShouldBe(["mcp__srv__a_b", "mcp__srv__c"]);
        warnings.ShouldHaveSingleItem().ShouldContain("the tools 'a.b' and 'a_b' both become 'mcp__srv__a_b'; 'a_b' is left out");
    }

    [Fact]
    public void ToTools_AllowAndExcludeLists_FilterByMcpNamesAndReportMissingOnes()
    {
        McpServerConnection connection = Connection();
        connection.Options.Tools = ["search", "missing"];
        connection.Options.Exclude.Add("c");

        (IReadOnlyList<Allos.Tools.Tool> tools, IReadOnlyList<string> warnings) = McpToolMapping.ToTools(connection, [Listed("search"), Listed("c"), Listed("other")]);

        tools.Select(tool => tool.Name).ShouldBe(["mcp__srv__search"]);
        warnings.ShouldHaveSingleItem().ShouldContain("tools: lists 'missing', which the server does not offer");
    }

    [Fact]
    public void ToTools_KeepsTheServersDescriptionAndSchema()
    {
        Allos.Tools.Tool tool = McpToolMapping.ToTools(Connection(), [Listed("search")]).Tools.ShouldHaveSingleItem();

        tool.Description.ShouldBe("search does things");
        tool.JsonSchema.GetProperty("properties").GetProperty("q").GetProperty("type").GetString().ShouldBe("string");
        McpToolFunction.Origin(tool).ShouldBe("MCP server 'srv', tool 'search'");
    }

    [Theory]
    [InlineData(null, null, null, ToolPermission.Ask)]
    [InlineData(true, null, null, ToolPermission.Allow)]
    [InlineData(true, false, false, ToolPermission.Allow)]
    [InlineData(true, null, true, ToolPermission.Ask)]
    [InlineData(true, true, false, ToolPermission.Ask)]
    [InlineData(false, false, false, ToolPermission.Ask)]
    [InlineData(false, true, null, ToolPermission.Ask)]
    public void Permission_FromAnnotations(bool? readOnly, bool? destructive, bool? openWorld, ToolPermission expected)
    {
        ModelContextProtocol.Protocol.Tool tool = Listed("t");
        tool.Annotations = new ToolAnnotations { ReadOnlyHint = readOnly, DestructiveHint = destructive, OpenWorldHint = openWorld };

        McpToolMapping.Permission(new McpServerOptions { Name = "s", Command = "x" }, tool).ShouldBe(expected);
    }

    [Fact]
    public void Permission_ConfigurationWinsOverAnnotations_AToolsOwnOverTheServers()
    {
        ModelContextProtocol.Protocol.Tool destructive = Listed("rm");
        destructive.Annotations = new ToolAnnotations { DestructiveHint = true };
        ModelContextProtocol.Protocol.Tool readOnly = Listed("ls");
        readOnly.Annotations = new ToolAnnotations { ReadOnlyHint = true };
        var options = new McpServerOptions { Name = "s", Command = "x", Approval = ToolPermission.Allow };
        options.ToolApprovals["ls"] = ToolPermission.Deny;

        McpToolMapping.Permission(options, destructive).ShouldBe(ToolPermission.Allow);
        McpToolMapping.Permission(options, readOnly).ShouldBe(ToolPermission.Deny);
    }

    private static McpServerConnection Connection() => new(new McpServerOptions { Name = "srv", Command = "unused" }, null);

    private static ModelContextProtocol.Protocol.Tool Listed(string name) => new() { Name = name, Description = $"{name} does things", InputSchema = Schema };
}
