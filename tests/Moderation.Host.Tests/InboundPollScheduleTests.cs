using Microsoft.Extensions.Time.Testing;

namespace Moderation.Host.Tests;

/// <summary>How the listener's loops poll an inbound queue that ran dry: spread over the wait, backing off together, woken by a backlog.</summary>
public class InboundPollScheduleTests
{
    private static readonly TimeSpan Minimum = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Maximum = TimeSpan.FromSeconds(2);

    [Fact]
    public void Loops_that_find_the_queue_empty_together_are_spread_over_the_wait_instead_of_waking_together()
    {
        var time = new FakeTimeProvider();
        var schedule = new InboundPollSchedule(Minimum, Maximum, loops: 4, batchSize: 32, time);
        schedule.Received(3);

        var waits = Enumerable.Range(0, 4).Select(_ => schedule.NextIdleWait().TotalMilliseconds).ToList();

        Assert.Equal([25, 50, 75, 100], waits);
    }

    [Fact]
    public void Idle_loops_poll_once_per_wait_between_them_so_empty_receives_do_not_multiply_with_loops()
    {
        var time = new FakeTimeProvider();
        var schedule = new InboundPollSchedule(Minimum, Maximum, loops: 4, batchSize: 32, time);
        schedule.Received(1);
        var wakeAt = Enumerable.Range(0, 4).Select(_ => time.GetUtcNow() + schedule.NextIdleWait()).ToList();

        // Each loop wakes at its slot, finds the queue still empty (within the minimum quiet time) and takes the next slot.
        var polls = new List<DateTimeOffset>();
        for (var round = 0; round < 3; round++)
        {
            for (var loop = 0; loop < 4; loop++)
            {
                time.SetUtcNow(wakeAt[loop]);
                polls.Add(wakeAt[loop]);
                wakeAt[loop] = time.GetUtcNow() + schedule.NextIdleWait();
            }
        }

        // The wait grows with the quiet time, but the polls never bunch up: each follows the previous one.
        var gaps = polls.Zip(polls.Skip(1), (a, b) => (b - a).TotalMilliseconds).ToList();
        Assert.All(gaps, g => Assert.True(g > 0, $"two loops polled at the same moment: {string.Join(", ", gaps)}"));
        Assert.Equal(12, polls.Distinct().Count());
    }

    [Fact]
    public void The_wait_grows_with_how_long_the_queue_has_been_quiet_up_to_the_maximum()
    {
        var time = new FakeTimeProvider();
        var schedule = new InboundPollSchedule(Minimum, Maximum, loops: 1, batchSize: 32, time);
        schedule.Received(1);

        Assert.Equal(Minimum, schedule.NextIdleWait());
        time.Advance(TimeSpan.FromMilliseconds(700));
        Assert.Equal(TimeSpan.FromMilliseconds(700), schedule.NextIdleWait());
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(Maximum, schedule.NextIdleWait());
    }

    [Fact]
    public void Messages_received_by_any_loop_bring_every_idle_wait_back_to_the_minimum()
    {
        var time = new FakeTimeProvider();
        var schedule = new InboundPollSchedule(Minimum, Maximum, loops: 2, batchSize: 32, time);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(TimeSpan.FromSeconds(1), schedule.NextIdleWait());
        Assert.Equal(TimeSpan.FromSeconds(2), schedule.NextIdleWait());

        // Slots taken while the queue was quiet lie ahead; a loop going idle after traffic resumed does not queue behind them.
        schedule.Received(1);
        Assert.Equal(TimeSpan.FromMilliseconds(50), schedule.NextIdleWait());
    }

    [Fact]
    public async Task A_full_batch_wakes_the_idle_loops_to_work_the_backlog_down()
    {
        var time = new FakeTimeProvider();
        var schedule = new InboundPollSchedule(Minimum, Maximum, loops: 2, batchSize: 32, time);
        time.Advance(TimeSpan.FromMinutes(1));
        var idle = schedule.WaitIdleAsync(CancellationToken.None);

        schedule.Received(31);
        await Task.Delay(50);
        Assert.False(idle.IsCompleted, "a partial batch is no backlog and must not wake idle loops");

        schedule.Received(32);
        await idle.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task An_idle_wait_ends_at_its_slot_or_at_shutdown()
    {
        var time = new FakeTimeProvider();
        var schedule = new InboundPollSchedule(Minimum, Maximum, loops: 1, batchSize: 32, time);
        schedule.Received(1);
        var idle = schedule.WaitIdleAsync(CancellationToken.None);
        Assert.False(idle.IsCompleted);
        time.Advance(Minimum);
        await idle.WaitAsync(TimeSpan.FromSeconds(10));

        using var stopping = new CancellationTokenSource();
        var stopped = schedule.WaitIdleAsync(stopping.Token);
        await stopping.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stopped.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
