using System.ComponentModel;
using System.Text.Json.Serialization;

namespace Allos.IntegrationTests.Providers.Anthropic;

/// <summary>The typed answer of the structured-output tests.</summary>
[Description("A weather report.")]
public sealed record WeatherReport(string City, int Degrees, string? Note);

/// <summary>Tests run with reflection-based JSON off, so the typed answer needs generated metadata.</summary>
[JsonSerializable(typeof(WeatherReport))]
internal sealed partial class WeatherReportJsonContext : JsonSerializerContext;
