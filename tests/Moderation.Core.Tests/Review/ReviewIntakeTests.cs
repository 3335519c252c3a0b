using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Moderation.Core.Cases;
using Moderation.Core.Delivery;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Workflow;

namespace Moderation.Core.Tests.Review;

/// <summary>The review callback's decisions: each result maps to one HTTP status in both hosts.</summary>
public class ReviewIntakeTests
{
    private readonly ReviewCaseClient cases = new();
    private readonly InMemoryDecisionClaims claims = new();
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(Samples.Start.AddMinutes(5)));
    private readonly ReviewIntake intake;

    public ReviewIntakeTests()
    {
        intake = new(cases, claims, clock, NullLogger<ReviewIntake>.Instance);
    }

    [Fact]
    public async Task A_valid_decision_for_a_waiting_case_is_raised_as_the_workflows_event()
    {
        Waiting("case-1");

        var result = await intake.SubmitAsync("case-1", Samples.Block(PolicyCategory.Spam), CancellationToken.None);

        Assert.Equal(ReviewSubmissionStatus.Accepted, result.Status);
        var raised = Assert.Single(cases.Raised);
        Assert.Equal("case-1", raised.CaseId);
        Assert.Equal(PolicyCategory.Spam, raised.Decision.Category);
    }

    [Fact]
    public async Task A_decision_that_arrives_while_the_case_is_still_classifying_is_accepted_and_buffered_by_the_runtime()
    {
        cases.Cases["case-early"] = Snapshot("case-early", CaseRuntimeState.Running, CaseStage.Classifying);

        var result = await intake.SubmitAsync("case-early", Samples.Release(), CancellationToken.None);

        Assert.Equal(ReviewSubmissionStatus.Accepted, result.Status);
        Assert.Single(cases.Raised);
    }

    [Fact]
    public async Task Unknown_case_is_reported_and_nothing_is_raised()
    {
        var result = await intake.SubmitAsync("nope", Samples.Release(), CancellationToken.None);

        Assert.Equal(ReviewSubmissionStatus.UnknownCase, result.Status);
        Assert.Empty(cases.Raised);
    }

    [Theory]
    [InlineData(CaseRuntimeState.Completed, CaseStage.Completed)]
    [InlineData(CaseRuntimeState.Running, CaseStage.Delivering)]
    [InlineData(CaseRuntimeState.Failed, CaseStage.AwaitingReview)]
    [InlineData(CaseRuntimeState.Terminated, CaseStage.AwaitingReview)]
    public async Task A_decision_for_a_decided_case_is_refused_and_reported(CaseRuntimeState state, CaseStage stage)
    {
        cases.Cases["done"] = Snapshot("done", state, stage);

        var result = await intake.SubmitAsync("done", Samples.Release(), CancellationToken.None);

        Assert.Equal(ReviewSubmissionStatus.AlreadyDecided, result.Status);
        Assert.Empty(cases.Raised);
        Assert.Contains("already decided", result.Problems[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_body_is_invalid()
    {
        Waiting("case-1");

        var result = await intake.SubmitAsync("case-1", null, CancellationToken.None);

        Assert.Equal(ReviewSubmissionStatus.Invalid, result.Status);
        Assert.Empty(cases.Raised);
    }

    public static TheoryData<ReviewDecision, string> InvalidDecisions => new()
    {
        { Samples.Release() with { ReviewerId = " " }, "reviewerId is required." },
        { Samples.Release() with { ReviewerId = new string('r', 201) }, "reviewerId is longer than 200 characters." },
        { Samples.Block(PolicyCategory.Clean), "a block decision needs the violated category (not 'clean')." },
        { Samples.Release() with { Action = (ReviewAction)7 }, "action must be 'release' or 'block'." },
        { Samples.Release() with { Category = (PolicyCategory)99 }, "category is not part of the policy taxonomy." },
        { Samples.Release() with { Notes = new string('n', ReviewDecision.MaxNotesLength + 1) }, $"notes is longer than {ReviewDecision.MaxNotesLength} characters." },
    };

    [Theory]
    [MemberData(nameof(InvalidDecisions))]
    public async Task Malformed_decisions_are_refused_with_the_reason(ReviewDecision decision, string problem)
    {
        Waiting("case-1");

        var result = await intake.SubmitAsync("case-1", decision, CancellationToken.None);

        Assert.Equal(ReviewSubmissionStatus.Invalid, result.Status);
        Assert.Contains(problem, result.Problems);
        Assert.Empty(cases.Raised);
    }

    [Fact]
    public async Task Blank_case_id_is_invalid()
    {
        var result = await intake.SubmitAsync(" ", Samples.Release(), CancellationToken.None);

        Assert.Equal(ReviewSubmissionStatus.Invalid, result.Status);
    }

    [Fact]
    public async Task The_first_decision_wins_and_a_second_one_is_refused_as_already_decided_and_never_raised()
    {
        Waiting("case-1");

        var first = await intake.SubmitAsync("case-1", Samples.Release("rev-1"), CancellationToken.None);
        var second = await intake.SubmitAsync("case-1", Samples.Block(PolicyCategory.Spam, "rev-2"), CancellationToken.None);

        Assert.Equal(ReviewSubmissionStatus.Accepted, first.Status);
        Assert.Equal(ReviewSubmissionStatus.AlreadyDecided, second.Status);
        Assert.Equal("rev-1", Assert.Single(cases.Raised).Decision.ReviewerId);
    }

    [Fact]
    public async Task Concurrent_decisions_for_one_case_are_accepted_exactly_once()
    {
        Waiting("case-1");

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() =>
            intake.SubmitAsync("case-1", i % 2 == 0 ? Samples.Release($"rev-{i}") : Samples.Block(PolicyCategory.Spam, $"rev-{i}"), CancellationToken.None))));

        Assert.Single(results, r => r.Status == ReviewSubmissionStatus.Accepted);
        Assert.Equal(49, results.Count(r => r.Status == ReviewSubmissionStatus.AlreadyDecided));
        Assert.Single(cases.Raised);
    }

    [Fact]
    public async Task A_decision_whose_raise_failed_gives_the_case_back_so_a_retry_is_accepted()
    {
        Waiting("case-1");
        cases.FailRaisesWith = new InvalidOperationException("storage down");

        await Assert.ThrowsAsync<InvalidOperationException>(() => intake.SubmitAsync("case-1", Samples.Block(), CancellationToken.None));
        cases.FailRaisesWith = null;
        var retry = await intake.SubmitAsync("case-1", Samples.Block(), CancellationToken.None);

        Assert.Equal(ReviewSubmissionStatus.Accepted, retry.Status);
        Assert.Single(cases.Raised);
    }

    [Fact]
    public async Task A_claimed_decision_that_was_never_raised_is_raised_by_the_next_caller_after_the_lease_and_still_wins()
    {
        // The claiming caller stopped between the claim and the raise (a crash): its decision must not be lost.
        Waiting("case-1");
        var (won, _) = await claims.TryClaimAsync("case-1", Samples.Block(PolicyCategory.Spam, "rev-1"), clock.GetUtcNow(), CancellationToken.None);
        Assert.True(won);

        var early = await intake.SubmitAsync("case-1", Samples.Release("rev-2"), CancellationToken.None);
        Assert.Empty(cases.Raised);
        clock.Advance(ReviewIntake.RaiseLease);
        var late = await intake.SubmitAsync("case-1", Samples.Release("rev-2"), CancellationToken.None);

        Assert.Equal(ReviewSubmissionStatus.AlreadyDecided, early.Status);
        Assert.Equal(ReviewSubmissionStatus.AlreadyDecided, late.Status);
        var raised = Assert.Single(cases.Raised);
        Assert.Equal(("rev-1", ReviewAction.Block), (raised.Decision.ReviewerId, raised.Decision.Action));
    }

    [Fact]
    public async Task A_decision_after_the_review_deadline_is_refused_because_the_timeout_default_decides_the_case()
    {
        cases.Cases["late"] = Snapshot("late", CaseRuntimeState.Running, CaseStage.AwaitingReview) with
        {
            Progress = new CaseProgress(CaseStage.AwaitingReview, ReviewDeadline: clock.GetUtcNow().UtcDateTime.AddSeconds(-1)),
        };

        var result = await intake.SubmitAsync("late", Samples.Block(PolicyCategory.Spam), CancellationToken.None);

        Assert.Equal(ReviewSubmissionStatus.AlreadyDecided, result.Status);
        Assert.Contains("deadline", result.Problems[0], StringComparison.Ordinal);
        Assert.Empty(cases.Raised);
    }

    [Fact]
    public async Task A_decision_before_the_review_deadline_is_accepted()
    {
        cases.Cases["on-time"] = Snapshot("on-time", CaseRuntimeState.Running, CaseStage.AwaitingReview) with
        {
            Progress = new CaseProgress(CaseStage.AwaitingReview, ReviewDeadline: clock.GetUtcNow().UtcDateTime.AddMinutes(1)),
        };

        var result = await intake.SubmitAsync("on-time", Samples.Block(PolicyCategory.Spam), CancellationToken.None);

        Assert.Equal(ReviewSubmissionStatus.Accepted, result.Status);
        Assert.Single(cases.Raised);
    }

    private void Waiting(string caseId) => cases.Cases[caseId] = Snapshot(caseId, CaseRuntimeState.Running, CaseStage.AwaitingReview);

    private static CaseSnapshot Snapshot(string caseId, CaseRuntimeState state, CaseStage stage)
    {
        var outcome = stage is CaseStage.Completed or CaseStage.Delivering
            ? new ModerationOutcome(caseId, Disposition.Blocked, DecidedBy.Llm, PolicyCategory.Spam, ["llm"], Samples.Start)
            : null;
        return new CaseSnapshot(caseId, state, new CaseProgress(stage, Outcome: outcome), outcome, Samples.Start, Samples.Start);
    }
}
