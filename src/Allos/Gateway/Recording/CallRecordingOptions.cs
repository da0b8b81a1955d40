using Allos.Models;
using Allos.Storage;

namespace Allos.Gateway;

/// <summary>Configures the call-recording layer (<see cref="CallRecordingChatClientBuilderExtensions.UseCallRecording"/>).</summary>
/// <remarks>
/// The layer prices each call from its reported usage and the model's catalog price and reports the cost on the response
/// (<see cref="ResponseCost"/>), unless a layer inside it (the <see cref="Router"/>) already did; with a store, it also
/// writes one <see cref="ModelCallRecord"/> per call. Spans and metrics are <c>UseOpenTelemetry</c>'s job: put MEAI's
/// layer beside this one. Never records prompts, responses or keys.
/// </remarks>
public sealed class CallRecordingOptions
{
    /// <summary>Gets or sets where each call is recorded (model, tokens, cost, latency, status).</summary>
    /// <value>The default value is <see langword="null"/> (only the cost is reported, on the response).</value>
    public ITelemetryStore? Store { get; set; }

    /// <summary>Gets or sets the catalog that gives prices.</summary>
    /// <value>The default value is <see cref="ModelCatalog.Default"/>.</value>
    public ModelCatalog Models { get; set; } = ModelCatalog.Default;

    /// <summary>Gets or sets the clock that times calls.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
