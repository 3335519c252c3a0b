namespace Moderation.Host.Tests.EndToEnd;

/// <summary>
/// Everything one test saw on the released and blocked queues. Deliveries arrive over time, so it drains the queues
/// until every expected message is there, then (once the pipeline has settled) once more to catch late duplicates.
/// </summary>
internal sealed class DeliveryLedger(PipelineStorage storage)
{
    // A bound, not a speed check: child host processes on a loaded 2-core machine (the suite runs two projects at once,
    // one of them driving Chromium) can take well over half a minute to settle 40 messages.
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(120);
    private readonly List<Delivered> seen = [];

    public IReadOnlyList<Delivered> Seen => seen;

    public Delivered Single(string messageId) => Assert.Single(seen, d => d.MessageId == messageId);

    /// <summary>Waits (bounded) until every one of <paramref name="messageIds"/> was delivered at least once.</summary>
    public async Task WaitForAsync(IEnumerable<string> messageIds, TimeSpan? within = null)
    {
        var expected = messageIds.ToHashSet(StringComparer.Ordinal);
        await Eventually.HoldsAsync(
            async () =>
            {
                seen.AddRange(await storage.DrainDeliveriesAsync());
                return expected.IsSubsetOf(seen.Select(d => d.MessageId));
            },
            within ?? DefaultWait,
            $"not delivered: {string.Join(", ", expected.Except(seen.Select(d => d.MessageId)).Take(10))}");
    }

    /// <summary>
    /// Once every case is decided and the inbound queue is empty, nothing more may arrive: drains a last time, then
    /// checks each message is on exactly one of the two queues, once (a run without a crash), and nothing else was delivered.
    /// </summary>
    public async Task AssertExactlyOnceAsync(IModerationApi host, IReadOnlyCollection<string> messageIds)
    {
        ArgumentNullException.ThrowIfNull(host);
        await WaitForAsync(messageIds);
        await Eventually.HoldsAsync(
            async () =>
            {
                foreach (var id in messageIds)
                {
                    if (await host.GetCaseAsync(id) is not { } view || !view.TryGetProperty("outcome", out var outcome) || outcome.ValueKind == System.Text.Json.JsonValueKind.Null)
                    {
                        return false;
                    }
                }

                return await storage.InboundCountAsync() == 0;
            },
            DefaultWait,
            "the pipeline did not settle (a case without an outcome, or inbound messages left)");
        seen.AddRange(await storage.DrainDeliveriesAsync());

        var duplicates = seen.GroupBy(d => d.MessageId).Where(g => g.Count() > 1).Select(g => $"{g.Key} x{g.Count()} ({string.Join("/", g.Select(d => d.Disposition))})").ToList();
        Assert.True(duplicates.Count == 0, "delivered more than once: " + string.Join(", ", duplicates));
        Assert.Equal(messageIds.OrderBy(i => i, StringComparer.Ordinal), seen.Select(d => d.MessageId).OrderBy(i => i, StringComparer.Ordinal));
        // The queue a message is on agrees with the outcome it carries.
        Assert.All(seen, d => Assert.Equal(d.Disposition, d.Outcome.Disposition));
    }
}
