using Allos.Gateway;

namespace Allos.Tests.Gateway.Health;

/// <summary>A cooldown applied from another process: skipped until it ends, never shortened, then probed here as usual.</summary>
public sealed class DeploymentHealthTests
{
    private static readonly long Now = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero).UtcTicks;
    private static readonly long Minute = TimeSpan.FromMinutes(1).Ticks;

    [Fact]
    public void CoolDownUntil_FromOutside_SkipsUntilItEndsThenOneRequestProbes()
    {
        var health = new DeploymentHealth(3, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30));

        health.CoolDownUntil(Now + Minute).ShouldBeTrue();

        health.UnavailableUntil(Now, out bool retryAfter).ShouldBe(Now + Minute);
        retryAfter.ShouldBeFalse();
        health.UnavailableUntil(Now + Minute + 1, out _).ShouldBe(0, "over: a request may go, as the probe");
        health.Begin(Now + Minute + 1).ShouldBeTrue("the first request after it probes");
        health.UnavailableUntil(Now + Minute + 1, out _).ShouldBe(long.MaxValue, "one probe at a time");
        health.Succeeded(probe: true);
        health.UnavailableUntil(Now + Minute + 2, out _).ShouldBe(0);
        health.Begin(Now + Minute + 2).ShouldBeFalse("a successful probe ended the cooldown");
    }

    [Fact]
    public void CoolDownUntil_ShorterThanTheRunningOne_LeavesItAsItIs()
    {
        var health = new DeploymentHealth(1, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10));
        health.Failed(probe: false, Now, countsAgainst: true, retryAfter: null).ShouldBeTrue();

        health.CoolDownUntil(Now + Minute).ShouldBeFalse();

        health.CooldownUntil.ShouldBe(Now + (10 * Minute));
        health.UnavailableUntil(Now + (2 * Minute), out _).ShouldBe(Now + (10 * Minute));
    }

    [Fact]
    public void CoolDownUntil_LongerThanTheRunningOne_ExtendsIt()
    {
        var health = new DeploymentHealth(1, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        health.Failed(probe: false, Now, countsAgainst: true, retryAfter: null).ShouldBeTrue();

        health.CoolDownUntil(Now + (5 * Minute)).ShouldBeTrue();

        health.UnavailableUntil(Now + (2 * Minute), out _).ShouldBe(Now + (5 * Minute));
    }
}
