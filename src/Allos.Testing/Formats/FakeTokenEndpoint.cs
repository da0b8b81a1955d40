using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Allos.Testing.Formats;

/// <summary>
/// Google's OAuth token endpoint as a service account or an authorized user meets it: <c>POST</c> a form with the
/// JWT-bearer grant (an RS256-signed assertion naming <c>iss</c>, <c>scope</c>, <c>aud</c>, <c>iat</c>, <c>exp</c>) or the
/// refresh-token grant, answered with <c>{"access_token","expires_in","token_type"}</c> or <c>{"error","error_description"}</c>.
/// </summary>
internal static class FakeTokenEndpoint
{
    public const string JwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    public static async Task WriteAsync(HttpContext context, string body, string accessToken, TimeSpan lifetime, RSA? signingKey, (int Status, string Body)? scripted)
    {
        if (scripted is { } error)
        {
            await RespondAsync(context, error.Status, error.Body).ConfigureAwait(false);
            return;
        }

        Dictionary<string, Microsoft.Extensions.Primitives.StringValues> form = QueryHelpers.ParseQuery(body);
        string grant = form.TryGetValue("grant_type", out var g) ? g.ToString() : "";
        string? problem = grant switch
        {
            JwtBearerGrant => CheckAssertion(form.TryGetValue("assertion", out var a) ? a.ToString() : "", signingKey),
            "refresh_token" => form.ContainsKey("refresh_token") && form.ContainsKey("client_id") && form.ContainsKey("client_secret")
                ? null : "refresh_token, client_id and client_secret are required",
            _ => $"unsupported grant_type '{grant}'",
        };
        if (problem is not null)
        {
            await RespondAsync(context, 400, FakeExchange.Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("error", grant is JwtBearerGrant or "refresh_token" ? "invalid_grant" : "unsupported_grant_type");
                w.WriteString("error_description", problem);
                w.WriteEndObject();
            })).ConfigureAwait(false);
            return;
        }

        await RespondAsync(context, 200, FakeExchange.Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("access_token", accessToken);
            w.WriteNumber("expires_in", (long)lifetime.TotalSeconds);
            w.WriteString("token_type", "Bearer");
            w.WriteEndObject();
        })).ConfigureAwait(false);
    }

    /// <summary>Returns what is wrong with a JWT-bearer assertion, or <see langword="null"/> when it is well formed (and signed by <paramref name="key"/>, if given).</summary>
    private static string? CheckAssertion(string assertion, RSA? key)
    {
        string[] parts = assertion.Split('.');
        if (parts.Length != 3)
        {
            return "the assertion is not a signed JWT";
        }

        try
        {
            using JsonDocument header = JsonDocument.Parse(WebEncoders.Base64UrlDecode(parts[0]));
            using JsonDocument payload = JsonDocument.Parse(WebEncoders.Base64UrlDecode(parts[1]));
            if (!header.RootElement.TryGetProperty("alg", out JsonElement alg) || alg.GetString() != "RS256")
            {
                return "the assertion is not signed with RS256";
            }

            JsonElement claims = payload.RootElement;
            foreach (string claim in (string[])["iss", "scope", "aud", "iat", "exp"])
            {
                if (!claims.TryGetProperty(claim, out _))
                {
                    return $"the assertion has no '{claim}' claim";
                }
            }

            if (claims.GetProperty("exp").GetInt64() <= claims.GetProperty("iat").GetInt64())
            {
                return "the assertion expires before it is issued";
            }

            if (key is not null && !key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), WebEncoders.Base64UrlDecode(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            {
                return "Invalid JWT Signature.";
            }

            return null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            return "the assertion is not a JWT";
        }
    }

    private static async Task RespondAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json, context.RequestAborted).ConfigureAwait(false);
    }
}
