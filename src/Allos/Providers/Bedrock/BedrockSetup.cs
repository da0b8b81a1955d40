using Allos.Security;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;

namespace Allos.Providers.Bedrock;

/// <summary>
/// Where a Bedrock client sends its requests and how it signs them, resolved once from the options and the environment:
/// the endpoint (<c>base_url</c>/<see cref="ChatClientOptions.Endpoint"/>, <c>BEDROCK_BASE_URL</c>,
/// <c>AWS_ENDPOINT_URL_BEDROCK_RUNTIME</c>, <c>AWS_ENDPOINT_URL</c>, else the region's public endpoint), the region and
/// the credentials (an API key as a bearer token, else AWS keys from the environment, else a shared profile).
/// </summary>
/// <remarks>
/// EC2 instance metadata and container credentials are not probed: a lookup that only times out off AWS would stall
/// every call. On EC2 or ECS, use a profile with <c>credential_source = Ec2InstanceMetadata</c> (or <c>EcsContainer</c>),
/// which AWSSDK.Core resolves.
/// </remarks>
internal sealed class BedrockSetup
{
    public const string Service = "bedrock";
    public const string BearerVariable = "AWS_BEARER_TOKEN_BEDROCK";
    public const string BaseUrlVariable = "BEDROCK_BASE_URL";

    /// <summary>The endpoint variables, most specific first (after <c>base_url</c>, which wins over all).</summary>
    public static readonly string[] EndpointVariables = [BaseUrlVariable, "AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "AWS_ENDPOINT_URL"];

    private readonly AWSCredentials? _profileCredentials;
    private readonly AwsSigningCredentials? _staticCredentials;

    private BedrockSetup(Uri endpoint, string endpointSource, string? region, string? regionSource, string? bearerToken, AwsSigningCredentials? staticCredentials,
        AWSCredentials? profileCredentials, string credentialSource)
    {
        Endpoint = endpoint;
        EndpointSource = endpointSource;
        Region = region;
        RegionSource = regionSource;
        BearerToken = bearerToken;
        _staticCredentials = staticCredentials;
        _profileCredentials = profileCredentials;
        CredentialSource = credentialSource;
    }

    public Uri Endpoint { get; }

    /// <summary>Gets what set the endpoint: <c>base_url</c>, a variable's name, or <c>default</c>.</summary>
    public string EndpointSource { get; }

    public string? Region { get; }

    public string? RegionSource { get; }

    /// <summary>Gets the Bedrock API key, sent as <c>Authorization: Bearer</c> instead of a signature.</summary>
    public string? BearerToken { get; }

    /// <summary>Gets where the credentials come from (a variable or a profile; never a secret).</summary>
    public string CredentialSource { get; }

    /// <summary>Resolves everything, throwing a <see cref="ConfigurationException"/> that names what to set.</summary>
    public static BedrockSetup Resolve(ChatClientOptions? options, Func<string, string?> environment)
    {
        (Uri? endpoint, string endpointSource) = ResolveEndpoint(options?.Endpoint, environment);

        string? bearer = options?.ApiKey is { Length: > 0 } key ? key : NonEmpty(environment(BearerVariable));
        string credentialSource;
        AwsSigningCredentials? fixedKeys = null;
        AWSCredentials? profileCredentials = null;
        string? profileRegion = null;
        if (bearer is not null)
        {
            credentialSource = options?.ApiKey is { Length: > 0 } ? "ChatClientOptions.ApiKey (bearer)" : $"{BearerVariable} (bearer)";
            SecretRedactor.Register(BearerVariable, bearer);
        }
        else if (NonEmpty(environment("AWS_ACCESS_KEY_ID")) is { } accessKey)
        {
            string secret = NonEmpty(environment("AWS_SECRET_ACCESS_KEY"))
                ?? throw new ConfigurationException("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both (and AWS_SESSION_TOKEN for temporary keys).", "AWS_SECRET_ACCESS_KEY");
            string? token = NonEmpty(environment("AWS_SESSION_TOKEN"));
            SecretRedactor.Register("AWS_SECRET_ACCESS_KEY", secret);
            SecretRedactor.Register("AWS_SESSION_TOKEN", token);
            fixedKeys = new AwsSigningCredentials(accessKey, secret, token);
            credentialSource = token is null ? "AWS_ACCESS_KEY_ID" : "AWS_ACCESS_KEY_ID with AWS_SESSION_TOKEN";
        }
        else
        {
            string? named = NonEmpty(environment("AWS_PROFILE"));
            string profile = named ?? "default";
            string file = CredentialsFile(environment);
            var chain = new CredentialProfileStoreChain(file);
            if (chain.TryGetProfile(profile, out CredentialProfile? found) && chain.TryGetAWSCredentials(profile, out AWSCredentials? credentials))
            {
                profileCredentials = credentials;
                profileRegion = found.Region?.SystemName;
                credentialSource = $"profile {profile} ({file})";
            }
            else if (named is not null)
            {
                throw new ConfigurationException(
                    $"AWS_PROFILE names the profile '{named}', which has no usable credentials in {file} or the AWS config file. Add it, or unset AWS_PROFILE and set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.", "AWS_PROFILE");
            }
            else
            {
                throw new ConfigurationException(
                    $"No AWS credentials for bedrock: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary keys), AWS_PROFILE (a profile of {file}), "
                    + $"or {BearerVariable} (a Bedrock API key), or pass ChatClientOptions.ApiKey.", "AWS_ACCESS_KEY_ID");
            }
        }

        (string? region, string? regionSource) = ResolveRegion(endpoint, environment, profileRegion);
        if (endpoint is null)
        {
            if (region is null)
            {
                throw new ConfigurationException(
                    "No AWS region for bedrock: set AWS_REGION (for example us-east-1), give the profile a region, or set BEDROCK_BASE_URL to the runtime endpoint.", "AWS_REGION");
            }

            endpoint = new Uri($"https://bedrock-runtime.{region}.amazonaws.com");
        }

        if (bearer is null && region is null)
        {
            throw new ConfigurationException(
                $"No AWS region for bedrock, which a signed request needs: set AWS_REGION (for example us-east-1), or give the profile a region. The endpoint is {endpoint.GetLeftPart(UriPartial.Authority)}.", "AWS_REGION");
        }

        return new BedrockSetup(endpoint, endpointSource, region, regionSource, bearer, fixedKeys, profileCredentials, credentialSource);
    }

    /// <summary>
    /// What <c>allos config show</c> prints: where requests go, the region and the credentials' source (never a secret),
    /// or what is missing. Never throws for a misconfiguration.
    /// </summary>
    public static (string? Endpoint, string EndpointSource, string? Region, string? RegionSource, string? CredentialSource, string? Problem) Inspect(Func<string, string?> environment)
    {
        try
        {
            BedrockSetup setup = Resolve(null, environment);
            return (setup.Endpoint.AbsoluteUri, setup.EndpointSource, setup.Region, setup.RegionSource, setup.CredentialSource, null);
        }
        catch (ConfigurationException ex)
        {
            try
            {
                (Uri? endpoint, string source) = ResolveEndpoint(null, environment);
                (string? region, string? regionSource) = ResolveRegion(endpoint, environment, null);
                string? fallback = endpoint?.AbsoluteUri ?? (region is null ? null : $"https://bedrock-runtime.{region}.amazonaws.com/");
                return (fallback, source, region, regionSource, null, ex.Message);
            }
            catch (ConfigurationException endpointError)
            {
                return (null, "default", null, null, null, endpointError.Message);
            }
        }
    }

    /// <summary>The keys to sign with, refreshed by AWSSDK.Core when a profile's are temporary (assumed roles, SSO).</summary>
    public AwsSigningCredentials SigningCredentials()
    {
        if (_staticCredentials is { } fixedKeys)
        {
            return fixedKeys;
        }

        ImmutableCredentials credentials = _profileCredentials!.GetCredentials();
        SecretRedactor.Register("AWS secret access key", credentials.SecretKey);
        SecretRedactor.Register("AWS session token", credentials.Token);
        return new AwsSigningCredentials(credentials.AccessKey, credentials.SecretKey, credentials.UseToken ? credentials.Token : null);
    }

    /// <summary>The endpoint and what set it; a <see langword="null"/> endpoint is the region's default, known once the region is.</summary>
    public static (Uri? Endpoint, string Source) ResolveEndpoint(Uri? configured, Func<string, string?> environment)
    {
        if (configured is not null)
        {
            return (configured, "base_url");
        }

        foreach (string variable in EndpointVariables)
        {
            if (NonEmpty(environment(variable)) is { } value)
            {
                if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    throw new ConfigurationException($"{variable} must be an http(s) URL; it is '{value}'.", variable);
                }

                return (uri, variable);
            }
        }

        return (null, "default");
    }

    /// <summary>An explicit endpoint's region (<c>bedrock-runtime.eu-west-1.amazonaws.com</c>) wins: a request signed for another is refused.</summary>
    public static (string? Region, string? Source) ResolveRegion(Uri? endpoint, Func<string, string?> environment, string? profileRegion)
    {
        if (endpoint is not null && RegionOf(endpoint.Host) is { } hostRegion)
        {
            return (hostRegion, "endpoint host");
        }

        foreach (string variable in (ReadOnlySpan<string>)["AWS_REGION", "AWS_DEFAULT_REGION"])
        {
            if (NonEmpty(environment(variable)) is { } region)
            {
                return (region, variable);
            }
        }

        return profileRegion is null ? (null, null) : (profileRegion, "profile");
    }

    /// <summary>The shared credentials file: <c>AWS_SHARED_CREDENTIALS_FILE</c>, else <c>~/.aws/credentials</c>.</summary>
    public static string CredentialsFile(Func<string, string?> environment) =>
        NonEmpty(environment("AWS_SHARED_CREDENTIALS_FILE"))
        ?? Path.Combine(NonEmpty(environment("HOME")) ?? NonEmpty(environment("USERPROFILE")) ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".aws", "credentials");

    private static string? RegionOf(string host)
    {
        // bedrock-runtime.REGION.amazonaws.com, bedrock-runtime-fips.REGION.amazonaws.com (and .com.cn)
        string[] labels = host.Split('.');
        return labels.Length >= 4 && labels[0].StartsWith("bedrock-runtime", StringComparison.OrdinalIgnoreCase) && labels[2].Equals("amazonaws", StringComparison.OrdinalIgnoreCase)
            ? labels[1]
            : null;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
