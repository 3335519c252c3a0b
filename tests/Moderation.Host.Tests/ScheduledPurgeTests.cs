using Microsoft.Extensions.Time.Testing;

namespace Moderation.Host.Tests;

/// <summary>When a scheduled purge first runs: not before what it reads exists (the task hub's tables, for finished cases).</summary>
public class ScheduledPurgeTests
{
    [Fact]
    public async Task The_first_run_waits_until_the_purge_is_ready_then_runs_at_once()
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var purge = new CountingPurge(ready.Task);

        await purge.StartAsync(CancellationToken.None);

        await purge.AskedWhetherReady.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, purge.Runs);
        Assert.Equal(0, purge.Failures);

        ready.SetResult();
        await purge.FirstRun.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, purge.Runs);
        await purge.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_host_stopping_before_the_purge_is_ready_stops_without_a_run_or_a_failure()
    {
        using var purge = new CountingPurge(new TaskCompletionSource().Task);
        await purge.StartAsync(CancellationToken.None);
        await purge.AskedWhetherReady.WaitAsync(TimeSpan.FromSeconds(10));

        await purge.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal((0, 0), (purge.Runs, purge.Failures));
        Assert.True(purge.ExecuteTask!.IsCompletedSuccessfully);
    }

    private sealed class CountingPurge(Task ready) : ScheduledPurge(TimeSpan.FromHours(1), new FakeTimeProvider())
    {
        private readonly TaskCompletionSource firstRun = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource askedWhetherReady = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Runs { get; private set; }

        public int Failures { get; private set; }

        public Task FirstRun => firstRun.Task;

        public Task AskedWhetherReady => askedWhetherReady.Task;

        protected override Task RunOnceAsync(CancellationToken cancellationToken)
        {
            Runs++;
            firstRun.TrySetResult();
            return Task.CompletedTask;
        }

        protected override void OnFailed(Exception error) => Failures++;

        protected override Task WhenReadyAsync(CancellationToken stoppingToken)
        {
            askedWhetherReady.TrySetResult();
            return ready.WaitAsync(stoppingToken);
        }
    }
}
