using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Allos.Agents;
using Allos.Sessions;
using Allos.Storage;
using Microsoft.Extensions.AI;

namespace Allos.Cli.Hosting;

/// <summary>The history a run continues: a session in the store, or a <c>.json</c> session file saved after every turn.</summary>
internal sealed class Conversation
{
    private ChatSession? _session;

    /// <summary>Held while the process runs on a named session (released at exit, even a crash).</summary>
    private SessionLock? _lock;
    private readonly string? _file;
    private readonly List<ChatMessage> _fileMessages = [];

    /// <summary>Whether this process created the store session and nothing has been done in it yet.</summary>
    private bool _untouched;

    private Conversation(ChatSession session)
    {
        _session = session;
        Id = session.Id;
    }

    private Conversation(string file, IEnumerable<ChatMessage> messages)
    {
        _file = file;
        _fileMessages.AddRange(messages);
        Id = file;
    }

    /// <summary>Ends the text of an assistant message whose turn was cancelled, for the model and for people reading the session.</summary>
    public const string InterruptedMarker = "[interrupted]";

    /// <summary>Marks such a message in its <see cref="ChatMessage.AdditionalProperties"/>, which the store keeps.</summary>
    public const string InterruptedProperty = "allos.interrupted";

    public string Id { get; }

    /// <summary>Gets whether the history lives in a <c>.json</c> session file rather than in the store.</summary>
    public bool IsFile => _file is not null;

    public IReadOnlyList<ChatMessage> Messages => _session?.Messages ?? _fileMessages;

    /// <summary>Opens the conversation named by <c>--session</c>: a store session (resumed or created) or a session file; a new session without it.</summary>
    public static async Task<Conversation> OpenAsync(AgentHost host, string? session, CancellationToken cancellationToken)
    {
        if (session is not null && session.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            string path = Path.GetFullPath(session);
            SessionLock held = await SessionLock.AcquireAsync(path, Waiting(host), cancellationToken);
            return new Conversation(path, File.Exists(path) ? ReadFile(path) : []) { _lock = held };
        }

        if (session is null)
        {
            return new Conversation(await host.Sessions.CreateAsync(agent: host.EntryAgent, model: host.Model, cancellationToken: cancellationToken)) { _untouched = true };
        }

        // Taken before the session is read, so two runs never both continue from the same history.
        SessionLock sessionLock = await SessionLock.AcquireAsync(session, Waiting(host), cancellationToken);
        try
        {
            bool exists = await host.Store.Sessions.GetAsync(session, cancellationToken) is not null;
            return new Conversation(await host.Sessions.OpenOrCreateAsync(session, host.EntryAgent, host.Model, cancellationToken)) { _lock = sessionLock, _untouched = !exists };
        }
        catch
        {
            sessionLock.Dispose();
            throw;
        }
    }

    /// <summary>With <c>--wait</c>, a session in use is waited for (said once on standard error) instead of refused.</summary>
    private static TextWriter? Waiting(AgentHost host) => host.Settings.WaitForLock ? Console.Error : null;

    /// <summary>Deletes the session when this process created it and no turn or command ran in it (a chat left at once).</summary>
    public async Task DiscardIfUntouchedAsync(AgentHost host)
    {
        if (_untouched && _session is { Messages.Count: 0 })
        {
            await host.Sessions.DeleteAsync(_session.Id, CancellationToken.None);
            _untouched = false;
        }
    }

    /// <summary>
    /// Runs a turn on the history. A turn that is cancelled keeps what the model had streamed as an assistant message marked
    /// interrupted, so the history never has two user turns in a row and the next turn is valid for every provider.
    /// </summary>
    public async IAsyncEnumerable<RunEvent> RunStreamingAsync(AgentHost host, AgentRunner runner, string input, RunOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        _untouched = false;
        var streamed = new StringBuilder();
        string? agent = null;
        bool cancelled = false;
        try
        {
            await foreach (RunEvent e in EventsAsync(runner, input, options, cancellationToken))
            {
                switch (e)
                {
                    case TextDeltaEvent text:
                        streamed.Append(text.Text);
                        agent = text.Agent;
                        break;
                    case MessageAddedEvent:
                        // Stored with its message: only text streamed after the last stored message is lost on a cancel.
                        streamed.Clear();
                        break;
                    case RunCompletedEvent completed:
                        cancelled = completed.Result.Status == RunStatus.Cancelled;
                        break;
                }

                yield return e;
            }
        }
        finally
        {
            if (cancelled || cancellationToken.IsCancellationRequested)
            {
                await KeepInterruptedAsync(host, streamed.ToString(), agent);
            }
        }
    }

    /// <summary>
    /// Adds <paramref name="messages"/> to the history without a model call (<c>run --prompt</c>: a prompt's examples and
    /// user turns before the task), so the run sends them and the session keeps them.
    /// </summary>
    public async Task AppendAsync(AgentHost host, IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return;
        }

        _untouched = false;
        if (_session is not null)
        {
            await host.Store.Sessions.AppendMessagesAsync(_session.Id, [.. messages], null, cancellationToken);
            _session = await host.Sessions.ResumeAsync(_session.Id, cancellationToken);
            return;
        }

        _fileMessages.AddRange(messages);
        SaveFile();
    }

    /// <summary>Starts the history afresh (<c>/clear</c>); the store keeps the earlier messages.</summary>
    public async Task ClearAsync(AgentHost host, CancellationToken cancellationToken)
    {
        _untouched = false;
        if (_session is not null)
        {
            _session = await host.Sessions.ClearContextAsync(_session.Id, cancellationToken);
            return;
        }

        _fileMessages.Clear();
        SaveFile();
    }

    /// <summary>
    /// Continues from <paramref name="history"/> (<c>/compact</c>): a summary, then the last <paramref name="kept"/> messages.
    /// The store keeps every message; <paramref name="turn"/> adds what producing the summary spent to the session's totals.
    /// </summary>
    public async Task CompactAsync(AgentHost host, IReadOnlyList<ChatMessage> history, int kept, TurnMetadata? turn, CancellationToken cancellationToken)
    {
        if (_session is not null)
        {
            _session = await host.Sessions.CompactContextAsync(_session.Id, history[0].Text, kept, turn, cancellationToken);
            return;
        }

        _fileMessages.Clear();
        _fileMessages.AddRange(history);
        SaveFile();
    }

    private async IAsyncEnumerable<RunEvent> EventsAsync(AgentRunner runner, string input, RunOptions? options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_session is not null)
        {
            // Tools see the session they serve (ToolContext.SessionId), as the model calls are tagged with it.
            options ??= new RunOptions();
            options.SessionId ??= Id;
            await foreach (RunEvent e in _session.RunStreamingAsync(runner, input, options, cancellationToken))
            {
                yield return e;
            }

            yield break;
        }

        try
        {
            await foreach (RunEvent e in runner.RunStreamingAsync(input, [.. _fileMessages], options, cancellationToken))
            {
                if (e is MessageAddedEvent added)
                {
                    _fileMessages.Add(added.Message);
                }

                yield return e;
            }
        }
        finally
        {
            SaveFile();
        }
    }

    /// <summary>Continues the paused run <paramref name="state"/> of this conversation with <paramref name="decisions"/>, keeping what it adds.</summary>
    public async IAsyncEnumerable<RunEvent> ResumeStreamingAsync(AgentRunner runner, RunState state, IReadOnlyList<ApprovalDecision> decisions, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        IAsyncEnumerable<RunEvent> events = _session is not null
            ? _session.ResumeStreamingAsync(runner, state, decisions, cancellationToken)
            : runner.ResumeStreamingAsync(state, decisions, cancellationToken);
        try
        {
            await foreach (RunEvent e in events)
            {
                if (_session is null && e is MessageAddedEvent added)
                {
                    _fileMessages.Add(added.Message);
                }

                yield return e;
            }
        }
        finally
        {
            SaveFile();
        }
    }

    /// <summary>Gets whether the history still ends with the calls <paramref name="state"/> waits for (no later turn closed them).</summary>
    public bool EndsWith(RunState state)
    {
        ChatMessage? last = Messages.Count > 0 ? Messages[^1] : null;
        return last is not null && last.Role == ChatRole.Assistant && state.PendingApprovals.All(pending =>
            last.Contents.OfType<FunctionCallContent>().Any(call => call.CallId == pending.CallId));
    }

    /// <summary>Ends a cancelled turn with an assistant message: the text streamed so far and the <see cref="InterruptedMarker"/>.</summary>
    private async Task KeepInterruptedAsync(AgentHost host, string streamed, string? agent)
    {
        // A turn cancelled with its tool calls unanswered ends on the assistant: the next model call fills in their results.
        if (Messages.Count == 0 || Messages[^1].Role == ChatRole.Assistant)
        {
            return;
        }

        var message = new ChatMessage(ChatRole.Assistant, streamed.Length > 0 ? $"{streamed.TrimEnd()}\n\n{InterruptedMarker}" : InterruptedMarker)
        {
            AuthorName = agent,
            AdditionalProperties = new AdditionalPropertiesDictionary { [InterruptedProperty] = true },
        };
        if (_session is not null)
        {
            await host.Store.Sessions.AppendMessagesAsync(_session.Id, [message], null, CancellationToken.None);
            _session = await host.Sessions.ResumeAsync(_session.Id, CancellationToken.None);
            return;
        }

        _fileMessages.Add(message);
        SaveFile();
    }

    private static List<ChatMessage> ReadFile(string path)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
            JsonElement messages = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement : document.RootElement.GetProperty("messages");
            var typeInfo = AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatMessage));
            return [.. messages.EnumerateArray().Select(element => (ChatMessage)element.Deserialize(typeInfo)!)];
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new ConfigurationException($"The session file {path} is not a session this command wrote ({ex.Message}). Move it away or pass another path.");
        }
    }

    private void SaveFile()
    {
        if (_file is null)
        {
            return;
        }

        try
        {
            WriteFile(_file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"The session file {_file} could not be saved ({ex.Message}); this turn's messages are not in it.", ex);
        }
    }

    private void WriteFile(string file)
    {
        var typeInfo = AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(ChatMessage));
        string temporary = file + ".tmp";
        using (FileStream stream = File.Create(temporary))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("version", 1);
            json.WritePropertyName("messages");
            json.WriteStartArray();
            foreach (ChatMessage message in _fileMessages)
            {
                JsonSerializer.Serialize(json, message, typeInfo);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        // Written beside and moved over, so a crash mid-write never leaves half a session.
        File.Move(temporary, file, overwrite: true);
    }
}
