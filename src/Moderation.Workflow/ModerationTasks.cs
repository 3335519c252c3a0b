using Microsoft.DurableTask;
using Moderation.Core.Activities;
using Moderation.Core.Workflow;

namespace Moderation.Workflow;

/// <summary>The workflow's orchestrator and activities by name: what every host registers with its Durable Task worker.</summary>
public static class ModerationTasks
{
    /// <summary>Each activity name and the Durable Task activity that runs it.</summary>
    public static IReadOnlyList<(string Name, Type Type)> Activities { get; } =
    [
        (ModerationActivities.Classify, typeof(ClassifyMessageActivity)),
        (ModerationActivities.ClassifyInConversation, typeof(ClassifyInConversationActivity)),
        (ModerationActivities.RequestReview, typeof(RequestReviewActivity)),
        (ModerationActivities.Deliver, typeof(DeliverOutcomeActivity)),
        (ModerationActivities.RecordAudit, typeof(RecordAuditActivity)),
    ];

    /// <summary>Registers <see cref="ModerationOrchestrator"/> as <see cref="ModerationWorkflow.Name"/> and the activities by their names; activities are built from the worker's services.</summary>
    /// <param name="retries">The storage and delivery retries; <see cref="WorkflowRetries.Default"/> when null.</param>
    public static DurableTaskRegistry AddModerationWorkflow(this DurableTaskRegistry registry, WorkflowRetries? retries = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var fixedRetries = retries ?? WorkflowRetries.Default;
        registry.AddOrchestrator(ModerationWorkflow.Name, () => new ModerationOrchestrator(fixedRetries));
        foreach (var (name, type) in Activities)
        {
            registry.AddActivity(name, type);
        }

        return registry;
    }
}
