using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text.Json;
using Allos.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Allos.Gateway.Server.Keys;

/// <summary>
/// The virtual-key admin API in LiteLLM's shapes: <c>POST /key/generate</c>, <c>GET /key/info</c>, <c>POST /key/update</c>,
/// <c>POST /key/delete</c>, <c>GET /key/list</c>. Every call needs the master key.
/// </summary>
/// <remarks>
/// The key itself appears once, in the answer to <c>/key/generate</c>; every other answer names keys by their hash
/// (<c>token</c>) and abbreviated form (<c>key_name</c>). Errors are <c>{"error": {"message", "type", "param", "code"}}</c>.
/// </remarks>
internal static class KeyEndpoints
{
    private const int MaxBodyBytes = 1 << 20;

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        KeyGate gate = endpoints.ServiceProvider.GetRequiredService<GatewayServerOptions>().Gate;
        endpoints.MapPost("/key/generate", context => GuardedAsync(context, gate, GenerateAsync));
        endpoints.MapGet("/key/info", context => GuardedAsync(context, gate, InfoAsync));
        endpoints.MapPost("/key/update", context => GuardedAsync(context, gate, UpdateAsync));
        endpoints.MapPost("/key/delete", context => GuardedAsync(context, gate, DeleteAsync));
        endpoints.MapGet("/key/list", context => GuardedAsync(context, gate, ListAsync));
    }

    internal static async Task GuardedAsync(HttpContext context, KeyGate gate, Func<HttpContext, KeyGate, IKeyStore, Task> handle)
    {
        if (!gate.RequiresKey)
        {
            await ErrorAsync(context, StatusCodes.Status403Forbidden, "auth_error",
                "The key admin API is off because no master key is set. Set ALLOS_MASTER_KEY (or gateway.master_key in allos.yaml) and restart the gateway.").ConfigureAwait(false);
            return;
        }

        if (!gate.IsMaster(context))
        {
            await ErrorAsync(context, StatusCodes.Status401Unauthorized, "auth_error",
                "The key admin API needs the master key in the Authorization: Bearer header.").ConfigureAwait(false);
            return;
        }

        if (gate.Store is not { } store)
        {
            await ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "internal_error",
                "The gateway has no key store: set GatewayServerOptions.Keys (allos serve uses the Allos database).").ConfigureAwait(false);
            return;
        }

        try
        {
            await handle(context, gate, store).ConfigureAwait(false);
        }
        catch (KeyRequestException ex)
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, "bad_request_error", ex.Message, ex.Param).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex) when (ex.InnerException is not null)
        {
            // The store refused a duplicate alias (its message names it); an InvalidOperationException of our own has no inner one.
            await ErrorAsync(context, StatusCodes.Status400BadRequest, "bad_request_error", ex.Message, "key_alias").ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
    }

    private static async Task GenerateAsync(HttpContext context, KeyGate gate, IKeyStore store)
    {
        JsonElement body = await ReadAsync(context).ConfigureAwait(false);
        if (body.TryGetProperty("key", out JsonElement given) && given.ValueKind != JsonValueKind.Null)
        {
            throw new KeyRequestException("The gateway generates keys itself (and stores only their hash); leave out \"key\".", "key");
        }

        string key = VirtualKeys.Generate();
        DateTimeOffset now = DateTimeOffset.FromUnixTimeMilliseconds(gate.Now.ToUnixTimeMilliseconds());
        VirtualKey record = KeyRequest.Apply(body, new VirtualKey { Hash = VirtualKeys.Hash(key), KeyName = VirtualKeys.Name(key), Created = now }, now);
        await RequireTeamAsync(store, record, context.RequestAborted).ConfigureAwait(false);
        await store.CreateAsync(record, context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteString("key", key);
            KeyJson.WriteFields(json, record, null);
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static async Task InfoAsync(HttpContext context, KeyGate gate, IKeyStore store)
    {
        string? given = context.Request.Query["key"].FirstOrDefault();
        if (string.IsNullOrWhiteSpace(given))
        {
            throw new KeyRequestException("Send the key (sk-...) or its hash as the query parameter key: /key/info?key=...", "key");
        }

        VirtualKey record = await FindAsync(store, given.Trim(), context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteString("key", record.Hash);
            json.WriteStartObject("info");
            KeyJson.WriteFields(json, record, gate.LiveSpend(record.Hash));
            json.WriteEndObject();
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static async Task UpdateAsync(HttpContext context, KeyGate gate, IKeyStore store)
    {
        JsonElement body = await ReadAsync(context).ConfigureAwait(false);
        VirtualKey existing = await FindAsync(store, KeyRequest.Text(body, "key", required: true)!, context.RequestAborted).ConfigureAwait(false);
        VirtualKey changed = KeyRequest.Apply(body, existing, gate.Now);
        if (changed.TeamId != existing.TeamId)
        {
            await RequireTeamAsync(store, changed, context.RequestAborted).ConfigureAwait(false);
        }
        if (!await store.UpdateAsync(changed, context.RequestAborted).ConfigureAwait(false))
        {
            throw new KeyRequestException("No such key: it was deleted meanwhile.", "key");
        }

        // Not the caller's token: once stored, the change must reach the cache even if the caller hangs up.
        await gate.RefreshAsync(changed.Hash, CancellationToken.None).ConfigureAwait(false);
        await WriteAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteString("key", changed.Hash);
            KeyJson.WriteFields(json, changed, gate.LiveSpend(changed.Hash));
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static async Task DeleteAsync(HttpContext context, KeyGate gate, IKeyStore store)
    {
        JsonElement body = await ReadAsync(context).ConfigureAwait(false);
        if (!body.TryGetProperty("keys", out JsonElement keys))
        {
            throw new KeyRequestException("Send the keys to delete: {\"keys\": [\"sk-...\"]} (keys or their hashes).", "keys");
        }

        string[] given = KeyRequest.Strings(keys, "keys");
        IReadOnlyList<string> deleted = await store.DeleteAsync(given.Select(VirtualKeys.HashOf), CancellationToken.None).ConfigureAwait(false);
        gate.Forget(deleted);
        if (deleted.Count == 0)
        {
            await ErrorAsync(context, StatusCodes.Status404NotFound, "not_found_error", "None of the keys exists; nothing was deleted.", "keys").ConfigureAwait(false);
            return;
        }

        var deletedSet = deleted.ToHashSet(StringComparer.Ordinal);
        await WriteAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("deleted_keys");
            foreach (string key in given.Where(key => deletedSet.Contains(VirtualKeys.HashOf(key))))
            {
                json.WriteStringValue(key);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static async Task ListAsync(HttpContext context, KeyGate gate, IKeyStore store)
    {
        IQueryCollection query = context.Request.Query;
        int page = Number(query, "page", 1);
        int size = Math.Min(Number(query, "size", 10), 100);
        bool full = string.Equals(query["return_full_object"].FirstOrDefault(), "true", StringComparison.OrdinalIgnoreCase);
        IReadOnlyList<VirtualKey> keys = await store.ListAsync(query["user_id"].FirstOrDefault(), query["team_id"].FirstOrDefault(), context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("keys");
            foreach (VirtualKey key in keys.Skip((page - 1) * size).Take(size))
            {
                if (full)
                {
                    json.WriteStartObject();
                    KeyJson.WriteFields(json, key, gate.LiveSpend(key.Hash));
                    json.WriteEndObject();
                }
                else
                {
                    json.WriteStringValue(key.Hash);
                }
            }

            json.WriteEndArray();
            json.WriteNumber("total_count", keys.Count);
            json.WriteNumber("current_page", page);
            json.WriteNumber("total_pages", Math.Max(1, (keys.Count + size - 1) / size));
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>Refuses a key for a team that does not exist, as LiteLLM does: its budget would silently not apply.</summary>
    private static async Task RequireTeamAsync(IKeyStore store, VirtualKey key, CancellationToken cancellationToken)
    {
        if (key.TeamId is { } team && await store.GetOwnerAsync(KeyOwnerKind.Team, team, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new KeyRequestException($"No team '{team}': create it first with /team/new (or leave out team_id).", "team_id");
        }
    }

    private static int Number(IQueryCollection query, string name, int fallback)
    {
        string? text = query[name].FirstOrDefault();
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new KeyRequestException($"{name} must be a whole number above 0.", name);
    }

    private static async Task<VirtualKey> FindAsync(IKeyStore store, string keyOrHash, CancellationToken cancellationToken) =>
        await store.GetAsync(VirtualKeys.HashOf(keyOrHash), cancellationToken).ConfigureAwait(false)
            ?? throw new KeyRequestException("No such key: check the key (sk-...) or hash; /key/list lists the hashes.", "key");

    internal static async Task<JsonElement> ReadAsync(HttpContext context)
    {
        PipeReader reader = context.Request.BodyReader;
        while (true)
        {
            ReadResult read = await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
            if (read.Buffer.Length > MaxBodyBytes)
            {
                throw new KeyRequestException($"The body is larger than {MaxBodyBytes} bytes.");
            }

            if (read.IsCompleted)
            {
                JsonElement body = KeyRequest.Parse(read.Buffer);
                reader.AdvanceTo(read.Buffer.End);
                return body;
            }

            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    internal static async Task WriteAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        context.Response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(context.Response.BodyWriter, KeyJson.Options))
        {
            write(json);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    internal static Task ErrorAsync(HttpContext context, int status, string type, string message, string? param = null)
    {
        context.Response.StatusCode = status;
        return WriteAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("message", message);
            json.WriteString("type", type);
            if (param is null)
            {
                json.WriteNull("param");
            }
            else
            {
                json.WriteString("param", param);
            }

            json.WriteString("code", status.ToString(CultureInfo.InvariantCulture));
            json.WriteEndObject();
            json.WriteEndObject();
        });
    }
}
