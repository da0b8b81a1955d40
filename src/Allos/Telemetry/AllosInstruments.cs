using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace Allos.Telemetry;

/// <summary>The process-wide activity source and instruments behind <see cref="AllosTelemetry"/>.</summary>
internal static class AllosInstruments
{
    private static readonly string? Version = typeof(AllosInstruments).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    public static ActivitySource Source { get; } = new(AllosTelemetry.SourceName, Version);

    public static Meter Meter { get; } = new(AllosTelemetry.MeterName, Version);

    /// <summary>Gets the GenAI <c>gen_ai.client.token.usage</c> histogram (tagged with <c>gen_ai.token.type</c>).</summary>
    public static Histogram<long> TokenUsage { get; } = Meter.CreateHistogram<long>(
        GenAISemantics.TokenUsageMetric, "{token}", "Number of input and output tokens used.",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304] });

    /// <summary>Gets the GenAI <c>gen_ai.client.operation.duration</c> histogram, in seconds.</summary>
    public static Histogram<double> OperationDuration { get; } = Meter.CreateHistogram<double>(
        GenAISemantics.OperationDurationMetric, "s", "Duration of a chat call through the Router, retries and fallbacks included.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92] });

    /// <summary>Gets the time from a streamed call's start to its first content, in seconds (Allos's own: no GenAI client convention exists).</summary>
    public static Histogram<double> TimeToFirstToken { get; } = Meter.CreateHistogram<double>(
        GenAISemantics.TimeToFirstTokenMetric, "s", "Time from the start of a streamed call through the Router to its first content, retries and fallbacks included.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48] });

    /// <summary>Gets the cost counter in US dollars (no GenAI convention exists for cost).</summary>
    public static Counter<double> Cost { get; } = Meter.CreateCounter<double>(GenAISemantics.CostMetric, "USD", "Cost of chat calls at catalog prices.");
}
