using Moderation.Core.Classification;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Tests.Fakes;

namespace Moderation.Core.Tests.Workflow;

/// <summary>
/// Durable runtimes re-run the orchestrator from its history after every event and after restarts. The workflow must
/// make the same calls in the same order every time, or replays would diverge and cases would be decided twice.
/// </summary>
public class WorkflowDeterminismTests
{
    public static TheoryData<string> Paths => ["llm-release", "llm-block", "review-release", "review-timeout", "llm-failure"];

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Replaying_the_full_history_yields_the_same_calls_and_outcome(string path)
    {
        var original = Build(path);
        var outcome = await original.RunAsync();

        var replay = new FakeOrchestrationContext(original.Case.CaseId, Samples.Start, original.Context.History);
        var replayedOutcome = await Core.Workflow.ModerationWorkflow.RunAsync(replay, original.Case);

        Assert.Equal(original.Context.Calls, replay.Calls);
        Assert.Equal(outcome.Disposition, replayedOutcome.Disposition);
        Assert.Equal(outcome.DecidedBy, replayedOutcome.DecidedBy);
        Assert.Equal(outcome.Reasons, replayedOutcome.Reasons);
        Assert.Equal(outcome.DecidedAt, replayedOutcome.DecidedAt);

        // Replay-safe logging: only the completion line, which runs after the last recorded step, is written again.
        Assert.Equal(original.Context.Logs.TakeLast(1), replay.Logs);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Resuming_from_any_point_of_the_history_continues_exactly_as_the_first_run(string path)
    {
        var original = Build(path);
        var outcome = await original.RunAsync();

        for (var prefix = 0; prefix <= original.Context.History.Count; prefix++)
        {
            // Replay the first steps from history, then run the rest live against the same fakes.
            var resumed = Build(path, original.Context.History.Take(prefix).ToList());
            var resumedOutcome = await resumed.RunAsync();

            Assert.Equal(original.Context.Calls, resumed.Context.Calls);
            Assert.Equal(outcome.Disposition, resumedOutcome.Disposition);
            Assert.Equal(outcome.DecidedBy, resumedOutcome.DecidedBy);
            Assert.Equal(outcome.DecidedAt, resumedOutcome.DecidedAt);
        }
    }

    [Fact]
    public async Task A_changed_policy_cannot_change_a_running_case_because_the_policy_is_part_of_the_case_input()
    {
        var original = Build("review-timeout");
        await original.RunAsync();

        // The same history replayed with the captured policy is fine; the live configuration is never consulted.
        var replay = new FakeOrchestrationContext(original.Case.CaseId, Samples.Start, original.Context.History);
        var outcome = await Core.Workflow.ModerationWorkflow.RunAsync(replay, original.Case);
        Assert.Equal(Delivery.DecidedBy.Timeout, outcome.DecidedBy);

        // A case started under a different policy diverges on replay, which the runtime reports instead of silently re-deciding.
        var stricter = original.Case with { Policy = ModerationPolicy.Default with { ReviewTimeout = TimeSpan.FromMinutes(1) } };
        var diverging = new FakeOrchestrationContext(original.Case.CaseId, Samples.Start, original.Context.History);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Core.Workflow.ModerationWorkflow.RunAsync(diverging, stricter));
        Assert.Contains("Non-deterministic", error.Message, StringComparison.Ordinal);
    }

    private static WorkflowScenario Build(string path, IReadOnlyList<HistoryEvent>? replayFrom = null)
    {
        Func<int, LlmClassification> classify = path switch
        {
            "llm-release" => _ => Samples.Classified(PolicyCategory.Clean, 0.99),
            "llm-block" => _ => Samples.Classified(PolicyCategory.Threat, 0.95),
            "review-release" or "review-timeout" => _ => Samples.Classified(PolicyCategory.OffPlatformContact, 0.4),
            "llm-failure" => _ => throw new LlmClassificationException("503"),
            _ => throw new ArgumentOutOfRangeException(nameof(path)),
        };

        var scenario = new WorkflowScenario(Samples.Case(score: Samples.Score(0.7)), classify, replayFrom);
        return path == "review-release" ? scenario.ReviewerAnswers(Samples.Release()) : scenario;
    }
}
