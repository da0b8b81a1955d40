using Allos.Gateway;
using Allos.Models;
using Allos.Prompts;
using Allos.Storage;
using Allos.Tests.Shared;
using Microsoft.Extensions.AI;

namespace Allos.Tests.Gateway.Layers;

public sealed class CallRecordingChatClientTests
{
    private static readonly UsageDetails Usage = new() { InputTokenCount = 10, OutputTokenCount = 5 };

    [Fact]
    public async Task GetResponseAsync_PricedModel_ReportsTheCostOnTheResponseAndRecordsTheCall()
    {
        var store = new RecordingTelemetryStore();
        var inner = TestChatClient.Answering("ok");
        inner.Metadata = new ChatClientMetadata("openai", defaultModelId: "gpt-4o-mini");
        using IChatClient client = inner.AsBuilder().UseCallRecording(options => options.Store = store).Build();

        ChatResponse response = await client.GetResponseAsync("hi", new ChatOptions().WithUser("alice"));

        decimal expected = CostCalculator.Cost(ModelCatalog.Default.Get("openai/gpt-4o-mini"), Usage)!.Value;
        ResponseCost.Get(response).ShouldBe(expected);
        ModelCallRecord record = store.Calls.ShouldHaveSingleItem();
        record.Model.ShouldBe("openai/gpt-4o-mini");
        record.Cost.ShouldBe(expected);
        record.UserKey.ShouldBe("alice");
        record.InputTokens.ShouldBe(10);
        record.Status.ShouldBe("ok");
    }

    [Fact]
    public async Task GetResponseAsync_PromptTaggedOptions_RecordsThePromptNameAndVersion()
    {
        var store = new RecordingTelemetryStore();
        var inner = TestChatClient.Answering("ok");
        inner.Metadata = new ChatClientMetadata("openai", defaultModelId: "gpt-4o-mini");
        using IChatClient client = inner.AsBuilder().UseCallRecording(options => options.Store = store).Build();

        await client.GetResponseAsync("hi", new ChatOptions().WithPrompt("code_review", 3));
        await client.GetResponseAsync("hi");

        store.Calls.Select(call => (call.PromptName, call.PromptVersion)).ShouldBe([("code_review", (int?)3), (null, null)]);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_PricedModel_EndsWithAContentFreeCostUpdate()
    {
        var inner = TestChatClient.Answering("ok");
        inner.Metadata = new ChatClientMetadata("openai", defaultModelId: "gpt-4o-mini");
        using IChatClient client = inner.AsBuilder().UseCallRecording().Build();

        List<ChatResponseUpdate> updates = [];
        await foreach (ChatResponseUpdate update in client.GetStreamingResponseAsync("hi"))
        {
            updates.Add(update);
        }

        ResponseCost.Get(updates[^1]).ShouldBe(CostCalculator.Cost(ModelCatalog.Default.Get("openai/gpt-4o-mini"), Usage));
        updates[^1].Contents.ShouldBeEmpty();
    }

    [Fact]
    public async Task GetResponseAsync_Failure_IsRecordedAndRaised()
    {
        var store = new RecordingTelemetryStore();
        var inner = TestChatClient.Answering("ok", fail: () => new ProviderServerException("openai", "down", 500));
        using IChatClient client = inner.AsBuilder().UseCallRecording(options => options.Store = store).Build();

        await Should.ThrowAsync<ProviderServerException>(() => client.GetResponseAsync("hi", new ChatOptions { ModelId = "openai/gpt-4o-mini" }));

        ModelCallRecord record = store.Calls.ShouldHaveSingleItem();
        record.Status.ShouldBe("error");
        record.Error.ShouldBe(nameof(ProviderServerException));
    }

    [Fact]
    public async Task UseCallRecording_StoreRegisteredInTheServices_RecordsThereByDefault()
    {
        var store = new RecordingTelemetryStore();
        using IChatClient client = TestChatClient.Answering("ok").AsBuilder().UseCallRecording().Build(new Services(store));

        await client.GetResponseAsync("hi", new ChatOptions { ModelId = "openai/gpt-4o-mini" });

        store.Calls.ShouldHaveSingleItem().Model.ShouldBe("openai/gpt-4o-mini");
    }

    private sealed class Services(ITelemetryStore store) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(ITelemetryStore) ? store : null;
    }
}
