using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Allos.Bench.Gateway;

/// <summary>A slim Kestrel app on 127.0.0.1 with logging off, as the Allos gateway builds its own, so per-request logs cost nothing.</summary>
internal static class BenchServer
{
    public static WebApplication Create(int port)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        return builder.Build();
    }
}
