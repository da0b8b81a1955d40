namespace Allos.Cli.Admin;

/// <summary>Shows enough of a secret to tell which one it is, never the whole of it.</summary>
internal static class Secrets
{
    /// <summary>The first three characters and an ellipsis; a short value (which three characters would mostly reveal) shows none.</summary>
    public static string Mask(string secret) => secret.Length >= 12 ? secret[..3] + "…" : "…";

    /// <summary>Removes a password from a URL (<c>https://user:pass@host</c>), which a base URL may carry.</summary>
    public static string Url(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) && uri.UserInfo.Length > 0
            ? new UriBuilder(uri) { UserName = "…", Password = "" }.Uri.ToString()
            : url;
}
