namespace Moderation.Host;

/// <summary>
/// When the listener's receive loops poll the inbound queue once it runs dry. A loop that receives messages polls
/// again at once; loops that find the queue empty share one schedule instead of each backing off on its own:
/// <list type="bullet">
/// <item>their polls are spread evenly over the wait, so <c>n</c> idle loops poll once every wait / <c>n</c> between
/// them (loops that went idle together would otherwise all wake together and leave the queue unwatched in between);</item>
/// <item>the wait follows how long the queue has been quiet by any loop's account, from the minimum to the maximum
/// interval: a loop that happened to poll twice between two messages does not back off while its peers keep
/// receiving;</item>
/// <item>a full batch means a backlog: it wakes the idle loops, so all of them work it down.</item>
/// </list>
/// The rate of empty receives stays what one loop per interval would make: at most <c>n</c> per minimum interval
/// while messages flow, <c>n</c> per maximum interval once the queue has been quiet that long.
/// </summary>
public sealed class InboundPollSchedule
{
    private readonly TimeSpan minimum;
    private readonly TimeSpan maximum;
    private readonly int loops;
    private readonly int batchSize;
    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private DateTimeOffset lastMessagesAt;
    private DateTimeOffset lastIdlePollAt;
    private TaskCompletionSource backlog = NewSignal();

    public InboundPollSchedule(TimeSpan minimum, TimeSpan maximum, int loops, int batchSize, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(minimum, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maximum, minimum);
        ArgumentOutOfRangeException.ThrowIfLessThan(loops, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentNullException.ThrowIfNull(time);
        this.minimum = minimum;
        this.maximum = maximum;
        this.loops = loops;
        this.batchSize = batchSize;
        this.time = time;
        lastMessagesAt = lastIdlePollAt = time.GetUtcNow();
    }

    /// <summary>What one poll received: messages keep the schedule at its minimum wait; a full batch wakes idle loops.</summary>
    public void Received(int count)
    {
        if (count <= 0)
        {
            return;
        }

        TaskCompletionSource? wake = null;
        lock (gate)
        {
            lastMessagesAt = time.GetUtcNow();

            // Slots handed out while the queue was quiet may lie far ahead; new idle loops start from now.
            lastIdlePollAt = lastMessagesAt;
            if (count >= batchSize)
            {
                (wake, backlog) = (backlog, NewSignal());
            }
        }

        wake?.TrySetResult();
    }

    /// <summary>How long a loop that just found the queue empty waits before its next poll (and takes that slot).</summary>
    public TimeSpan NextIdleWait()
    {
        lock (gate)
        {
            var now = time.GetUtcNow();
            var quiet = now - lastMessagesAt;
            var wait = quiet < minimum ? minimum : quiet > maximum ? maximum : quiet;
            var spacing = wait / loops;
            var pollAt = Later(now + spacing, lastIdlePollAt + spacing);
            if (pollAt > now + wait)
            {
                pollAt = now + wait;
            }

            lastIdlePollAt = pollAt;
            return pollAt - now;
        }
    }

    /// <summary>Waits out <see cref="NextIdleWait"/>, or less when a full batch shows a backlog meanwhile.</summary>
    public async Task WaitIdleAsync(CancellationToken cancellationToken)
    {
        Task wake;
        lock (gate)
        {
            wake = backlog.Task;
        }

        var wait = NextIdleWait();
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(wait, time, timer.Token);
        await Task.WhenAny(delay, wake);
        await timer.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
