using System.Diagnostics;
using System.Net;
using Moderation.Core.Delivery;
using Moderation.Core.Telemetry;
using Moderation.Host.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Moderation.Host.Tests.EndToEnd;

/// <summary>The pipeline's meter is process-wide: these tests run alone so their counts are theirs.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Pipeline telemetry";
}

/// <summary>Traces and metrics of real flows through the self-hosted host, collected with OpenTelemetry's in-memory exporter.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class TelemetryTests
{
    private const string BlockAsJobSeeking = """{"reviewerId":"reviewer-7","action":"block","category":"job_seeking"}""";

    [StorageFact]
    public async Task Spans_follow_a_message_from_screening_through_its_case_and_review_to_delivery_and_metrics_count_the_flow()
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(ModerationTelemetry.Name, HostTelemetryServiceCollectionExtensions.DurableTaskSource)
            .AddInMemoryExporter(spans)
            .Build();
        using var metering = Sdk.CreateMeterProviderBuilder().AddMeter(ModerationTelemetry.Name).AddInMemoryExporter(metrics).Build();

        var storage = new PipelineStorage();
        await using var llm = await FakeChatModel.StartAsync();
        await using var host = new PipelineHost(storage, llm, TimeSpan.FromMinutes(10)).Start();
        var clean = ChatTraffic.Message(ChatTraffic.NewId("otel-clean"), "Could you send a couple of photos of the leak under the sink?");
        var contact = ChatTraffic.Message(ChatTraffic.NewId("otel-contact"), "Just text me at 555 123 4567 and we can skip the fees.");
        var reviewed = ChatTraffic.Message(ChatTraffic.NewId("otel-review"), "Are you hiring? I can send my resume, reach me at 555 246 8101.");
        var before = Totals(metering, metrics);
        await storage.EnqueueAsync([clean, contact, reviewed]);
        await host.WaitUntilAwaitingReviewAsync(reviewed.MessageId, TimeSpan.FromSeconds(45));
        using (var accepted = await host.ReviewWithKeyAsync(reviewed.MessageId, BlockAsJobSeeking))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        var ledger = new DeliveryLedger(storage);
        await ledger.AssertExactlyOnceAsync(host, [clean.MessageId, contact.MessageId, reviewed.MessageId]);
        Assert.Equal(Disposition.Blocked, ledger.Single(reviewed.MessageId).Disposition);

        // The orchestration's own span ends when the case completes, a moment after its delivery.
        await Eventually.HoldsAsync(
            async () => (await host.GetCaseAsync(reviewed.MessageId)) is { } view && view.TryGetProperty("state", out var state) && state.GetString() == "completed",
            TimeSpan.FromSeconds(30),
            $"case {reviewed.MessageId} did not complete");
        tracing.ForceFlush();

        // Every span names its case, and none carries the message text.
        Activity Span(string name, string caseId) => Assert.Single(spans, s => s.OperationName == name && Equals(s.GetTagItem(ModerationTelemetry.Tags.CaseId), caseId));
        Assert.All(spans.Where(s => s.Source.Name == ModerationTelemetry.Name), s => Assert.DoesNotContain(s.TagObjects, t => t.Value is string v && v.Contains("555", StringComparison.Ordinal)));

        var screen = Span("moderation.screen", reviewed.MessageId);
        var classify = Span("moderation.classify", reviewed.MessageId);
        var request = Span("moderation.review.request", reviewed.MessageId);
        var callback = Span("moderation.review.callback", reviewed.MessageId);
        var deliver = Span("moderation.deliver", reviewed.MessageId);
        Assert.Equal(true, screen.GetTagItem(ModerationTelemetry.Tags.Suspicious));
        Assert.Equal("job_seeking", classify.GetTagItem(ModerationTelemetry.Tags.Category));
        Assert.Equal("accepted", callback.GetTagItem(ModerationTelemetry.Tags.ReviewStatus));
        Assert.Equal(("blocked", "sent"), (deliver.GetTagItem(ModerationTelemetry.Tags.Disposition), deliver.GetTagItem(ModerationTelemetry.Tags.Delivery)));

        // Durable Task carries the trace context from the screening span into the case: one trace from queue to delivery
        // (the review callback arrives on its own HTTP request and is joined by the case id).
        Assert.Equal(screen.TraceId, classify.TraceId);
        Assert.Equal(screen.TraceId, request.TraceId);
        Assert.Equal(screen.TraceId, deliver.TraceId);
        Assert.Contains(spans, s => s.Source.Name == HostTelemetryServiceCollectionExtensions.DurableTaskSource && s.TraceId == screen.TraceId && s.OperationName.StartsWith("orchestration", StringComparison.Ordinal));

        // A clean message is screened and released with its batch, with no case: its spans say how it settled.
        var cleanScreen = Span("moderation.screen", clean.MessageId);
        var cleanDeliver = Span("moderation.deliver", clean.MessageId);
        Assert.Equal(false, cleanScreen.GetTagItem(ModerationTelemetry.Tags.Suspicious));
        Assert.Equal("released", cleanScreen.GetTagItem(ModerationTelemetry.Tags.Route));
        Assert.Equal(("released", "sent"), (cleanDeliver.GetTagItem(ModerationTelemetry.Tags.Disposition), cleanDeliver.GetTagItem(ModerationTelemetry.Tags.Delivery)));
        Assert.DoesNotContain(spans, s => s.OperationName == "moderation.classify" && Equals(s.GetTagItem(ModerationTelemetry.Tags.CaseId), clean.MessageId));

        var after = Totals(metering, metrics);
        long Delta(string key) => after.GetValueOrDefault(key) - before.GetValueOrDefault(key);
        Assert.Equal(1, Delta("moderation.messages.screened|moderation.route=released"));
        Assert.Equal(2, Delta("moderation.messages.screened|moderation.route=case_started"));
        Assert.Equal(2, Delta("moderation.cases.started|"));
        Assert.Equal(1, Delta("moderation.cases.finished|moderation.decided_by=reviewer,moderation.disposition=blocked"));
        Assert.Equal(1, Delta("moderation.cases.finished|moderation.decided_by=llm,moderation.disposition=blocked"));
        Assert.Equal(2, Delta("moderation.llm.calls|moderation.llm.model=fake-moderation-model,moderation.outcome=classified"));
        Assert.True(Delta("moderation.llm.tokens|moderation.llm.model=fake-moderation-model,moderation.llm.token_type=input") > 0);
        Assert.Equal(1, Delta("moderation.reviews.requested|"));
        Assert.Equal(1, Delta("moderation.review.wait|moderation.review.status=decided"));
        Assert.Equal(1, Delta("moderation.review.callbacks|moderation.review.status=accepted"));
        Assert.Equal(1, Delta("moderation.deliveries|moderation.delivery.result=sent,moderation.disposition=released"));
        Assert.Equal(2, Delta("moderation.deliveries|moderation.delivery.result=sent,moderation.disposition=blocked"));
        Assert.True(Delta("moderation.prefilter.duration|") >= 1);
        Assert.True(Delta("moderation.prefilter.rule_hits|moderation.rule_id=contact.phone") >= 2);
    }

    [StorageFact]
    public async Task The_metrics_endpoint_serves_the_pipeline_counters_in_prometheus_format()
    {
        var storage = new PipelineStorage();
        await using var llm = await FakeChatModel.StartAsync();
        await using var host = new PipelineHost(storage, llm, TimeSpan.FromMinutes(10)).Start();
        var clean = ChatTraffic.Message(ChatTraffic.NewId("otel-prom"), "Do you also clean gutters or only windows?");
        await storage.EnqueueAsync([clean]);
        await new DeliveryLedger(storage).AssertExactlyOnceAsync(host, [clean.MessageId]);

        using var client = host.CreateClient();
        string body = string.Empty;
        await Eventually.HoldsAsync(
            async () => (body = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative))).Contains("moderation_messages_screened", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20),
            () => "the screened counter never appeared on /metrics:\n" + body);
        Assert.Contains("route=\"released\"", body, StringComparison.Ordinal);
        Assert.Contains("moderation_prefilter_duration_seconds_bucket", body, StringComparison.Ordinal);
    }

    /// <summary>Counter sums and histogram counts by "name|tag=value,..." (tags sorted), after a flush.</summary>
    private static Dictionary<string, long> Totals(MeterProvider provider, List<Metric> exported)
    {
        exported.Clear();
        provider.ForceFlush();
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var metric in exported)
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var tags = new List<string>();
                foreach (var tag in point.Tags)
                {
                    tags.Add($"{tag.Key}={tag.Value}");
                }

                tags.Sort(StringComparer.Ordinal);
                var key = metric.Name + "|" + string.Join(",", tags);
                long value = metric.MetricType switch
                {
                    MetricType.LongSum => point.GetSumLong(),
                    MetricType.Histogram => point.GetHistogramCount(),
                    _ => 0,
                };
                totals[key] = totals.GetValueOrDefault(key) + value;
            }
        }

        return totals;
    }
}
