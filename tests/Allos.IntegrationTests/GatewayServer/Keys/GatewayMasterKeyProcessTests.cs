using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Allos.IntegrationTests.GatewayServer.Keys;

/// <summary>The gateway as its own process: what it says at start, with and without <c>ALLOS_MASTER_KEY</c>.</summary>
public sealed class GatewayMasterKeyProcessTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("allos-gw-keys-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    private Process Start(string? masterKey, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _data,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Allos.Gateway.dll"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("ALLOS_MASTER_KEY");
        if (masterKey is not null)
        {
            start.Environment["ALLOS_MASTER_KEY"] = masterKey;
        }

        start.Environment["ALLOS_HOME"] = _data;
        return Process.Start(start)!;
    }

    private static async Task<(string Url, string Notice)> ReadStartAsync(Process process)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string listening = (await process.StandardOutput.ReadLineAsync(timeout.Token))!;
        string notice = (await process.StandardOutput.ReadLineAsync(timeout.Token))!;
        listening.ShouldStartWith("Allos gateway listening on http://127.0.0.1:");
        return (listening["Allos gateway listening on ".Length..].Split(',')[0].Trim(), notice);
    }

    private static async Task StopAsync(Process process)
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
    }

    [Fact]
    public async Task Run_NonLoopbackHostWithoutMasterKey_Exits3WithTheReason()
    {
        using Process process = Start(null, "--host", "0.0.0.0", "--port", "0");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using CancellationTokenRegistration kill = timeout.Token.Register(() => process.Kill(entireProcessTree: true));

        // A gateway that wrongly starts is killed after a minute instead of hanging the run.
        string error = await process.StandardError.ReadToEndAsync(CancellationToken.None);
        await process.WaitForExitAsync(CancellationToken.None);

        process.ExitCode.ShouldBe(3);
        error.ShouldContain("'0.0.0.0' is not loopback");
        error.ShouldContain("ALLOS_MASTER_KEY");
        error.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Run_WithoutMasterKey_SaysItListensOnLoopbackOnly()
    {
        Process process = Start(null, "--port", "0");
        try
        {
            (_, string notice) = await ReadStartAsync(process);

            notice.ShouldContain("loopback only");
            notice.ShouldContain("ALLOS_MASTER_KEY");
        }
        finally
        {
            await StopAsync(process);
        }
    }

    [Fact]
    public async Task Run_WithMasterKey_StoresKeysInTheAllosDatabase()
    {
        const string master = "sk-process-master-key";
        Process process = Start(master, "--port", "0");
        try
        {
            (string url, string notice) = await ReadStartAsync(process);
            notice.ShouldContain(Path.Combine(_data, "allos.db"));
            notice.ShouldNotContain(master);

            using var http = new HttpClient { BaseAddress = new Uri(url + "/") };
            using var request = new HttpRequestMessage(HttpMethod.Post, "key/generate") { Content = new StringContent("""{"key_alias": "p"}""", Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", master);
            using HttpResponseMessage response = await http.SendAsync(request);
            string body = await response.Content.ReadAsStringAsync();

            response.IsSuccessStatusCode.ShouldBeTrue(body);
            JsonDocument.Parse(body).RootElement.GetProperty("key_alias").GetString().ShouldBe("p");
        }
        finally
        {
            await StopAsync(process);
        }
    }
}
