using System.Text.Json;
using Allos.Tools;
using Allos.Tools.BuiltIn;

namespace Allos.Tests.Tools.BuiltIn;

public sealed class BuiltInToolsTests
{
    [Fact]
    public void All_HasTheNineToolsInOrder() =>
        BuiltInTools.All.Select(tool => tool.Name).ShouldBe(
            ["read_file", "write_file", "edit_file", "list_directory", "glob", "grep", "shell", "web_fetch", "web_search"]);

    [Fact]
    public void Groups_NameEveryToolOnce()
    {
        BuiltInTools.Groups.Keys.ShouldBe(["files", "search", "shell", "web"], ignoreOrder: true);
        BuiltInTools.Groups["files"].ShouldBe(["read_file", "write_file", "edit_file", "list_directory"]);
        BuiltInTools.Groups["search"].ShouldBe(["glob", "grep"]);
        BuiltInTools.Groups.Values.SelectMany(names => names).Order(StringComparer.Ordinal)
            .ShouldBe(BuiltInTools.All.Select(tool => tool.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("read_file", ToolRisk.ReadOnly, null)]
    [InlineData("list_directory", ToolRisk.ReadOnly, null)]
    [InlineData("glob", ToolRisk.ReadOnly, null)]
    [InlineData("grep", ToolRisk.ReadOnly, null)]
    [InlineData("write_file", ToolRisk.Writes, ToolPermission.Ask)]
    [InlineData("edit_file", ToolRisk.Writes, ToolPermission.Ask)]
    [InlineData("shell", ToolRisk.Executes, ToolPermission.Ask)]
    [InlineData("web_fetch", ToolRisk.Network, ToolPermission.Ask)]
    [InlineData("web_search", ToolRisk.Network, ToolPermission.Ask)]
    public void All_RiskAndPermission_AreAsSpecified(string name, ToolRisk risk, ToolPermission? permission)
    {
        Tool tool = BuiltInTools.All.Single(t => t.Name == name);

        tool.Risk.ShouldBe(risk);
        tool.Permission.ShouldBe(permission);
    }

    [Theory]
    [InlineData("read_file", "path", "path,start_line,end_line")]
    [InlineData("write_file", "path,content", "path,content")]
    [InlineData("edit_file", "path,old_text,new_text", "path,old_text,new_text,replace_all")]
    [InlineData("list_directory", "", "path,recursive")]
    [InlineData("glob", "pattern", "pattern,path")]
    [InlineData("grep", "pattern", "pattern,path,include")]
    [InlineData("shell", "command", "command,timeout_seconds")]
    [InlineData("web_fetch", "url", "url")]
    public void All_Schemas_HaveTheContractParameterNames(string name, string required, string properties)
    {
        JsonElement schema = BuiltInTools.All.Single(t => t.Name == name).JsonSchema;

        schema.GetProperty("type").GetString().ShouldBe("object");
        schema.GetProperty("additionalProperties").GetBoolean().ShouldBeFalse();
        string[] names = [.. schema.GetProperty("properties").EnumerateObject().Select(p => p.Name)];
        names.ShouldBe(properties.Split(','));
        foreach (JsonProperty property in schema.GetProperty("properties").EnumerateObject())
        {
            property.Value.GetProperty("type").GetString().ShouldNotBeNullOrEmpty();
            property.Value.GetProperty("description").GetString().ShouldNotBeNullOrEmpty();
        }

        string[] requiredNames = schema.TryGetProperty("required", out JsonElement r) ? [.. r.EnumerateArray().Select(e => e.GetString()!)] : [];
        requiredNames.ShouldBe(required.Length == 0 ? [] : required.Split(','));
    }

    [Fact]
    public void All_HaveDescriptions() =>
        BuiltInTools.All.ShouldAllBe(tool => tool.Description.Length > 40);
}
