using Moderation.Core.Delivery;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Screening;
using Moderation.Core.Workflow;

namespace Moderation.Storage.Tests;

/// <summary>The reviewers' queue index on real table storage: order, filters, paging, and moves that survive retries.</summary>
public class ReviewQueueTests
{
    private static readonly DateTime RequestedAt = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    [StorageFact]
    public async Task Waiting_cases_list_oldest_deadline_first_across_pages_and_filter_by_category()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var queue = account.ReviewQueue();
        // Filed out of deadline order, with ids that sort differently from the deadlines.
        int[] minutes = [30, 5, 50, 15, 40];
        for (var i = 0; i < minutes.Length; i++)
        {
            var category = i % 2 == 0 ? PolicyCategory.Harassment : PolicyCategory.Spam;
            await queue.AddWaitingAsync(Request($"case/{i}#?", RequestedAt.AddMinutes(minutes[i]), category), CancellationToken.None);
        }

        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await queue.ListAsync(new ReviewQueueQuery(CaseStage.AwaitingReview, PageSize: 2, ContinuationToken: token), CancellationToken.None);
            Assert.True(page.Items.Count <= 2);
            seen.AddRange(page.Items.Select(e => e.CaseId));
            token = page.ContinuationToken;
        }
        while (token is not null);

        Assert.Equal(["case/1#?", "case/3#?", "case/0#?", "case/4#?", "case/2#?"], seen);
        var spam = await queue.ListAsync(new ReviewQueueQuery(CaseStage.AwaitingReview, PolicyCategory.Spam), CancellationToken.None);
        Assert.Equal(["case/1#?", "case/3#?"], spam.Items.Select(e => e.CaseId));
    }

    [StorageFact]
    public async Task An_entry_keeps_the_message_rule_spans_and_verdict_a_reviewer_needs()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var queue = account.ReviewQueue();
        var request = Request("case-evidence", RequestedAt, PolicyCategory.OffPlatformContact);

        await queue.AddWaitingAsync(request, CancellationToken.None);

        var entry = Assert.Single((await queue.ListAsync(new ReviewQueueQuery(CaseStage.AwaitingReview), CancellationToken.None)).Items);
        Assert.Equal(request.Message, entry.Message with { Metadata = request.Message.Metadata });
        var hit = Assert.Single(entry.Prefilter.RuleHits);
        Assert.Equal((5, 7), (hit.Start, hit.Length));
        Assert.Equal(request.Verdict!.Rationale, entry.Verdict!.Rationale);
        Assert.Equal(request.Deadline, entry.Deadline);
        Assert.Null(entry.Outcome);
    }

    [StorageFact]
    public async Task Finishing_moves_a_case_to_its_disposition_once_even_when_retried_and_ignores_cases_that_never_waited()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var queue = account.ReviewQueue();
        await queue.AddWaitingAsync(Request("case-a", RequestedAt, PolicyCategory.Harassment), CancellationToken.None);
        await queue.AddWaitingAsync(Request("case-a", RequestedAt, PolicyCategory.Harassment), CancellationToken.None);
        await queue.AddWaitingAsync(Request("case-b", RequestedAt.AddMinutes(1), PolicyCategory.Spam), CancellationToken.None);
        var blocked = new ModerationOutcome("case-a", Disposition.Blocked, DecidedBy.Reviewer, PolicyCategory.Harassment, ["reviewer"], RequestedAt.AddMinutes(3));

        await queue.FinishAsync(blocked, CancellationToken.None);
        await queue.FinishAsync(blocked, CancellationToken.None);
        await queue.FinishAsync(blocked with { CaseId = "never-waited" }, CancellationToken.None);

        var waiting = await queue.ListAsync(new ReviewQueueQuery(CaseStage.AwaitingReview), CancellationToken.None);
        Assert.Equal(["case-b"], waiting.Items.Select(e => e.CaseId));
        var blockedCases = await queue.ListAsync(new ReviewQueueQuery(CaseStage.Completed, Disposition: Disposition.Blocked), CancellationToken.None);
        Assert.Equal(Disposition.Blocked, Assert.Single(blockedCases.Items).Outcome!.Disposition);
        Assert.Empty((await queue.ListAsync(new ReviewQueueQuery(CaseStage.Completed, Disposition: Disposition.Released), CancellationToken.None)).Items);
        Assert.Single((await queue.ListAsync(new ReviewQueueQuery(CaseStage.Completed, PolicyCategory.Harassment, Disposition.Blocked), CancellationToken.None)).Items);
        var depth = await queue.GetDepthAsync(CancellationToken.None);
        Assert.Equal(1, depth.Waiting);
        Assert.Equal(RequestedAt.AddMinutes(1), depth.OldestRequestedAt);
    }

    [StorageFact]
    public async Task Purging_removes_cases_finished_before_the_cutoff_from_every_listing_and_keeps_newer_and_waiting_ones()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var queue = account.ReviewQueue();
        foreach (var (id, category) in new[] { ("old-released", PolicyCategory.Spam), ("old-blocked", PolicyCategory.Harassment), ("new-blocked", PolicyCategory.Harassment), ("waiting", PolicyCategory.Spam) })
        {
            await queue.AddWaitingAsync(Request(id, RequestedAt, category), CancellationToken.None);
        }

        var cutoff = RequestedAt.AddDays(30);
        await queue.FinishAsync(new ModerationOutcome("old-released", Disposition.Released, DecidedBy.Timeout, PolicyCategory.Spam, ["deadline"], cutoff.AddTicks(-1)), CancellationToken.None);
        await queue.FinishAsync(new ModerationOutcome("old-blocked", Disposition.Blocked, DecidedBy.Reviewer, PolicyCategory.Harassment, ["reviewer"], RequestedAt.AddMinutes(5)), CancellationToken.None);
        await queue.FinishAsync(new ModerationOutcome("new-blocked", Disposition.Blocked, DecidedBy.Reviewer, PolicyCategory.Harassment, ["reviewer"], cutoff), CancellationToken.None);

        Assert.Equal(2, await queue.PurgeFinishedBeforeAsync(cutoff, CancellationToken.None));

        // Gone from the all/disposition/category/both partitions alike; the case decided at the cutoff stays.
        foreach (var query in new[]
        {
            new ReviewQueueQuery(CaseStage.Completed),
            new ReviewQueueQuery(CaseStage.Completed, Disposition: Disposition.Blocked),
            new ReviewQueueQuery(CaseStage.Completed, PolicyCategory.Harassment),
            new ReviewQueueQuery(CaseStage.Completed, PolicyCategory.Harassment, Disposition.Blocked),
        })
        {
            Assert.Equal(["new-blocked"], (await queue.ListAsync(query, CancellationToken.None)).Items.Select(e => e.CaseId));
        }

        Assert.Empty((await queue.ListAsync(new ReviewQueueQuery(CaseStage.Completed, Disposition: Disposition.Released), CancellationToken.None)).Items);
        Assert.Empty((await queue.ListAsync(new ReviewQueueQuery(CaseStage.Completed, PolicyCategory.Spam), CancellationToken.None)).Items);
        Assert.Equal(["waiting"], (await queue.ListAsync(new ReviewQueueQuery(CaseStage.AwaitingReview), CancellationToken.None)).Items.Select(e => e.CaseId));
        // Nothing of a purged case is left in the table, its lookup row included.
        var left = new List<string>();
        await foreach (var row in account.Connection.CreateTableClient(account.Options.Tables.ReviewQueue).QueryAsync<Azure.Data.Tables.TableEntity>())
        {
            left.Add(row.RowKey);
        }

        Assert.DoesNotContain(left, k => k.Contains("old-", StringComparison.Ordinal));
        Assert.Equal(0, await queue.PurgeFinishedBeforeAsync(cutoff, CancellationToken.None));
    }

    [StorageFact]
    public async Task A_malformed_continuation_token_is_refused_with_a_clear_error()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var queue = account.ReviewQueue();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => queue.ListAsync(new ReviewQueueQuery(CaseStage.AwaitingReview, ContinuationToken: "not base64url!"), CancellationToken.None));
        Assert.Contains("continuation token", error.Message, StringComparison.Ordinal);
    }

    private static ReviewRequest Request(string caseId, DateTime requestedAt, PolicyCategory category)
    {
        var message = Samples.Message("Call 555 1234567 tonight", caseId);
        var score = new PrefilterScore(0.7, 0.5, "test-model", [new RuleHit("contact.phone", "Phone number", "555 123", 5, 7)]);
        var verdict = Samples.Verdict(category, 0.55) with { Rationale = "Asks to move the chat to a phone call." };
        return new ReviewRequest(caseId, message, score, verdict, "LLM not confident", requestedAt, requestedAt.AddHours(1));
    }
}
