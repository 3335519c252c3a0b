using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Moderation.Core.Delivery;
using Moderation.Core.Workflow;
using Moderation.Functions.Durable;

namespace Moderation.Functions.Functions;

/// <summary>The moderation workflow as a Durable Functions orchestrator: the shared workflow on the Durable adapter.</summary>
public static class ModerationOrchestrator
{
    [Function(ModerationWorkflow.Name)]
    public static Task<ModerationOutcome> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = context.GetInput<ModerationCase>()
            ?? throw new InvalidOperationException($"Orchestration {context.InstanceId} was started without a {nameof(ModerationCase)}.");
        return ModerationWorkflow.RunAsync(new DurableOrchestrationContext(context), input);
    }
}
