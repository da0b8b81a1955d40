using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Allos.Gateway.Server.Health;

/// <summary><c>GET /health/liveliness</c> (the process answers) and <c>GET /health/readiness</c> (it can serve), as LiteLLM names them.</summary>
internal static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health/liveliness", static () => Results.Text("{\"status\":\"alive\"}", "application/json"));
        endpoints.MapGet("/health/readiness", static () => Results.Text("{\"status\":\"ready\"}", "application/json"));
    }
}
