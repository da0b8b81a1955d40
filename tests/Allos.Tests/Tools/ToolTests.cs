using System.Text.Json;
using Allos.Tools;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Tools;

public sealed class ToolTests
{
    private static readonly ToolHandler Echo = (arguments, _, _) => ValueTask.FromResult<object?>(arguments.GetRawText());

    [Fact]
    public void Create_SchemaTheValidatorCannotBuild_ThrowsNamingTheToolAndTheParameter()
    {
        ArgumentException error = Should.Throw<ArgumentException>(() =>
            Tool.Create("lookup", "Looks up.", """{"type":"object","properties":{"id":{"type":"string","pattern":"[unclosed"}}}""", Echo));

        error.ParamName.ShouldBe("parametersSchema");
        error.Message.ShouldContain("tool 'lookup'");
        error.Message.ShouldContain("Fix the schema");
    }

    [Fact]
    public void From_FunctionWhoseSchemaNamesAnUnknownDraft_ThrowsNamingTheTool()
    {
        using JsonDocument schema = JsonDocument.Parse("""{"$schema":"https://spec.openapis.org/oas/3.1/dialect/base","type":"object"}""");

        ArgumentException error = Should.Throw<ArgumentException>(() => Tool.From(new DeclaredFunction("remote_search", schema.RootElement.Clone())));

        error.ParamName.ShouldBe("function");
        error.Message.ShouldContain("tool 'remote_search'");
        error.Message.ShouldContain("https://spec.openapis.org/oas/3.1/dialect/base");
    }

    [Fact]
    public void From_FunctionMarkedApprovalRequired_AsksByDefault()
    {
        var marked = new ApprovalRequiredAIFunction(AIFunctionFactory.Create(() => "ok", "deploy", "Deploys."));

        Tool.From(marked).Permission.ShouldBe(ToolPermission.Ask);
        Tool.From(marked, permission: ToolPermission.Allow).Permission.ShouldBe(ToolPermission.Allow);
        Tool.From(AIFunctionFactory.Create(() => "ok", "lookup", "Looks up.")).Permission.ShouldBeNull();
    }

    [Theory]
    [InlineData(ToolRisk.ReadOnly, null, false)]
    [InlineData(ToolRisk.ReadOnly, ToolPermission.Ask, true)]
    [InlineData(ToolRisk.Network, null, true)]
    [InlineData(ToolRisk.Writes, null, true)]
    [InlineData(ToolRisk.Writes, ToolPermission.Allow, false)]
    [InlineData(ToolRisk.ReadOnly, ToolPermission.Deny, true)]
    public void GetService_ApprovalRequiredMarker_ReportedWhenACallMayAsk(ToolRisk risk, ToolPermission? permission, bool marked)
    {
        Tool tool = Tool.Create("act", "Acts.", """{"type":"object"}""", Echo, risk, permission);

        ApprovalRequiredAIFunction? marker = tool.GetService<ApprovalRequiredAIFunction>();

        (marker is not null).ShouldBe(marked);
        if (marker is not null)
        {
            marker.Name.ShouldBe("act");
        }
    }

    [Fact]
    public void GetService_ReadOnlyToolWithAnApprovalCheck_IsMarkedSoEscalationsAreNotSkipped()
    {
        Tool plain = Tool.Create("read", "Reads.", """{"type":"object"}""", Echo);

        plain.GetService<ApprovalRequiredAIFunction>().ShouldBeNull();
        plain.WithApprovalCheck(_ => "secret file").GetService<ApprovalRequiredAIFunction>().ShouldNotBeNull();
    }

    [Fact]
    public void GetService_ExplicitAllowOverAMarkedFunction_IsNotMarked()
    {
        var marked = new ApprovalRequiredAIFunction(AIFunctionFactory.Create(() => "ok", "deploy", "Deploys."));

        Tool.From(marked, permission: ToolPermission.Allow).GetService<ApprovalRequiredAIFunction>().ShouldBeNull();
    }

    [Fact]
    public void Copies_ShareTheSchemaBuiltOnce()
    {
        Tool tool = Tool.Create("echo", "Echoes.", """{"type":"object"}""", Echo);

        tool.WithPermission(ToolPermission.Allow).ArgumentSchema.ShouldBeSameAs(tool.ArgumentSchema);
        tool.WithApprovalCheck(_ => "why").ArgumentSchema.ShouldBeSameAs(tool.ArgumentSchema);
        Tool.From(tool, ToolRisk.Executes).ArgumentSchema.ShouldBeSameAs(tool.ArgumentSchema);
    }

    [Fact]
    public void From_AIFunctionFactoryFunction_ValidatesAgainstItsGeneratedSchema()
    {
        Tool tool = Tool.From(AIFunctionFactory.Create((string city, int days) => $"{city}{days}", "forecast"));
        using JsonDocument arguments = JsonDocument.Parse("""{"city":"Oslo","days":"three"}""");

        tool.ArgumentSchema.Validate(arguments.RootElement).ShouldBe(["$.days must be an integer"]);
    }

    /// <summary>A function that only declares a schema, as one from a remote tool server would.</summary>
    private sealed class DeclaredFunction(string name, JsonElement schema) : AIFunction
    {
        public override string Name => name;

        public override JsonElement JsonSchema => schema;

        protected override ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken) =>
            ValueTask.FromResult<object?>(null);
    }
}
