using StackExchange.Redis;

namespace Allos.Storage.Redis;

/// <summary>Reads a <c>redis://</c> URL into the client's options, and names the server for messages without its password.</summary>
internal static class RedisEndpoint
{
    /// <exception cref="ArgumentException">The URL is malformed; the message shows how to write it and never repeats it (it may hold a password).</exception>
    public static ConfigurationOptions Parse(string url, out string server)
    {
        if (!Uri.TryCreate(url?.Trim(), UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("redis" or "rediss") || uri.Host.Length == 0)
        {
            throw new ArgumentException("Write the Redis server as redis://[user:password@]host:port[/database] (rediss:// for TLS).", nameof(url));
        }

        int port = uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port;
        var options = new ConfigurationOptions
        {
            EndPoints = { { uri.Host, port } },
            Ssl = uri.Scheme == "rediss",
            // Never queue commands while disconnected: a request waiting on a dead Redis should fail over at once.
            AbortOnConnectFail = false,
            BacklogPolicy = BacklogPolicy.FailFast,
            ConnectTimeout = 2000,
            AsyncTimeout = 2000,
            SyncTimeout = 2000,
            ConnectRetry = 1,
            ReconnectRetryPolicy = new LinearRetry(500),
            ClientName = "allos",
        };
        if (uri.UserInfo.Length > 0)
        {
            string[] parts = uri.UserInfo.Split(':', 2);
            if (parts.Length == 2)
            {
                options.User = parts[0].Length > 0 ? Uri.UnescapeDataString(parts[0]) : null;
                options.Password = Uri.UnescapeDataString(parts[1]);
            }
            else
            {
                options.Password = Uri.UnescapeDataString(parts[0]);
            }
        }

        string path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            options.DefaultDatabase = int.TryParse(path, out int database) && database >= 0
                ? database
                : throw new ArgumentException("The Redis URL's path is the database number, as in redis://host:6379/0.", nameof(url));
        }

        server = $"{uri.Host}:{port}";
        return options;
    }
}
