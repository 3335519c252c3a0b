using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Moderation.Core.Activities;
using Moderation.Core.Audit;
using Moderation.Core.Cases;
using Moderation.Core.Classification;
using Moderation.Core.Delivery;
using Moderation.Core.Review;
using Moderation.Core.Workflow;

namespace Moderation.Workflow.Tests;

/// <summary>
/// The workflow on the real Durable Task replay engine, in-process (<see cref="DurableTaskTestHost"/>): the same
/// orchestrator and activities both hosts register, over hand-written fakes of our own ports.
/// </summary>
internal sealed class WorkflowHost : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>The production retry counts with sub-second intervals, so a storage outage plays out within a test.</summary>
    public static readonly WorkflowRetries FastRetries = new(
        WorkflowRetries.Default.Storage with { FirstRetryInterval = TimeSpan.FromMilliseconds(50), MaxRetryInterval = TimeSpan.FromMilliseconds(200) },
        WorkflowRetries.Default.Delivery with { FirstRetryInterval = TimeSpan.FromMilliseconds(50), MaxRetryInterval = TimeSpan.FromMilliseconds(200) });

    private readonly DurableTaskTestHost host;

    private WorkflowHost(DurableTaskTestHost host, ScriptedClassifier classifier, RecordingReviewNotifier reviews, RecordingDeliveryGateway delivery, RecordingAuditLog audit)
    {
        this.host = host;
        Classifier = classifier;
        Reviews = reviews;
        Delivery = delivery;
        Audit = audit;
        Cases = new DurableTaskCaseClient(host.Client);
    }

    public ScriptedClassifier Classifier { get; }

    public RecordingReviewNotifier Reviews { get; }

    public RecordingDeliveryGateway Delivery { get; }

    public RecordingAuditLog Audit { get; }

    /// <summary>The production case client over the engine's client.</summary>
    public DurableTaskCaseClient Cases { get; }

    public DurableTaskClient Client => host.Client;

    public static Task<WorkflowHost> StartAsync(LlmClassification answer) => StartAsync(_ => answer);

    public static async Task<WorkflowHost> StartAsync(Func<int, LlmClassification> answer)
    {
        var classifier = new ScriptedClassifier(answer);
        var reviews = new RecordingReviewNotifier();
        var delivery = new RecordingDeliveryGateway();
        var audit = new RecordingAuditLog();
        var options = new DurableTaskTestHostOptions
        {
            ConfigureServices = services =>
            {
                services.AddSingleton<ILlmClassifier>(classifier);
                services.AddSingleton<IReviewNotifier>(reviews);
                services.AddSingleton<IDeliveryGateway>(delivery);
                services.AddSingleton<IAuditLog>(audit);
                services.AddSingleton(TimeProvider.System);
                services.AddSingleton<ModerationActivities>();
            },
        };

        // Left to itself the test host takes a random port in 30000-40000 without checking it, inside Linux's
        // ephemeral range, where other tests' connections live. A port the OS reports free is far likelier to be;
        // a start that still loses the race for it takes another.
        for (var attempt = 1; ; attempt++)
        {
            options.Port = LoopbackPort.Free();
            try
            {
                var host = await DurableTaskTestHost.StartAsync(tasks => tasks.AddModerationWorkflow(FastRetries), options);
                return new WorkflowHost(host, classifier, reviews, delivery, audit);
            }
            catch (IOException) when (attempt < 3)
            {
            }
        }
    }


    public async Task<string> StartAsync(ModerationCase moderationCase)
    {
        Assert.True(await Cases.StartCaseAsync(moderationCase, CancellationToken.None), $"case {moderationCase.CaseId} did not start");
        return moderationCase.CaseId;
    }

    public async Task<ModerationOutcome> RunToCompletionAsync(ModerationCase moderationCase)
    {
        await StartAsync(moderationCase);
        return await CompletionAsync(moderationCase.CaseId);
    }

    /// <summary>Waits for the case to finish and returns its outcome; fails the test if it failed or took too long.</summary>
    public async Task<ModerationOutcome> CompletionAsync(string caseId)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var metadata = await Client.WaitForInstanceCompletionAsync(caseId, getInputsAndOutputs: true, timeout.Token);
        Assert.True(metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"case {caseId} ended {metadata.RuntimeStatus}: {metadata.FailureDetails?.ErrorMessage}");
        return metadata.ReadOutputAs<ModerationOutcome>()!;
    }

    /// <summary>Waits until the case waits for a reviewer (its custom status says so).</summary>
    public async Task<CaseProgress> AwaitingReviewAsync(string caseId)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (await Cases.GetCaseAsync(caseId, CancellationToken.None) is { Progress.Stage: CaseStage.AwaitingReview } snapshot)
            {
                return snapshot.Progress!;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"case {caseId} never waited for review");
        return null!;
    }

    public Task RaiseAsync(string caseId, object? payload, string eventName = ModerationWorkflow.ReviewDecisionEvent) =>
        Client.RaiseEventAsync(caseId, eventName, payload);

    public ValueTask DisposeAsync() => host.DisposeAsync();
}
