using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Gateway.Caching;

/// <summary>A response with every part a cache must keep, and the checks that it was kept.</summary>
internal static class RichResponses
{
    public static ChatResponse Create() => new(
    [
        new ChatMessage(ChatRole.Assistant,
        [
            new TextReasoningContent("Let me think.") { ProtectedData = "sig-123" },
            new TextContent("The answer is 42."),
            new FunctionCallContent("call-1", "lookup", new Dictionary<string, object?> { ["word"] = "answer", ["limit"] = 3 }),
        ])
        {
            AuthorName = "helper",
        },
    ])
    {
        ResponseId = "resp-1",
        ModelId = "gpt-4o-mini-2024-07-18",
        FinishReason = ChatFinishReason.ToolCalls,
        CreatedAt = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero),
        Usage = new UsageDetails
        {
            InputTokenCount = 100,
            OutputTokenCount = 20,
            TotalTokenCount = 120,
            CachedInputTokenCount = 60,
            ReasoningTokenCount = 5,
            AdditionalCounts = new() { ["cache_creation_input_tokens"] = 40 },
        },
    };

    public static void ShouldMatchRich(this ChatResponse? response)
    {
        response.ShouldNotBeNull();
        response.ResponseId.ShouldBe("resp-1");
        response.ModelId.ShouldBe("gpt-4o-mini-2024-07-18");
        response.FinishReason.ShouldBe(ChatFinishReason.ToolCalls);
        response.CreatedAt.ShouldBe(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));
        response.Text.ShouldBe("The answer is 42.");
        response.Usage.ShouldNotBeNull();
        response.Usage.InputTokenCount.ShouldBe(100);
        response.Usage.OutputTokenCount.ShouldBe(20);
        response.Usage.TotalTokenCount.ShouldBe(120);
        response.Usage.CachedInputTokenCount.ShouldBe(60);
        response.Usage.ReasoningTokenCount.ShouldBe(5);
        response.Usage.AdditionalCounts.ShouldNotBeNull();
        response.Usage.AdditionalCounts["cache_creation_input_tokens"].ShouldBe(40);

        ChatMessage message = response.Messages.ShouldHaveSingleItem();
        message.Role.ShouldBe(ChatRole.Assistant);
        message.AuthorName.ShouldBe("helper");
        message.Contents.Count.ShouldBe(3);
        TextReasoningContent reasoning = message.Contents[0].ShouldBeOfType<TextReasoningContent>();
        reasoning.Text.ShouldBe("Let me think.");
        reasoning.ProtectedData.ShouldBe("sig-123");
        FunctionCallContent call = message.Contents[2].ShouldBeOfType<FunctionCallContent>();
        call.CallId.ShouldBe("call-1");
        call.Name.ShouldBe("lookup");
        call.Arguments.ShouldNotBeNull();
        Text(call.Arguments["word"]).ShouldBe("answer");
        Text(call.Arguments["limit"]).ShouldBe("3");
    }

    // Arguments come back as JSON elements; compare their JSON text.
    private static string? Text(object? value) => value switch
    {
        JsonElement { ValueKind: JsonValueKind.String } element => element.GetString(),
        JsonElement element => element.GetRawText(),
        _ => value?.ToString(),
    };
}
