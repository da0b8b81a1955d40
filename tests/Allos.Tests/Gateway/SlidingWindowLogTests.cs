using Allos.Gateway;

namespace Allos.Tests.Gateway;

public sealed class SlidingWindowLogTests
{
    [Fact]
    public void Expire_EntriesAFullWindowOld_AreDroppedWithTheirTokens()
    {
        var log = new SlidingWindowLog(window: 100);
        log.Add(0, 10);
        log.Add(50, 20);

        log.Expire(99);
        (log.Count, log.Tokens).ShouldBe((2, 30L));

        log.Expire(100);
        (log.Count, log.Tokens).ShouldBe((1, 20L));

        log.Expire(150);
        (log.Count, log.Tokens).ShouldBe((0, 0L));
    }

    [Fact]
    public void TrySetTokens_AfterWrapAroundAndGrowth_FindsTheRightEntry()
    {
        var log = new SlidingWindowLog(window: 10, initialCapacity: 4);
        long[] sequences = new long[20];
        for (int i = 0; i < 20; i++)
        {
            // Expiring as we go moves the head, so later adds wrap around the buffer before it has to grow.
            log.Expire(i);
            sequences[i] = log.Add(i, i);
        }

        log.Expire(19);
        log.Count.ShouldBe(10);
        log.TrySetTokens(sequences[15], 1000, out long previous).ShouldBeTrue();

        previous.ShouldBe(15);
        log.Tokens.ShouldBe(Enumerable.Range(10, 10).Sum() - 15 + 1000);
        log.TrySetTokens(sequences[9], 0, out _).ShouldBeFalse();
        Should.Throw<ArgumentOutOfRangeException>(() => log.TrySetTokens(sequences[19] + 1, 0, out _));
    }

    [Fact]
    public void Add_MoreEntriesThanCapacity_KeepsOrderAcrossGrowth()
    {
        var log = new SlidingWindowLog(window: 1000, initialCapacity: 2);
        log.Add(0, 1);
        log.Add(1, 2);
        log.Expire(1000);
        log.Add(2, 3);
        log.Add(3, 4);
        log.Add(4, 5);

        // Head entries leave in admission order: 1 and 2 have expired (1 at 1000, 2 at 1001), then 3 at 1002.
        log.Expire(1001);
        log.Tokens.ShouldBe(12);
        log.Expire(1002);
        log.Tokens.ShouldBe(9);
    }

    [Fact]
    public void EarliestTimeWithin_NeedsOldestEntriesToLeave_ReturnsWhenTheLastNeededOneDoes()
    {
        var log = new SlidingWindowLog(window: 100);
        log.Add(0, 300);
        log.Add(10, 300);
        log.Add(20, 300);

        log.EarliestTimeWithin(int.MaxValue, 1000).ShouldBe(long.MinValue);
        log.EarliestTimeWithin(2, long.MaxValue).ShouldBe(100);
        log.EarliestTimeWithin(int.MaxValue, 300).ShouldBe(110);
        log.EarliestTimeWithin(0, 0).ShouldBe(120);
    }
}
