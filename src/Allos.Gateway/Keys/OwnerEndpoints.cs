using System.Globalization;
using System.Text.Json;
using Allos.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Allos.Gateway.Server.Keys;

/// <summary>
/// The team and user admin API in LiteLLM's shapes: <c>/team/new|info|update|delete|list</c> and
/// <c>/user/new|info|update|delete|list</c>. Every call needs the master key.
/// </summary>
/// <remarks>
/// A team's or user's budget, limits and models apply to every key whose <c>team_id</c> or <c>user_id</c> names it (see
/// <see cref="KeyGate"/>); a change takes effect at those keys' next request. Deleting a team or user deletes its keys, as
/// LiteLLM does, so none is left without the budget it was given under. Unlike LiteLLM, <c>/user/new</c> creates no key:
/// call <c>/key/generate</c> with the <c>user_id</c>.
/// </remarks>
internal static class OwnerEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        KeyGate gate = endpoints.ServiceProvider.GetRequiredService<GatewayServerOptions>().Gate;
        foreach (KeyOwnerKind kind in (ReadOnlySpan<KeyOwnerKind>)[KeyOwnerKind.Team, KeyOwnerKind.User])
        {
            string prefix = "/" + OwnerJson.Prefix(kind);
            endpoints.MapPost(prefix + "/new", context => KeyEndpoints.GuardedAsync(context, gate, (c, g, s) => NewAsync(c, g, s, kind)));
            endpoints.MapGet(prefix + "/info", context => KeyEndpoints.GuardedAsync(context, gate, (c, g, s) => InfoAsync(c, g, s, kind)));
            endpoints.MapPost(prefix + "/update", context => KeyEndpoints.GuardedAsync(context, gate, (c, g, s) => UpdateAsync(c, g, s, kind)));
            endpoints.MapPost(prefix + "/delete", context => KeyEndpoints.GuardedAsync(context, gate, (c, g, s) => DeleteAsync(c, g, s, kind)));
            endpoints.MapGet(prefix + "/list", context => KeyEndpoints.GuardedAsync(context, gate, (c, g, s) => ListAsync(c, g, s, kind)));
        }
    }

    private static async Task NewAsync(HttpContext context, KeyGate gate, IKeyStore store, KeyOwnerKind kind)
    {
        JsonElement body = await KeyEndpoints.ReadAsync(context).ConfigureAwait(false);
        string idField = OwnerJson.Prefix(kind) + "_id";
        string id = (body.TryGetProperty(idField, out JsonElement given) ? KeyRequest.Text(given, idField) : null) ?? Guid.NewGuid().ToString();
        DateTimeOffset now = DateTimeOffset.FromUnixTimeMilliseconds(gate.Now.ToUnixTimeMilliseconds());
        KeyOwner owner = OwnerRequest.Apply(body, new KeyOwner { Kind = kind, Id = id, Created = now }, now);
        try
        {
            await store.CreateOwnerAsync(owner, context.RequestAborted).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            throw new KeyRequestException(ex.Message, idField);
        }

        // Keys that named the id before it existed were cached as having no such owner; from now on they count against it.
        await gate.Owners!.RefreshAsync(kind, id, CancellationToken.None).ConfigureAwait(false);
        await KeyEndpoints.WriteAsync(context, json =>
        {
            json.WriteStartObject();
            OwnerJson.WriteFields(json, owner, null);
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static async Task InfoAsync(HttpContext context, KeyGate gate, IKeyStore store, KeyOwnerKind kind)
    {
        string prefix = OwnerJson.Prefix(kind);
        string? id = context.Request.Query[prefix + "_id"].FirstOrDefault();
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new KeyRequestException($"Send the {prefix}'s id as the query parameter {prefix}_id: /{prefix}/info?{prefix}_id=...", prefix + "_id");
        }

        KeyOwner owner = await FindAsync(store, kind, id.Trim(), context.RequestAborted).ConfigureAwait(false);
        IReadOnlyList<VirtualKey> keys = kind == KeyOwnerKind.Team
            ? await store.ListAsync(teamId: owner.Id, cancellationToken: context.RequestAborted).ConfigureAwait(false)
            : await store.ListAsync(userId: owner.Id, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        await KeyEndpoints.WriteAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteString(prefix + "_id", owner.Id);
            json.WriteStartObject(prefix + "_info");
            OwnerJson.WriteFields(json, owner, gate.LiveSpend(kind, owner.Id));
            json.WriteEndObject();
            json.WriteStartArray("keys");
            foreach (VirtualKey key in keys)
            {
                json.WriteStartObject();
                KeyJson.WriteFields(json, key, gate.LiveSpend(key.Hash));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static async Task UpdateAsync(HttpContext context, KeyGate gate, IKeyStore store, KeyOwnerKind kind)
    {
        string prefix = OwnerJson.Prefix(kind);
        JsonElement body = await KeyEndpoints.ReadAsync(context).ConfigureAwait(false);
        string id = (body.TryGetProperty(prefix + "_id", out JsonElement given) ? KeyRequest.Text(given, prefix + "_id") : null)
            ?? throw new KeyRequestException($"Send \"{prefix}_id\": the {prefix} to change.", prefix + "_id");
        KeyOwner existing = await FindAsync(store, kind, id, context.RequestAborted).ConfigureAwait(false);
        KeyOwner changed = OwnerRequest.Apply(body, existing, gate.Now);
        if (!await store.UpdateOwnerAsync(changed, context.RequestAborted).ConfigureAwait(false))
        {
            throw new KeyRequestException($"No such {prefix}: it was deleted meanwhile.", prefix + "_id");
        }

        // Not the caller's token: once stored, the change must reach the cache even if the caller hangs up.
        await gate.Owners!.RefreshAsync(kind, id, CancellationToken.None).ConfigureAwait(false);
        await KeyEndpoints.WriteAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteString(prefix + "_id", id);
            json.WriteStartObject("data");
            OwnerJson.WriteFields(json, changed, gate.LiveSpend(kind, id));
            json.WriteEndObject();
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static async Task DeleteAsync(HttpContext context, KeyGate gate, IKeyStore store, KeyOwnerKind kind)
    {
        string prefix = OwnerJson.Prefix(kind);
        JsonElement body = await KeyEndpoints.ReadAsync(context).ConfigureAwait(false);
        if (!body.TryGetProperty(prefix + "_ids", out JsonElement ids))
        {
            throw new KeyRequestException($"Send the {prefix}s to delete: {{\"{prefix}_ids\": [\"...\"]}}.", prefix + "_ids");
        }

        string[] given = KeyRequest.Strings(ids, prefix + "_ids");
        IReadOnlyList<string> deleted = await store.DeleteOwnersAsync(kind, given, CancellationToken.None).ConfigureAwait(false);
        gate.Owners!.Forget(kind, deleted);
        int keys = 0;
        foreach (string id in deleted)
        {
            IReadOnlyList<VirtualKey> owned = kind == KeyOwnerKind.Team
                ? await store.ListAsync(teamId: id, cancellationToken: CancellationToken.None).ConfigureAwait(false)
                : await store.ListAsync(userId: id, cancellationToken: CancellationToken.None).ConfigureAwait(false);
            IReadOnlyList<string> gone = await store.DeleteAsync(owned.Select(key => key.Hash), CancellationToken.None).ConfigureAwait(false);
            gate.Forget(gone);
            keys += gone.Count;
        }

        if (deleted.Count == 0)
        {
            await KeyEndpoints.ErrorAsync(context, StatusCodes.Status404NotFound, "not_found_error", $"None of the {prefix}s exists; nothing was deleted.", prefix + "_ids").ConfigureAwait(false);
            return;
        }

        await KeyEndpoints.WriteAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray($"deleted_{prefix}_ids");
            foreach (string id in deleted)
            {
                json.WriteStringValue(id);
            }

            json.WriteEndArray();
            json.WriteNumber("deleted_keys", keys);
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static async Task ListAsync(HttpContext context, KeyGate gate, IKeyStore store, KeyOwnerKind kind)
    {
        IReadOnlyList<KeyOwner> owners = await store.ListOwnersAsync(kind, context.RequestAborted).ConfigureAwait(false);
        await KeyEndpoints.WriteAsync(context, json =>
        {
            // LiteLLM answers /team/list with a bare array and /user/list with {"users": [...], "total": n}.
            if (kind == KeyOwnerKind.User)
            {
                json.WriteStartObject();
                json.WritePropertyName("users");
            }

            json.WriteStartArray();
            foreach (KeyOwner owner in owners)
            {
                json.WriteStartObject();
                OwnerJson.WriteFields(json, owner, gate.LiveSpend(kind, owner.Id));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            if (kind == KeyOwnerKind.User)
            {
                json.WriteNumber("total", owners.Count);
                json.WriteEndObject();
            }
        }).ConfigureAwait(false);
    }

    private static async Task<KeyOwner> FindAsync(IKeyStore store, KeyOwnerKind kind, string id, CancellationToken cancellationToken)
    {
        string prefix = OwnerJson.Prefix(kind);
        return await store.GetOwnerAsync(kind, id, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyRequestException(string.Format(CultureInfo.InvariantCulture, "No {0} '{1}': check the id; /{0}/list lists them.", prefix, id), prefix + "_id");
    }
}
