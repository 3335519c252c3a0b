using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moderation.Runner.Storage;

namespace Moderation.Runner;

/// <summary>
/// The runner's loop. On start it resumes every running case (replaying it, which also fires deadlines that passed
/// while nothing ran); then it advances cases as soon as this process signals them, polls the store for work other
/// processes wrote and for due timers, and keeps an in-process alarm for the deadlines it knows. One case is advanced
/// by one worker at a time; at most <see cref="ModerationRunnerOptions.MaxConcurrentCases"/> at once. On stop, running
/// steps are cancelled: what was not committed is replayed later.
/// </summary>
internal sealed partial class ModerationRunnerService(
    ModerationCaseExecutor executor,
    ICaseStore store,
    CaseWorkSignal signal,
    IOptions<ModerationRunnerOptions> options,
    TimeProvider time,
    ILogger<ModerationRunnerService> logger) : BackgroundService
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, bool> inFlight = new(StringComparer.Ordinal); // value: signalled again while running
    private readonly ConcurrentDictionary<string, DateTime> alarms = new(StringComparer.Ordinal);
    private readonly List<Task> workers = [];
    private SemaphoreSlim? slots;

    /// <summary>
    /// Storage that is briefly unreachable at start-up must not stop the host (and with it the queue listener and the
    /// HTTP API): the runner keeps trying, with backoff, until it can read its tables.
    /// </summary>
    private async Task<IReadOnlyList<string>> StartUpAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                await store.EnsureCreatedAsync(stoppingToken);
                return await store.FindRunningCasesAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogStartUpRetry(ex, delay);
                await Task.Delay(delay, time, stoppingToken);
                delay = delay < TimeSpan.FromSeconds(30) ? delay * 2 : TimeSpan.FromSeconds(30);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        slots = new SemaphoreSlim(settings.MaxConcurrentCases);
        var resumed = await StartUpAsync(stoppingToken);
        LogResuming(resumed.Count, executor.InstanceId);
        foreach (var caseId in resumed)
        {
            Schedule(caseId, stoppingToken);
        }

        var nextPoll = time.GetUtcNow().UtcDateTime + settings.PollInterval;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var now = time.GetUtcNow().UtcDateTime;
                foreach (var (caseId, due) in alarms)
                {
                    if (due <= now && alarms.TryRemove(new KeyValuePair<string, DateTime>(caseId, due)))
                    {
                        Schedule(caseId, stoppingToken);
                    }
                }

                if (now >= nextPoll)
                {
                    await PollAsync(now, stoppingToken);
                    nextPoll = now + settings.PollInterval;
                }

                var wakeAt = alarms.Values.Append(nextPoll).Min();
                var wait = wakeAt - time.GetUtcNow().UtcDateTime;
                if (wait > TimeSpan.Zero)
                {
                    using var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    wake.CancelAfter(wait);
                    try
                    {
                        await signal.Reader.WaitToReadAsync(wake.Token);
                    }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                    {
                        // Woken by the clock: poll or fire an alarm.
                    }
                }

                while (signal.Reader.TryRead(out var caseId))
                {
                    if (caseId.Length > 0)
                    {
                        Schedule(caseId, stoppingToken);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }

        Task[] running;
        lock (gate)
        {
            running = [.. workers];
        }

        await Task.WhenAll(running);
    }

    public override void Dispose()
    {
        slots?.Dispose();
        base.Dispose();
    }

    private async Task PollAsync(DateTime now, CancellationToken stoppingToken)
    {
        try
        {
            foreach (var caseId in await store.FindCasesNeedingWorkAsync(now, stoppingToken))
            {
                Schedule(caseId, stoppingToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogPollFailed(ex.Message);
        }
    }

    private void Schedule(string caseId, CancellationToken stoppingToken)
    {
        lock (gate)
        {
            if (inFlight.ContainsKey(caseId))
            {
                inFlight[caseId] = true;
                return;
            }

            inFlight[caseId] = false;
            workers.RemoveAll(t => t.IsCompleted);
            workers.Add(Task.Run(() => RunCaseAsync(caseId, stoppingToken), CancellationToken.None));
        }
    }

    private async Task RunCaseAsync(string caseId, CancellationToken stoppingToken)
    {
        try
        {
            await slots!.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            Forget(caseId);
            return;
        }

        try
        {
            bool again;
            do
            {
                lock (gate)
                {
                    inFlight[caseId] = false;
                }

                await AdvanceOnceAsync(caseId, stoppingToken);
                lock (gate)
                {
                    again = inFlight[caseId] && !stoppingToken.IsCancellationRequested;
                }
            }
            while (again);
        }
        finally
        {
            Forget(caseId);
            slots.Release();
        }
    }

    private async Task AdvanceOnceAsync(string caseId, CancellationToken stoppingToken)
    {
        try
        {
            var advance = await executor.AdvanceAsync(caseId, stoppingToken);
            if (advance is { Status: CaseAdvanceStatus.Waiting, NextTimerDueAt: { } due })
            {
                alarms[caseId] = due;
                signal.Notify(string.Empty); // re-evaluate the wake-up time
            }
            else
            {
                alarms.TryRemove(caseId, out _);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            LogStepInterrupted(caseId);
        }
        catch (Exception ex)
        {
            // Storage outage or a bug: the case stays as committed and is retried by the poller.
            LogAdvanceFailed(ex, caseId);
        }
    }

    private void Forget(string caseId)
    {
        lock (gate)
        {
            inFlight.Remove(caseId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Moderation runner {InstanceId} started; resuming {Count} running case(s).")]
    private partial void LogResuming(int count, string instanceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The runner cannot reach its tables yet; retrying in {Delay}.")]
    private partial void LogStartUpRetry(Exception exception, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polling for case work failed: {Error}")]
    private partial void LogPollFailed(string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Case {CaseId}: step interrupted by shutdown; it is replayed when a runner starts.")]
    private partial void LogStepInterrupted(string caseId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Case {CaseId} could not be advanced; it is retried on the next poll.")]
    private partial void LogAdvanceFailed(Exception exception, string caseId);
}
