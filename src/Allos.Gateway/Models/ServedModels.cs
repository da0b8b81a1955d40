using Allos.Gateway.Server.Errors;
using Allos.Models;
using Microsoft.AspNetCore.Http;

namespace Allos.Gateway.Server.Models;

/// <summary>
/// Which models the server answers for: the Router's aliases, plus the <c>provider/model</c> ids that
/// <see cref="GatewayServerOptions.Models"/> allows (exact ids, or patterns ending in <c>*</c>). With no patterns every
/// id is allowed (the Router refuses what it cannot serve) and the listing shows the catalog's models of each provider
/// whose credentials are set.
/// </summary>
/// <remarks>Thread-safe: immutable after construction.</remarks>
internal sealed class ServedModels
{
    private readonly Router _router;
    private readonly string[] _patterns;

    public ServedModels(Router router, IEnumerable<string> patterns)
    {
        _router = router;
        _patterns = [.. patterns];
    }

    /// <summary>Returns whether a request may name <paramref name="model"/>. No allocation: it runs on every request.</summary>
    public bool Allows(string model)
    {
        if (_patterns.Length == 0 || IsAlias(model))
        {
            return true;
        }

        foreach (string pattern in _patterns)
        {
            if (Matches(pattern, model))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The refusal of a model this server does not serve: 404, in either ingress format.</summary>
    public static GatewayError NotServed(string model) => new(StatusCodes.Status404NotFound, GatewayErrorKind.NotFound,
        $"The model '{model}' is not served by this gateway: use an alias or a model GET /v1/models lists (allos.yaml gateway.models allows more).", Param: "model");

    /// <summary>The ids <c>GET /v1/models</c> lists, aliases first, each once.</summary>
    public List<string> List()
    {
        var ids = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (string alias in _router.Aliases.Order(StringComparer.Ordinal))
        {
            if (seen.Add(alias))
            {
                ids.Add(alias);
            }
        }

        IReadOnlyList<ModelInfo> catalog = ModelCatalog.Default.Models;
        if (_patterns.Length == 0)
        {
            var providers = new HashSet<string>(_router.Options.Providers.ProvidersWithCredentials(), StringComparer.OrdinalIgnoreCase);
            foreach (ModelInfo model in catalog)
            {
                int slash = model.Id.IndexOf('/', StringComparison.Ordinal);
                if (slash > 0 && providers.Contains(model.Id[..slash]) && seen.Add(model.Id))
                {
                    ids.Add(model.Id);
                }
            }

            return ids;
        }

        foreach (string pattern in _patterns)
        {
            if (!pattern.EndsWith('*'))
            {
                if (seen.Add(pattern))
                {
                    ids.Add(pattern);
                }

                continue;
            }

            foreach (ModelInfo model in catalog)
            {
                if (Matches(pattern, model.Id) && seen.Add(model.Id))
                {
                    ids.Add(model.Id);
                }
            }
        }

        return ids;
    }

    /// <summary>Returns whether <paramref name="model"/> is an alias or an id <see cref="List"/> shows.</summary>
    public bool Lists(string model) => IsAlias(model) || List().Contains(model, StringComparer.OrdinalIgnoreCase);

    private bool IsAlias(string model)
    {
        foreach (string alias in _router.Aliases)
        {
            if (string.Equals(alias, model, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Matches(string pattern, string model) => pattern.EndsWith('*')
        ? model.StartsWith(pattern.AsSpan(0, pattern.Length - 1), StringComparison.OrdinalIgnoreCase)
        : string.Equals(pattern, model, StringComparison.OrdinalIgnoreCase);
}
