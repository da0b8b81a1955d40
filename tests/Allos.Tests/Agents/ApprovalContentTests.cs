using System.Text.Json;
using Allos.Agents;
using Allos.Security;
using Allos.Tests.Shared;
using Allos.Tools;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Agents;

/// <summary>Allos approvals carried as Microsoft.Extensions.AI's approval contents, for front ends built on them.</summary>
public sealed class ApprovalContentTests
{
    [Fact]
    public void ToContent_Request_CarriesTheIdTheCallWithRedactedArgumentsAndWhyItAsks()
    {
        const string secret = "sk-approval-content-0123456789";
        SecretRedactor.Register("APPROVAL_CONTENT_TEST_KEY", secret);
        var request = new ApprovalRequest("run_1/c1", "coder", "c1", "shell", SecretRedactor.Redact($$"""{"command":"echo {{secret}}"}""")!, ToolRisk.Executes, "'shell' runs commands")
        {
            Escalated = true,
        };

        ToolApprovalRequestContent content = request.ToContent();

        content.RequestId.ShouldBe("run_1/c1");
        FunctionCallContent call = content.ToolCall.ShouldBeOfType<FunctionCallContent>();
        (call.CallId, call.Name).ShouldBe(("c1", "shell"));
        string command = ((JsonElement)call.Arguments!["command"]!).GetString()!;
        command.ShouldNotContain(secret);
        command.ShouldContain("[redacted");
        content.AdditionalProperties!["agent"].ShouldBe("coder");
        content.AdditionalProperties["reason"].ShouldBe("'shell' runs commands");
        content.AdditionalProperties["risk"].ShouldBe("Executes");
        content.AdditionalProperties["escalated"].ShouldBe(true);
    }

    [Fact]
    public async Task From_MeaiResponseToAPausedRun_ResumesIt()
    {
        int calls = 0;
        var client = new TestChatClient
        {
            GetResponseAsyncCallback = (_, _, _) => Task.FromResult(++calls == 1
                ? new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "save", new Dictionary<string, object?>())]))
                : new ChatResponse(new ChatMessage(ChatRole.Assistant, "Saved."))),
        };
        int saved = 0;
        var tools = new ToolRegistry();
        tools.Add(Tool.Create("save", "Saves.", """{"type":"object"}""", (_, _, _) => ValueTask.FromResult<object?>($"saved {++saved}"), ToolRisk.Writes));
        var runner = new AgentRunner(new AgentDefinition { Name = "a", Tools = ["save"] }, new AgentRunnerOptions { ChatClient = client, Tools = tools });
        RunResult paused = await runner.RunAsync("Save it.");
        ToolApprovalRequestContent asked = paused.PendingApprovals.ShouldHaveSingleItem().ToContent();

        ToolApprovalResponseContent answer = asked.CreateResponse(approved: false, reason: "not today");
        RunResult resumed = await runner.ResumeAsync(paused.State!, [ApprovalDecision.From(answer)]);

        resumed.Status.ShouldBe(RunStatus.Completed);
        saved.ShouldBe(0);
        resumed.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().ShouldHaveSingleItem().Result!.ToString()!.ShouldContain("not today");
    }
}
