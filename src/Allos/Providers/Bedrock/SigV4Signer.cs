using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Allos.Providers.Bedrock;

/// <summary>
/// AWS Signature Version 4 over a request Allos sends: the canonical request (method, doubly encoded path, query, the
/// signed headers, the body's SHA-256), the string to sign and the HMAC chain of date, region, service and
/// <c>aws4_request</c>. Written here because AWSSDK.Core's signer works on its own request types only.
/// </summary>
internal static class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>Signs <paramref name="request"/> for <paramref name="service"/> in <paramref name="region"/>: sets <c>x-amz-date</c>, the session token and <c>Authorization</c>.</summary>
    public static void Sign(HttpRequestMessage request, ReadOnlySpan<byte> body, AwsSigningCredentials credentials, string region, string service, DateTimeOffset now)
    {
        Uri uri = request.RequestUri!;
        string amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        request.Headers.Remove("x-amz-date");
        request.Headers.TryAddWithoutValidation("x-amz-date", amzDate);
        request.Headers.Remove("x-amz-security-token");
        if (!string.IsNullOrEmpty(credentials.SessionToken))
        {
            request.Headers.TryAddWithoutValidation("x-amz-security-token", credentials.SessionToken);
        }

        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = uri.IsDefaultPort ? uri.IdnHost : $"{uri.IdnHost}:{uri.Port.ToString(CultureInfo.InvariantCulture)}",
            ["x-amz-date"] = amzDate,
        };
        if (request.Content?.Headers.ContentType is { } contentType)
        {
            headers["content-type"] = contentType.ToString();
        }

        if (!string.IsNullOrEmpty(credentials.SessionToken))
        {
            headers["x-amz-security-token"] = credentials.SessionToken;
        }

        string canonical = CanonicalRequest(request.Method.Method, CanonicalPath(uri.AbsolutePath), CanonicalQuery(uri.Query), headers, Hex(SHA256.HashData(body)));
        string scope = $"{amzDate[..8]}/{region}/{service}/aws4_request";
        string signature = Signature(credentials.SecretAccessKey, amzDate, region, service, StringToSign(amzDate, scope, canonical));
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization",
            $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={string.Join(';', headers.Keys)}, Signature={signature}");
    }

    /// <summary>The canonical request; <paramref name="headers"/> are lower-case names in ordinal order.</summary>
    public static string CanonicalRequest(string method, string canonicalPath, string canonicalQuery, IEnumerable<KeyValuePair<string, string>> headers, string payloadHash)
    {
        var builder = new StringBuilder();
        builder.Append(method).Append('\n').Append(canonicalPath).Append('\n').Append(canonicalQuery).Append('\n');
        var names = new List<string>();
        foreach ((string name, string value) in headers)
        {
            builder.Append(name).Append(':').Append(value.Trim()).Append('\n');
            names.Add(name);
        }

        builder.Append('\n').Append(string.Join(';', names)).Append('\n').Append(payloadHash);
        return builder.ToString();
    }

    public static string StringToSign(string amzDate, string scope, string canonicalRequest) =>
        $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

    public static string Signature(string secretAccessKey, string amzDate, string region, string service, string stringToSign)
    {
        byte[] key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(amzDate[..8]));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        key = HMACSHA256.HashData(key, "aws4_request"u8);
        return Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
    }

    /// <summary>Every service but S3 encodes the path's segments twice: once on the wire (as sent), once more here.</summary>
    public static string CanonicalPath(string wirePath)
    {
        if (string.IsNullOrEmpty(wirePath) || wirePath == "/")
        {
            return "/";
        }

        return string.Join('/', wirePath.Split('/').Select(Uri.EscapeDataString));
    }

    private static string CanonicalQuery(string query)
    {
        if (string.IsNullOrEmpty(query) || query == "?")
        {
            return "";
        }

        return string.Join('&', query.TrimStart('?').Split('&')
            .Select(pair => pair.Split('=', 2))
            .Select(parts => (Name: Uri.EscapeDataString(Uri.UnescapeDataString(parts[0])), Value: parts.Length > 1 ? Uri.EscapeDataString(Uri.UnescapeDataString(parts[1])) : ""))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}"));
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
