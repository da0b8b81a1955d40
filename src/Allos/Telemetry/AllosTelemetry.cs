namespace Allos.Telemetry;

/// <summary>The names under which Allos publishes traces and metrics, for OpenTelemetry's <c>AddSource</c> and <c>AddMeter</c>.</summary>
/// <remarks>
/// Spans and instruments follow the OpenTelemetry GenAI semantic conventions (<c>gen_ai.*</c>); what the conventions have
/// no name for (cost, deployment, retries, fallbacks, cache hits) uses <c>allos.*</c>. Prompts and responses are never recorded.
/// </remarks>
public static class AllosTelemetry
{
    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> name: one span per Router call.</summary>
    public const string SourceName = "Allos";

    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> name: token usage, operation duration and cost.</summary>
    public const string MeterName = "Allos";
}
