using System.Diagnostics;
using Microsoft.Extensions.Options;
using Moderation.Core.Classification;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Screening;
using Moderation.Core.Workflow;
using Moderation.Storage;
using Moderation.Storage.ReviewQueue;

namespace Moderation.Pipeline.Benchmarks;

/// <summary>
/// <c>review-queue [--waiting N (10000)]</c>: files N waiting cases in the review queue table (as the RequestReview
/// activity does), then times what the console asks for: the first page oldest deadline first, the same filtered by
/// category, every page of the whole queue, the depth count, and moving a case to the finished ones. Prints numbers only.
/// </summary>
internal static class ReviewQueueLatency
{
    private const int Samples = 40;

    public static async Task<int> RunAsync(string connectionString, string[] args)
    {
        var waiting = 10_000;
        if (args.Length == 2 && args[0] == "--waiting" && int.TryParse(args[1], out var n) && n > 0)
        {
            waiting = n;
        }
        else if (args.Length != 0)
        {
            Console.Error.WriteLine("usage: Moderation.Pipeline.Benchmarks review-queue [--waiting N (10000)]");
            return 2;
        }

        var options = new StorageOptions { Tables = new TableNameOptions { ReviewQueue = $"BenchReviewQueue{Guid.NewGuid():N}"[..30] } };
        var connection = StorageConnection.FromConnectionString(connectionString);
        var table = connection.CreateTableClient(options.Tables.ReviewQueue);
        await table.CreateIfNotExistsAsync();
        try
        {
            var queue = new TableReviewQueue(connection, Options.Create(options));
            Console.WriteLine($"Review queue benchmark: {waiting} waiting cases in table {options.Tables.ReviewQueue}; {Environment.ProcessorCount} cores.");
            var start = new DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);
            var fill = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, waiting), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
                await queue.AddWaitingAsync(Request(i, start), ct));
            fill.Stop();
            Console.WriteLine($"filed {waiting} cases in {fill.Elapsed.TotalSeconds:0.0} s ({waiting / fill.Elapsed.TotalSeconds:0} cases/s, 3 rows each)");

            var firstPage = await TimeAsync(() => queue.ListAsync(new ReviewQueueQuery(CaseStage.AwaitingReview), CancellationToken.None));
            var byCategory = await TimeAsync(() => queue.ListAsync(new ReviewQueueQuery(CaseStage.AwaitingReview, PolicyCategory.Threat), CancellationToken.None));
            var depth = await TimeAsync(() => queue.GetDepthAsync(CancellationToken.None));
            var counted = await queue.GetDepthAsync(CancellationToken.None);

            var walk = Stopwatch.StartNew();
            var pages = 0;
            var seen = 0;
            string? token = null;
            do
            {
                var page = await queue.ListAsync(new ReviewQueueQuery(CaseStage.AwaitingReview, PageSize: ReviewQueueQuery.MaxPageSize, ContinuationToken: token), CancellationToken.None);
                pages++;
                seen += page.Items.Count;
                token = page.ContinuationToken;
            }
            while (token is not null);
            walk.Stop();

            var finish = new List<double>();
            for (var i = 0; i < Samples; i++)
            {
                var watch = Stopwatch.StartNew();
                await queue.FinishAsync(new ModerationOutcome(CaseId(i), Disposition.Blocked, DecidedBy.Reviewer, PolicyCategory.Spam, ["benchmark"], start.AddHours(2)), CancellationToken.None);
                finish.Add(watch.Elapsed.TotalMilliseconds);
            }

            var rows = new List<(string Measure, string Value)>
            {
                ($"first page (50), oldest deadline first, {waiting} waiting", Format(firstPage)),
                ("first page (50), one category (1 in 9 cases)", Format(byCategory)),
                ($"depth and oldest age (counts {counted.Waiting} rows)", Format(depth)),
                ($"whole queue in pages of {ReviewQueueQuery.MaxPageSize} ({pages} pages, {seen} cases)", $"{walk.Elapsed.TotalMilliseconds,8:0} ms total, {walk.Elapsed.TotalMilliseconds / pages:0.0} ms/page"),
                ("move a case to the finished ones (delivery)", Format(finish)),
            };
            var width = rows.Max(r => r.Measure.Length);
            Console.WriteLine();
            Console.WriteLine($"| {"Measure".PadRight(width)} | p50 / p95 / max over {Samples} runs");
            Console.WriteLine($"|{new string('-', width + 2)}|{new string('-', 40)}");
            foreach (var (measure, value) in rows)
            {
                Console.WriteLine($"| {measure.PadRight(width)} | {value}");
            }

            return 0;
        }
        finally
        {
            await table.DeleteAsync();
        }
    }

    private static async Task<List<double>> TimeAsync<T>(Func<Task<T>> call)
    {
        await call(); // warm-up: connection set-up is not what a reviewer waits for all day
        var times = new List<double>();
        for (var i = 0; i < Samples; i++)
        {
            var watch = Stopwatch.StartNew();
            await call();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        return times;
    }

    private static string Format(List<double> times)
    {
        var sorted = times.Order().ToList();
        double At(double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
        return $"{At(0.5),8:0.0} / {At(0.95):0.0} / {sorted[^1]:0.0} ms";
    }

    private static string CaseId(int i) => $"bench-case-{i:D6}";

    private static ReviewRequest Request(int i, DateTime start)
    {
        var text = $"Message {i}: are you hiring? reach me at 555 010 {i % 10000:D4} after work.";
        var message = new ChatMessage(CaseId(i), $"conv-{i / 10}", $"sender-{i}", ParticipantRole.Customer, "recipient", ParticipantRole.Professional, text, new DateTimeOffset(start));
        var score = new PrefilterScore(0.7, 0.5, "bench-model", [new RuleHit("contact.phone", "Phone number", $"555 010 {i % 10000:D4}", text.IndexOf("555", StringComparison.Ordinal), 12)]);
        var category = PolicyCategories.Violations[i % PolicyCategories.Violations.Count];
        var verdict = new LlmVerdict(category, 0.6, "Asks to continue elsewhere.", ["reach me"], "bench-model", "prompt", TokenUsage.None);
        // Requests arrive in a shuffled order, so the index, not insertion order, must produce deadline order.
        var requestedAt = start.AddSeconds((i * 7919L) % 100_000);
        return new ReviewRequest(CaseId(i), message, score, verdict, "LLM not confident", requestedAt, requestedAt.AddHours(24));
    }
}
