using Allos.Providers.Http;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;

namespace Allos.Providers.Vertex;

/// <summary>
/// An access token from a Google credential (service account, authorized user, metadata server). Google.Apis.Auth caches
/// the token, refreshes it before it expires and lets concurrent callers share one refresh; failures here become typed
/// <see cref="ProviderException"/>s that name the credential's source, never its key.
/// </summary>
internal sealed class GoogleAccessToken(ITokenAccess credential, string provider, string source, string? tokenUrl) : IAccessTokenSource
{
    public async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await credential.GetAccessTokenForRequestAsync(authUri: null, cancellationToken).ConfigureAwait(false)
                ?? throw new ProviderAuthenticationException(provider, $"{Where()} returned no access token.");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (TokenResponseException ex)
        {
            int? status = ex.StatusCode is { } code ? (int)code : null;
            string error = ex.Error?.Error ?? "error";
            string detail = string.IsNullOrWhiteSpace(ex.Error?.ErrorDescription) ? "" : $": {ProviderTransport.Shorten(ex.Error.ErrorDescription)}";
            string text = $"{Where()} refused the access token request (HTTP {status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}, {error}){detail}.";
            throw status is >= 500 || (status is null && error != "invalid_grant")
                ? new ProviderServerException(provider, text, status, error, innerException: ex)
                : new ProviderAuthenticationException(provider, text + " Check the credential, or set GOOGLE_APPLICATION_CREDENTIALS to another one.", status, error, innerException: ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            throw new ProviderConnectionException(provider, $"{Where()} could not be reached: {ex.Message}", innerException: ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or System.Security.Cryptography.CryptographicException or Newtonsoft.Json.JsonException)
        {
            throw new ProviderAuthenticationException(provider, $"{Where()} did not give an access token ({ex.GetType().Name}).", innerException: ex);
        }
    }

    private string Where() => tokenUrl is null ? $"The token service for {source}" : $"The token endpoint {tokenUrl} for {source}";
}
