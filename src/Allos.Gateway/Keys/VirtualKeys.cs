using System.Security.Cryptography;
using System.Text;

namespace Allos.Gateway.Server.Keys;

/// <summary>Makes virtual keys and their hashes: a key is <c>sk-</c> and 32 URL-safe base64 characters (192 random bits).</summary>
internal static class VirtualKeys
{
    private const int RandomBytes = 24;

    /// <summary>Returns a new key from the operating system's cryptographic generator.</summary>
    public static string Generate()
    {
        Span<byte> random = stackalloc byte[RandomBytes];
        RandomNumberGenerator.Fill(random);
        return "sk-" + Convert.ToBase64String(random).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>Returns the lower-case hex SHA-256 of <paramref name="key"/>: the only form in which a key is stored.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Returns whether <paramref name="value"/> looks like a hash rather than a key (64 hex digits).</summary>
    public static bool IsHash(string value) => value.Length == 64 && value.All(char.IsAsciiHexDigit);

    /// <summary>Returns the hash a caller means: <paramref name="keyOrHash"/> itself when it is one, else the key's hash.</summary>
    public static string HashOf(string keyOrHash) => IsHash(keyOrHash) ? keyOrHash.ToLowerInvariant() : Hash(keyOrHash);

    /// <summary>Returns the name shown in place of a key: its prefix and last four characters (<c>sk-...wxyz</c>), as LiteLLM's <c>key_name</c>.</summary>
    public static string Name(string key) => key.Length > 12 ? $"{key[..3]}...{key[^4..]}" : "sk-...";
}
