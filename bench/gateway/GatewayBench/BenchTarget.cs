using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace Allos.Bench.Gateway;

/// <summary>One server the harness calls: the upstream itself ("direct"), the floor, Allos or Portkey, with its process id for RSS.</summary>
internal sealed class BenchTarget
{
    private static readonly byte[] WholeBody = Encoding.UTF8.GetBytes(
        """{"model":"bench","messages":[{"role":"user","content":"Say hello in one short sentence."}]}""");

    private static readonly byte[] StreamBody = Encoding.UTF8.GetBytes(
        """{"model":"bench","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Say hello in one short sentence."}]}""");

    private readonly Uri _url;
    private readonly string[] _keys;
    private readonly (string Name, string Value)[] _headers;
    private readonly Dictionary<int, long> _jitTicksByThread = [];
    private long _calls;
    private long _jitTicks;
    private bool? _dotNet;

    public BenchTarget(string name, string baseUrl, int? pid, string[]? keys = null, params (string Name, string Value)[] headers)
    {
        Name = name;
        Pid = pid;
        _url = new Uri(baseUrl.TrimEnd('/') + "/v1/chat/completions");
        _keys = keys is { Length: > 0 } ? keys : ["sk-bench"];
        _headers = headers;
    }

    public string Name { get; }

    public int? Pid { get; }

    /// <summary>
    /// Parses <c>name=url@pid</c> (run.sh's <c>--target</c>); <paramref name="keys"/> are its bearer tokens, taken in turn
    /// (virtual keys for shared-store.sh; sk-bench when none). Portkey gets the headers that send it to the upstream as OpenAI.
    /// </summary>
    public static BenchTarget Parse(string spec, string upstream, string[]? keys = null)
    {
        int equals = spec.IndexOf('=', StringComparison.Ordinal);
        int at = spec.LastIndexOf('@');
        if (equals <= 0 || at < equals)
        {
            throw new ArgumentException($"--target must be name=url@pid, got '{spec}'");
        }

        string name = spec[..equals];
        string url = spec[(equals + 1)..at];
        int pid = int.Parse(spec[(at + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        return name == "portkey"
            ? new BenchTarget(name, url, pid, keys, ("x-portkey-provider", "openai"), ("x-portkey-custom-host", upstream.TrimEnd('/') + "/v1"))
            : new BenchTarget(name, url, pid, keys);
    }

    public HttpRequestMessage Request(bool stream)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = new ByteArrayContent(stream ? StreamBody : WholeBody) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _keys[(Interlocked.Increment(ref _calls) & long.MaxValue) % _keys.Length]);
        foreach ((string header, string value) in _headers)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        return request;
    }

    /// <summary>One whole (non-streaming) call read to its end; the elapsed time in milliseconds.</summary>
    public async Task<double> CallAsync(HttpClient client, byte[] buffer, CancellationToken cancellationToken = default)
    {
        long start = Stopwatch.GetTimestamp();
        using HttpRequestMessage request = Request(stream: false);
        using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken);
        while (await body.ReadAsync(buffer, cancellationToken) > 0)
        {
        }

        double elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{Name} answered {(int)response.StatusCode}");
        }

        return elapsed;
    }

    /// <summary>User plus system CPU time the server's process has used, in seconds, from /proc (Linux; USER_HZ is 100 there).</summary>
    public double? CpuSeconds()
    {
        if (Pid is not int pid || !File.Exists($"/proc/{pid}/stat"))
        {
            return null;
        }

        // The command name may hold spaces, so the fields are counted from after its closing parenthesis (field 3 on).
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>
    /// CPU seconds used so far by the server's .NET tiered-compilation thread (named ".NET Tiered Com" in /proc), or null
    /// when the server is not .NET (or there is no /proc): how far the JIT still is from the code the server settles into.
    /// The runtime ends that thread when it has been idle a while and starts a new one when work comes, so each thread's
    /// time is counted by its id and the total only grows.
    /// </summary>
    public double? JitCpuSeconds()
    {
        if (Pid is not int pid || !Directory.Exists($"/proc/{pid}/task"))
        {
            return null;
        }

        _dotNet ??= File.ReadAllText($"/proc/{pid}/maps").Contains("libcoreclr.so", StringComparison.Ordinal);
        if (!_dotNet.Value)
        {
            return null;
        }

        foreach (string task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                if (!File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET Tiered", StringComparison.Ordinal))
                {
                    continue;
                }

                int tid = int.Parse(Path.GetFileName(task), System.Globalization.CultureInfo.InvariantCulture);
                string stat = File.ReadAllText(Path.Combine(task, "stat"));
                string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                long ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
                _jitTicks += ticks - _jitTicksByThread.GetValueOrDefault(tid);
                _jitTicksByThread[tid] = ticks;
            }
            catch (IOException)
            {
                // The thread ended between listing and reading: it compiles nothing more.
            }
        }

        return _jitTicks / 100.0;
    }

    /// <summary>The resident set of the server's process in MB, from /proc (Linux).</summary>
    public double? ResidentMegabytes()
    {
        if (Pid is not int pid)
        {
            return null;
        }

        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return double.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / 1024;
            }
        }

        return null;
    }
}
