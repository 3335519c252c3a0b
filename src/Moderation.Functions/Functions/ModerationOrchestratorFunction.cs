using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Moderation.Core.Delivery;
using Moderation.Core.Workflow;
using Moderation.Workflow;

namespace Moderation.Functions.Functions;

/// <summary>The moderation workflow as a Durable Functions orchestrator: the shared <see cref="ModerationOrchestrator"/>, unchanged.</summary>
public static class ModerationOrchestratorFunction
{
    [Function(ModerationWorkflow.Name)]
    public static Task<ModerationOutcome> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = context.GetInput<ModerationCase>()
            ?? throw new InvalidOperationException($"Orchestration {context.InstanceId} was started without a {nameof(ModerationCase)}.");
        return new ModerationOrchestrator().RunAsync(context, input);
    }
}
