using System.Text.Json;
using Allos.Storage;

namespace Allos.IntegrationTests.Storage.Contract;

/// <summary>Sessions, messages, runs and search: the contract every session store meets (see the subclasses).</summary>
public abstract class SessionStoreContractTests(IStoreHarness harness) : StoreContractTests(harness)
{
    private static ChatMessage[] Turn(string question, string answer) =>
        [new(ChatRole.User, question), new(ChatRole.Assistant, answer)];

    [Fact]
    public async Task CreateAsync_NoId_AssignsIdAndTimesAndReadsBack()
    {
        SessionRecord created = await Sessions.CreateAsync(new SessionRecord { Title = "Plans", Agent = "coder", Model = "openai/gpt-4o" });

        created.Id.ShouldNotBeNullOrEmpty();
        created.Created.ShouldNotBe(default);
        SessionRecord? read = await Sessions.GetAsync(created.Id);
        read.ShouldBe(created);
        read!.Cost.ShouldBeNull();
    }

    [Fact]
    public async Task CreateAsync_DuplicateId_Throws()
    {
        await Sessions.CreateAsync(new SessionRecord { Id = "s1" });

        await Should.ThrowAsync<InvalidOperationException>(() => Sessions.CreateAsync(new SessionRecord { Id = "s1" }));
    }

    [Fact]
    public async Task GetAsync_UnknownId_ReturnsNull() =>
        (await Sessions.GetAsync("nope")).ShouldBeNull();

    [Fact]
    public async Task ListAsync_AgentFilterAndPaging_ReturnsMostRecentFirst()
    {
        DateTimeOffset start = DateTimeOffset.UtcNow.AddHours(-1);
        for (int i = 0; i < 5; i++)
        {
            await Sessions.CreateAsync(new SessionRecord { Id = $"s{i}", Agent = i % 2 == 0 ? "even" : "odd", Updated = start.AddMinutes(i) });
        }

        (await Sessions.ListAsync(new SessionQuery())).Select(s => s.Id).ShouldBe(["s4", "s3", "s2", "s1", "s0"]);
        (await Sessions.ListAsync(new SessionQuery { Agent = "even" })).Select(s => s.Id).ShouldBe(["s4", "s2", "s0"]);
        (await Sessions.ListAsync(new SessionQuery { Limit = 2, Offset = 1 })).Select(s => s.Id).ShouldBe(["s3", "s2"]);
    }

    [Fact]
    public async Task AppendMessagesAsync_TwoTurns_NumbersMessagesAndAddsTotals()
    {
        await Sessions.CreateAsync(new SessionRecord { Id = "s" });

        (await Sessions.AppendMessagesAsync("s", Turn("hi", "hello"), new TurnMetadata { RunId = "r1", Model = "openai/gpt-4o", InputTokens = 10, OutputTokens = 4, CachedInputTokens = 2, Cost = 0.0015m })).ShouldBe(2);
        (await Sessions.AppendMessagesAsync("s", Turn("again", "sure"), new TurnMetadata { InputTokens = 20, OutputTokens = 6, ReasoningTokens = 3 })).ShouldBe(4);

        IReadOnlyList<StoredMessage> messages = await Sessions.GetMessagesAsync("s");
        messages.Select(m => m.Sequence).ShouldBe([1L, 2, 3, 4]);
        messages.Select(m => m.Message.Text).ShouldBe(["hi", "hello", "again", "sure"]);
        messages[0].RunId.ShouldBe("r1");
        messages[2].RunId.ShouldBeNull();
        SessionRecord session = (await Sessions.GetAsync("s"))!;
        session.InputTokens.ShouldBe(30);
        session.OutputTokens.ShouldBe(10);
        session.CachedInputTokens.ShouldBe(2);
        session.ReasoningTokens.ShouldBe(3);
        session.Cost.ShouldBe(0.0015m); // the second turn's unknown cost leaves the known total as is
        session.Model.ShouldBe("openai/gpt-4o");
    }

    [Fact]
    public async Task AppendMessagesAsync_UnknownSession_ThrowsAndWritesNothing()
    {
        await Should.ThrowAsync<KeyNotFoundException>(() => Sessions.AppendMessagesAsync("ghost", Turn("a", "b")));

        Scalar("SELECT COUNT(*) FROM messages").ShouldBe(0L);
    }

    [Fact]
    public async Task GetMessagesAsync_AllContentKinds_RoundTripAtFullFidelity()
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 255];
        ChatMessage[] original =
        [
            new(ChatRole.System, "Be brief."),
            new(ChatRole.User, [new TextContent("What is in this picture?"), new DataContent(png, "image/png"), new UriContent("https://example.com/cat.jpg", "image/jpeg")])
            {
                AuthorName = "ada",
                MessageId = "m-1",
            },
            new(ChatRole.Assistant,
            [
                new TextReasoningContent("The user wants a sum.") { ProtectedData = "c2lnbmF0dXJl" },
                new FunctionCallContent("call_1", "add", new Dictionary<string, object?>
                {
                    ["a"] = 2,
                    ["nested"] = JsonDocument.Parse("""{"list":[1,"two",null],"flag":true}""").RootElement,
                }),
            ]),
            new(ChatRole.Tool, [new FunctionResultContent("call_1", JsonDocument.Parse("""{"sum":3}""").RootElement)]),
            new(ChatRole.Tool, [new FunctionResultContent("call_2", "plain text result")]),
            new(ChatRole.Assistant, "It is 3.") { AdditionalProperties = new() { ["provider_id"] = "resp_9" } },
        ];
        await Sessions.CreateAsync(new SessionRecord { Id = "s" });
        await Sessions.AppendMessagesAsync("s", original);

        IReadOnlyList<ChatMessage> loaded = [.. (await Sessions.GetMessagesAsync("s")).Select(m => m.Message)];

        loaded.Count.ShouldBe(original.Length);
        for (int i = 0; i < original.Length; i++)
        {
            Json(loaded[i]).ShouldBe(Json(original[i]));
        }

        loaded[1].AuthorName.ShouldBe("ada");
        loaded[1].MessageId.ShouldBe("m-1");
        DataContent image = loaded[1].Contents.OfType<DataContent>().Single();
        image.MediaType.ShouldBe("image/png");
        image.Data.ToArray().ShouldBe(png);
        loaded[1].Contents.OfType<UriContent>().Single().Uri.ShouldBe(new Uri("https://example.com/cat.jpg"));
        TextReasoningContent reasoning = loaded[2].Contents.OfType<TextReasoningContent>().Single();
        reasoning.Text.ShouldBe("The user wants a sum.");
        reasoning.ProtectedData.ShouldBe("c2lnbmF0dXJl");
        FunctionCallContent call = loaded[2].Contents.OfType<FunctionCallContent>().Single();
        call.CallId.ShouldBe("call_1");
        call.Name.ShouldBe("add");
        ((JsonElement)call.Arguments!["a"]!).GetInt32().ShouldBe(2);
        ((JsonElement)call.Arguments["nested"]!).GetProperty("list")[1].GetString().ShouldBe("two");
        FunctionResultContent result = loaded[3].Contents.OfType<FunctionResultContent>().Single();
        result.CallId.ShouldBe("call_1");
        ((JsonElement)result.Result!).GetProperty("sum").GetInt32().ShouldBe(3);
        loaded[5].AdditionalProperties!["provider_id"]!.ToString().ShouldBe("resp_9");
    }

    [Fact]
    public async Task GetMessagesAsync_ToolResultWithAnImage_ReadsBackAsTextAndImageAndResendsTheSameRequest()
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 7, 7, 7];
        ChatMessage[] original =
        [
            new(ChatRole.User, "Screenshot?"),
            new(ChatRole.Assistant, [new FunctionCallContent("call_1", "shot", new Dictionary<string, object?>())]),
            new(ChatRole.Tool, [new FunctionResultContent("call_1", new List<AIContent> { new TextContent("the okapi page"), new DataContent(png, "image/png") })]),
        ];
        await Sessions.CreateAsync(new SessionRecord { Id = "s" });
        await Sessions.AppendMessagesAsync("s", original);

        List<ChatMessage> loaded = [.. (await Sessions.GetMessagesAsync("s")).Select(m => m.Message)];

        IReadOnlyList<AIContent> parts = loaded[2].Contents.OfType<FunctionResultContent>().Single().Result.ShouldBeAssignableTo<IReadOnlyList<AIContent>>()!;
        parts[0].ShouldBeOfType<TextContent>().Text.ShouldBe("the okapi page");
        DataContent image = parts[1].ShouldBeOfType<DataContent>();
        image.MediaType.ShouldBe("image/png");
        image.Data.ToArray().ShouldBe(png);

        (await Sessions.SearchAsync("okapi")).ShouldHaveSingleItem().Sequence.ShouldBe(3);
        (await Sessions.SearchAsync(Convert.ToBase64String(png).TrimEnd('='))).ShouldBeEmpty("image bytes are not searchable text");

        // A resumed session sends the provider exactly what the live one sent.
        await using FakeProviderServer server = await FakeProviderServer.StartAsync();
        server.Enqueue(FakeTurn.Text("a"), FakeTurn.Text("b"));
        IChatClient chat = server.CreateClient("anthropic/claude-sonnet-4-5");
        await chat.GetResponseAsync(original);
        await chat.GetResponseAsync(loaded);
        server.Requests[1].Body.ShouldBe(server.Requests[0].Body);
        server.Requests[1].Body.ShouldContain(Convert.ToBase64String(png));
    }

    private static string Json(ChatMessage message) => JsonSerializer.Serialize(message, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatMessage)));

    [Fact]
    public async Task UpdateAsync_SomeFields_ChangesOnlyThose()
    {
        await Sessions.CreateAsync(new SessionRecord { Id = "s", Title = "old", Agent = "a", Model = "m" });

        (await Sessions.UpdateAsync("s", new SessionUpdate { Title = "new", Pinned = true, Cost = 1.25m, InputTokens = 7 })).ShouldBeTrue();
        (await Sessions.UpdateAsync("missing", new SessionUpdate { Title = "x" })).ShouldBeFalse();

        SessionRecord session = (await Sessions.GetAsync("s"))!;
        session.Title.ShouldBe("new");
        session.Pinned.ShouldBeTrue();
        session.Cost.ShouldBe(1.25m);
        session.InputTokens.ShouldBe(7);
        session.Agent.ShouldBe("a");
        session.Model.ShouldBe("m");
    }

    [Fact]
    public async Task ForkAsync_UpToMessage_CopiesPrefixIntoIndependentSession()
    {
        await Sessions.CreateAsync(new SessionRecord { Id = "s", Title = "t", Agent = "a" });
        await Sessions.AppendMessagesAsync("s", Turn("one", "uno"), new TurnMetadata { InputTokens = 5, Cost = 0.1m });
        await Sessions.AppendMessagesAsync("s", Turn("two", "dos"));

        string fork = await Sessions.ForkAsync("s", upToSequence: 2);
        await Sessions.AppendMessagesAsync(fork, Turn("three", "tres"));

        (await Sessions.GetMessagesAsync(fork)).Select(m => m.Message.Text).ShouldBe(["one", "uno", "three", "tres"]);
        (await Sessions.GetMessagesAsync("s")).Select(m => m.Message.Text).ShouldBe(["one", "uno", "two", "dos"]);
        SessionRecord copy = (await Sessions.GetAsync(fork))!;
        copy.ParentId.ShouldBe("s");
        copy.Title.ShouldBe("t");
        copy.Agent.ShouldBe("a");
        copy.InputTokens.ShouldBe(0);
        copy.Cost.ShouldBeNull();
        (await Sessions.SearchAsync("tres")).Single().SessionId.ShouldBe(fork);
    }

    [Fact]
    public async Task ForkAsync_WholeSession_CopiesAllMessages()
    {
        await Sessions.CreateAsync(new SessionRecord { Id = "s" });
        await Sessions.AppendMessagesAsync("s", Turn("one", "uno"));

        string fork = await Sessions.ForkAsync("s");

        (await Sessions.GetMessagesAsync(fork)).Count.ShouldBe(2);
        await Should.ThrowAsync<KeyNotFoundException>(() => Sessions.ForkAsync("missing"));
    }

    [Fact]
    public async Task ClearAsync_Session_RemovesMessagesAndSearchEntriesKeepsSession()
    {
        await Sessions.CreateAsync(new SessionRecord { Id = "s", Title = "kept" });
        await Sessions.AppendMessagesAsync("s", Turn("zebra crossing", "ok"), new TurnMetadata { InputTokens = 3 });
        await Sessions.MarkRunAsync("s", "r", RunMark.Completed);

        await Sessions.ClearAsync("s");

        (await Sessions.GetMessagesAsync("s")).ShouldBeEmpty();
        (await Sessions.SearchAsync("zebra")).ShouldBeEmpty();
        (await Sessions.GetRunAsync("r")).ShouldBeNull();
        SessionRecord session = (await Sessions.GetAsync("s"))!;
        session.Title.ShouldBe("kept");
        session.InputTokens.ShouldBe(3);
        (await Sessions.AppendMessagesAsync("s", Turn("again", "yes"))).ShouldBe(2);
    }

    [Fact]
    public async Task ListAsync_IdPrefix_ListsTheSessionsWhoseIdStartsSoWhateverTheCase()
    {
        await Sessions.CreateAsync(new SessionRecord { Id = "abc123" });
        await Sessions.CreateAsync(new SessionRecord { Id = "ABD456" });
        await Sessions.CreateAsync(new SessionRecord { Id = "xyz" });

        (await Sessions.ListAsync(new SessionQuery { IdPrefix = "ab" })).Select(s => s.Id).Order(StringComparer.Ordinal).ShouldBe(["ABD456", "abc123"]);
        (await Sessions.ListAsync(new SessionQuery { IdPrefix = "AbC" })).ShouldHaveSingleItem().Id.ShouldBe("abc123");
        (await Sessions.ListAsync(new SessionQuery { IdPrefix = "xyz" })).ShouldHaveSingleItem().Id.ShouldBe("xyz");
        (await Sessions.ListAsync(new SessionQuery { IdPrefix = "q" })).ShouldBeEmpty();
    }

    [Fact]
    public async Task ListAsync_UpdatedBefore_ListsOnlyOlderSessions()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        await Sessions.CreateAsync(new SessionRecord { Id = "old", Created = now.AddDays(-40), Updated = now.AddDays(-40) });
        await Sessions.CreateAsync(new SessionRecord { Id = "new" });

        (await Sessions.ListAsync(new SessionQuery { UpdatedBefore = now.AddDays(-30) })).ShouldHaveSingleItem().Id.ShouldBe("old");
    }

    [Fact]
    public async Task CreateAsync_NoIds_AreRandomFromTheFirstCharacters()
    {
        var ids = new List<string>();
        for (int i = 0; i < 6; i++)
        {
            ids.Add((await Sessions.CreateAsync(new SessionRecord())).Id);
        }

        // Time-ordered ids made within a second would share their first 8 characters; these name one session each.
        ids.Select(id => id[..8]).Distinct().Count().ShouldBe(ids.Count);
        ids.ShouldAllBe(id => id.Length == 32);
    }

    [Fact]
    public async Task UpdateAsync_PinnedOnly_KeepsTheUpdatedTime()
    {
        DateTimeOffset old = DateTimeOffset.UtcNow.AddDays(-3);
        await Sessions.CreateAsync(new SessionRecord { Id = "s", Created = old, Updated = old });

        (await Sessions.UpdateAsync("s", new SessionUpdate { Pinned = true })).ShouldBeTrue();

        SessionRecord pinned = (await Sessions.GetAsync("s"))!;
        pinned.Pinned.ShouldBeTrue();
        pinned.Updated.ShouldBe(DateTimeOffset.FromUnixTimeMilliseconds(old.ToUnixTimeMilliseconds()));
        await Sessions.UpdateAsync("s", new SessionUpdate { Title = "renamed" });
        (await Sessions.GetAsync("s"))!.Updated.ShouldBeGreaterThan(pinned.Updated, "other changes still count as an update");
    }

    [Fact]
    public async Task SearchAsync_ToolCallsAndResults_AreFoundByArgumentValuesResultsAndPrefixes()
    {
        await Sessions.CreateAsync(new SessionRecord { Id = "s" });
        ChatMessage call = new(ChatRole.Assistant, [new FunctionCallContent("c1", "write_file", new Dictionary<string, object?> { ["path"] = "notes/zanzibar.txt", ["content"] = "an archipelago" })]);
        ChatMessage result = new(ChatRole.Tool, [new FunctionResultContent("c1", "wrote 14 bytes to the quokka file")]);
        await Sessions.AppendMessagesAsync("s", [new(ChatRole.User, "write it"), call, result]);

        (await Sessions.SearchAsync("archipelago")).ShouldHaveSingleItem().Sequence.ShouldBe(2);
        (await Sessions.SearchAsync("write_file")).ShouldHaveSingleItem().Sequence.ShouldBe(2);
        (await Sessions.SearchAsync("quokka")).ShouldHaveSingleItem().Sequence.ShouldBe(3);
        (await Sessions.SearchAsync("zanz*")).ShouldHaveSingleItem().Snippet.ShouldContain("[zanzibar]");
        (await Sessions.SearchAsync("path")).ShouldBeEmpty("argument names are not text anyone wrote");
    }

    [Fact]
    public async Task ReplaceMessagesAsync_Session_SwapsTheHistoryInOneStepAndAddsTheTurn()
    {
        await Sessions.CreateAsync(new SessionRecord { Id = "s" });
        await Sessions.AppendMessagesAsync("s", [.. Turn("walrus one", "a"), .. Turn("walrus two", "b")], new TurnMetadata { InputTokens = 10 });

        long last = await Sessions.ReplaceMessagesAsync("s", [new(ChatRole.User, "summary of the walrus talk"), .. Turn("narwhal", "c")], new TurnMetadata { InputTokens = 5 });

        last.ShouldBe(3);
        (await Sessions.GetMessagesAsync("s")).Select(m => m.Message.Text).ShouldBe(["summary of the walrus talk", "narwhal", "c"]);
        (await Sessions.SearchAsync("one")).ShouldBeEmpty();
        (await Sessions.SearchAsync("narwhal")).ShouldHaveSingleItem();
        (await Sessions.GetAsync("s"))!.InputTokens.ShouldBe(15);
        await Should.ThrowAsync<KeyNotFoundException>(() => Sessions.ReplaceMessagesAsync("missing", Turn("x", "y")));
    }

    [Fact]
    public async Task DeleteAsync_Session_CascadesToMessagesRunsStepsAndIndex()
    {
        await Sessions.CreateAsync(new SessionRecord { Id = "gone" });
        await Sessions.CreateAsync(new SessionRecord { Id = "kept" });
        await Sessions.AppendMessagesAsync("gone", Turn("platypus facts", "sure"));
        await Sessions.AppendMessagesAsync("kept", Turn("platypus again", "ok"));
        await Sessions.MarkRunAsync("gone", "r1", RunMark.Running);
        Store.Telemetry.RecordModelCall(new ModelCallRecord { Time = DateTimeOffset.UtcNow, SessionId = "gone", Provider = "p", Model = "m", Cost = 0.5m });
        Store.Telemetry.RecordToolExecution(new ToolExecutionRecord { Time = DateTimeOffset.UtcNow, SessionId = "gone", ToolName = "t" });
        Store.Telemetry.RecordRunSteps("gone", "r1", [new Allos.Storage.RunStep(DateTimeOffset.UtcNow, Allos.Storage.RunStepKind.Respond, "a", Output: "secret")]);
        await Store.Telemetry.FlushAsync();

        (await Sessions.DeleteAsync("gone")).ShouldBeTrue();
        (await Sessions.DeleteAsync("gone")).ShouldBeFalse();

        (await Sessions.GetAsync("gone")).ShouldBeNull();
        Scalar("SELECT COUNT(*) FROM messages WHERE session_id = 'gone'").ShouldBe(0L);
        Scalar("SELECT COUNT(*) FROM runs").ShouldBe(0L);
        Scalar("SELECT COUNT(*) FROM run_steps").ShouldBe(0L);
        Scalar("SELECT COUNT(*) FROM tool_executions").ShouldBe(0L);
        Scalar("SELECT COUNT(*) FROM model_calls WHERE session_id IS NULL").ShouldBe(1L); // kept for accounting, detached
        (await Sessions.SearchAsync("platypus")).Select(h => h.SessionId).ShouldBe(["kept"]);
        Harness.AssertSearchIndexIntact();
    }

    [Fact]
    public async Task SearchAsync_Words_FindsMessagesContainingAllWithSnippet()
    {
        await Sessions.CreateAsync(new SessionRecord { Id = "a" });
        await Sessions.CreateAsync(new SessionRecord { Id = "b" });
        await Sessions.AppendMessagesAsync("a", Turn("How do I configure the retry policy?", "Set MaxRetries in the options."));
        await Sessions.AppendMessagesAsync("b", Turn("The retry loop never ends", "Check the cancellation token."));

        IReadOnlyList<SearchHit> both = await Sessions.SearchAsync("retry");
        both.Select(h => h.SessionId).Order().ShouldBe(["a", "b"]);

        SearchHit hit = (await Sessions.SearchAsync("retry policy")).Single();
        hit.SessionId.ShouldBe("a");
        hit.Sequence.ShouldBe(1);
        hit.Message.Role.ShouldBe(ChatRole.User);
        hit.Snippet.ShouldContain("[retry]");
        hit.Snippet.ShouldContain("[policy]");
    }

    [Fact]
    public async Task SearchAsync_Prefix_MatchesWordStarts()
    {
        await Sessions.CreateAsync(new SessionRecord { Id = "s" });
        await Sessions.AppendMessagesAsync("s", Turn("Deploying to production tonight", "Good luck."));

        (await Sessions.SearchAsync("deploy*")).Single().Message.Text.ShouldBe("Deploying to production tonight");
        (await Sessions.SearchAsync("deploy")).ShouldBeEmpty();
        (await Sessions.SearchAsync("PRODUCT*  tonig*")).Count.ShouldBe(1);
    }

    [Fact]
    public async Task SearchAsync_QuerySyntaxInText_IsTakenLiterally()
    {
        await Sessions.CreateAsync(new SessionRecord { Id = "s" });
        await Sessions.AppendMessagesAsync("s", Turn("error: \"NOT\" found (code 42)", "ok"));

        (await Sessions.SearchAsync("\"NOT\" found (code")).Count.ShouldBe(1);
        (await Sessions.SearchAsync("OR AND NEAR")).ShouldBeEmpty();
        (await Sessions.SearchAsync("   ")).ShouldBeEmpty();
    }

    [Fact]
    public async Task MarkRunAsync_Lifecycle_RecordsStatusAndEnd()
    {
        await Sessions.CreateAsync(new SessionRecord { Id = "s" });

        await Sessions.MarkRunAsync("s", "r", RunMark.Running);
        RunRecord running = (await Sessions.GetRunAsync("r"))!;
        running.Status.ShouldBe(RunMark.Running);
        running.Ended.ShouldBeNull();

        await Sessions.MarkRunAsync("s", "r", RunMark.Completed);
        RunRecord done = (await Sessions.GetRunAsync("r"))!;
        done.Status.ShouldBe(RunMark.Completed);
        done.Started.ShouldBe(running.Started);
        done.Ended.ShouldNotBeNull();
        await Should.ThrowAsync<KeyNotFoundException>(() => Sessions.MarkRunAsync("missing", "r2", RunMark.Running));
    }

    [Fact]
    public async Task RecoverAsync_RunOfLiveProcess_StaysRunning()
    {
        await Sessions.CreateAsync(new SessionRecord { Id = "s" });
        await Sessions.MarkRunAsync("s", "mine", RunMark.Running);

        (await Sessions.RecoverAsync()).ShouldBe(0);

        (await Sessions.GetRunAsync("mine"))!.Status.ShouldBe(RunMark.Running);
    }

    [Fact]
    public async Task RecoverAsync_RunOfDeadProcess_MarksIncomplete()
    {
        await Sessions.CreateAsync(new SessionRecord { Id = "s" });
        await Sessions.MarkRunAsync("s", "orphan", RunMark.Running);
        // A process id that cannot be running: as if the owner died.
        Scalar("UPDATE runs SET pid = 2147483000 WHERE id = 'orphan'; SELECT 1");

        (await Sessions.RecoverAsync()).ShouldBe(1);

        RunRecord run = (await Sessions.GetRunAsync("orphan"))!;
        run.Status.ShouldBe(RunMark.Incomplete);
        run.Ended.ShouldNotBeNull();
    }

    [Fact]
    public async Task SearchAnyAsync_SomeWords_FindsMessagesHoldingAnyBestFirstOutsideTheExcludedSession()
    {
        DateTimeOffset before = DateTimeOffset.UtcNow.AddSeconds(-5);
        await Sessions.CreateAsync(new SessionRecord { Id = "old" });
        await Sessions.AppendMessagesAsync("old", Turn("the invoice parser breaks on umlauts", "use a unicode-aware tokenizer"));
        await Sessions.AppendMessagesAsync("old", Turn("what about invoice totals", "sum the lines"));
        await Sessions.CreateAsync(new SessionRecord { Id = "now" });
        await Sessions.AppendMessagesAsync("now", Turn("invoice parser umlauts again", "…"));

        IReadOnlyList<SearchHit> hits = await Sessions.SearchAnyAsync("invoice parser umlauts", 10, excludeSessionId: "now");

        hits.Select(hit => hit.SessionId).ShouldAllBe(id => id == "old");
        hits.Select(hit => hit.Sequence).ShouldBe([1, 3], "both messages hold a word, the one holding all three first");
        hits[0].Time.ShouldBeGreaterThan(before);
        (await Sessions.SearchAnyAsync("invoice parser umlauts", 10)).Count.ShouldBe(3);
        (await Sessions.SearchAsync("invoice parser umlauts")).Count.ShouldBe(2, "SearchAsync still needs every word");
        (await Sessions.SearchAnyAsync("zeppelin", 10)).ShouldBeEmpty();
    }

    [Fact]
    public async Task MemoryRecall_BuildMessage_RecallsUserAndAssistantTextWithSourcesNeverToolOutputOrEarlierRecalls()
    {
        await Sessions.CreateAsync(new SessionRecord { Id = "deploys" });
        await Sessions.AppendMessagesAsync("deploys", Turn("How do we deploy the scraper?", "The scraper deploys with `make ship` from the ops repo."));
        await Sessions.AppendMessagesAsync("deploys", [
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "shell", new Dictionary<string, object?> { ["command"] = "cat scraper.log" })]),
            new(ChatRole.Tool, [new FunctionResultContent("c1", "scraper log: secret-token-in-tool-output")]),
        ]);
        var recall = new Allos.Memory.MemoryRecall(Sessions);
        ChatMessage first = (await recall.BuildMessageAsync("deploy the scraper", currentSessionId: "today"))!;
        await Sessions.CreateAsync(new SessionRecord { Id = "today" });
        await Sessions.AppendMessagesAsync("today", [first, new ChatMessage(ChatRole.User, "deploy the scraper")]);

        ChatMessage message = (await recall.BuildMessageAsync("the scraper deploy", currentSessionId: "later")).ShouldNotBeNull();

        Allos.Memory.MemoryRecall.IsRecall(message).ShouldBeTrue();
        message.Role.ShouldBe(ChatRole.User);
        message.Text.ShouldStartWith("Recalled from the user's earlier sessions");
        message.Text.ShouldContain("[session deploys, ");
        message.Text.ShouldContain(", assistant] The scraper deploys with `make ship` from the ops repo.");
        message.Text.ShouldContain(", user] How do we deploy the scraper?");
        message.Text.ShouldContain("[session today, ", Case.Sensitive, "the other session's own input is memory too");
        message.Text.ShouldNotContain("secret-token-in-tool-output");
        message.Text.Split("Recalled from").Length.ShouldBe(2, "the stored recall message is never recalled again");
        (await Sessions.GetMessagesAsync("today"))[0].Message.ShouldSatisfyAllConditions(stored => Allos.Memory.MemoryRecall.IsRecall(stored).ShouldBeTrue());

        (await new Allos.Memory.MemoryRecall(Sessions) { TokenBudget = 60 }.BuildMessageAsync("the scraper deploy"))!.Text.Split('\n').Length
            .ShouldBeLessThan(message.Text.Split('\n').Length, "a smaller budget keeps fewer lines");
        (await recall.BuildMessageAsync("what is the weather")).ShouldBeNull("no earlier message shares a word");
        (await recall.BuildMessageAsync("the and of")).ShouldBeNull("common words alone recall nothing");
    }
}
