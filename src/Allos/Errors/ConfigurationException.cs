namespace Allos;

/// <summary>Allos is not configured well enough to make the call: a missing API key, an unknown provider, a malformed model id.</summary>
/// <remarks>The message always says what to set or change. It never contains a secret.</remarks>
public sealed class ConfigurationException : AllosException
{
    /// <summary>Initializes a new instance of the <see cref="ConfigurationException"/> class.</summary>
    public ConfigurationException(string message, string? variableName = null)
        : base(message)
    {
        VariableName = variableName;
    }

    /// <summary>Gets the environment variable that would fix the problem, when there is one (for example <c>ANTHROPIC_API_KEY</c>).</summary>
    public string? VariableName { get; }
}
