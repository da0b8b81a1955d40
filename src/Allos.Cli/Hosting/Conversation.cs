using System.Runtime.CompilerServices;
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
            return new Conversation(await host.Sessions.CreateAsync(agent: host.EntryAgent, model: host.Model, cancellationToken: cancellationToken));
        }

        // Taken before the session is read, so two runs never both continue from the same history.
        SessionLock sessionLock = await SessionLock.AcquireAsync(session, Waiting(host), cancellationToken);
        try
        {
            return new Conversation(await host.Sessions.OpenOrCreateAsync(session, host.EntryAgent, host.Model, cancellationToken)) { _lock = sessionLock };
        }
        catch
        {
            sessionLock.Dispose();
            throw;
        }
    }

    /// <summary>With <c>--wait</c>, a session in use is waited for (said once on standard error) instead of refused.</summary>
    private static TextWriter? Waiting(AgentHost host) => host.Settings.WaitForLock ? Console.Error : null;

    public async IAsyncEnumerable<RunEvent> RunStreamingAsync(AgentRunner runner, string input, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_session is not null)
        {
            await foreach (RunEvent e in _session.RunStreamingAsync(runner, input, cancellationToken: cancellationToken))
            {
                yield return e;
            }

            yield break;
        }

        try
        {
            await foreach (RunEvent e in runner.RunStreamingAsync(input, [.. _fileMessages], cancellationToken: cancellationToken))
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

    /// <summary>Empties the history (<c>/clear</c>).</summary>
    public async Task ClearAsync(AgentHost host, CancellationToken cancellationToken)
    {
        if (_session is not null)
        {
            await host.Sessions.ClearAsync(_session.Id, cancellationToken);

            // Opened again: the session object still holds the old messages, which the next turn would send.
            _session = await host.Sessions.ResumeAsync(_session.Id, CancellationToken.None);
        }

        _fileMessages.Clear();
        SaveFile();
    }

    /// <summary>Replaces the history (<c>/compact</c>); <paramref name="turn"/> adds what producing it spent to the session's totals.</summary>
    public async Task ReplaceAsync(AgentHost host, IReadOnlyList<ChatMessage> messages, TurnMetadata? turn, CancellationToken cancellationToken)
    {
        if (_session is not null)
        {
            _session = await host.Sessions.ReplaceMessagesAsync(_session.Id, messages, turn, cancellationToken);
            return;
        }

        _fileMessages.Clear();
        _fileMessages.AddRange(messages);
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
