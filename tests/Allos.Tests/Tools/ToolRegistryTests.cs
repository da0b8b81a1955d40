using Allos.Tools;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Tools;

public sealed class ToolRegistryTests
{
    [Fact]
    public void Resolve_GroupsAndNames_InOrderWithoutDuplicates()
    {
        ToolRegistry registry = ToolRegistry.CreateWithBuiltIns();

        IReadOnlyList<Tool> tools = registry.Resolve(["search", "read_file", "files"]);

        tools.Select(t => t.Name).ShouldBe(["glob", "grep", "read_file", "write_file", "edit_file", "list_directory"]);
        registry.GroupNames.ShouldBe(["files", "search", "shell", "web"]);
    }

    [Fact]
    public void Resolve_UnknownName_ListsToolsAndGroups()
    {
        ToolRegistry registry = ToolRegistry.CreateWithBuiltIns().Add(AIFunctionFactory.Create(() => "pong", "ping"), group: "custom");

        ConfigurationException error = Should.Throw<ConfigurationException>(() => registry.Resolve(["files", "teleport"]));

        error.Message.ShouldContain("Unknown tool or group 'teleport'");
        error.Message.ShouldContain("ping");
        error.Message.ShouldContain("web_fetch");
        error.Message.ShouldContain("Groups: custom, files, search, shell, web");
    }

    [Fact]
    public void Add_CSharpMethod_KeepsRiskAndPermission()
    {
        var registry = new ToolRegistry().Add(AIFunctionFactory.Create((string path) => path, "touch"), ToolRisk.Writes, ToolPermission.Deny);

        registry.TryGet("touch", out Tool tool).ShouldBeTrue();
        tool.Risk.ShouldBe(ToolRisk.Writes);
        tool.Permission.ShouldBe(ToolPermission.Deny);
        tool.JsonSchema.GetProperty("properties").GetProperty("path").GetProperty("type").GetString().ShouldBe("string");
    }
}
