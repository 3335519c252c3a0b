using System.Diagnostics;
using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Moderation.Core.Cases;
using Moderation.Core.Classification;
using Moderation.Core.Messages;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Core.Screening;
using Moderation.Core.Workflow;
using Moderation.Host.Durable;
using Moderation.Hosting;
using Moderation.Storage;
using Moderation.Storage.Queues;

namespace Moderation.Pipeline.Benchmarks;

/// <summary>
/// Durable moderation cases per second on the self-hosted host's engine (Durable Task on Azure Storage, here Azurite),
/// composed as Program does, with an instant in-process LLM so the engine and the storage adapters are what is timed:
/// the confident path (classify, audit, deliver) and the review path (classify, request review, a reviewer's decision
/// raised as soon as the request is published, audit, deliver). Each run gets its own task hub, queues and tables.
/// </summary>
internal static class DurableCaseThroughput
{
    public static async Task<Throughput> MeasureAsync(string connection, int cases, bool reviewPath)
    {
        var runId = Guid.NewGuid().ToString("N")[..8];
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [StorageConnection.Name] = connection,
            ["Moderation:Review:ApiKeys:0"] = "benchmark-review-api-key-0123456789abcdef",
            ["Moderation:Storage:Queues:Inbound"] = $"case-{runId}-inbound",
            ["Moderation:Storage:Queues:Released"] = $"case-{runId}-released",
            ["Moderation:Storage:Queues:Blocked"] = $"case-{runId}-blocked",
            ["Moderation:Storage:Queues:ReviewRequests"] = $"case-{runId}-review",
            ["Moderation:Storage:Queues:InboundPoison"] = $"case-{runId}-inbound-poison",
            ["Moderation:Storage:Tables:Audit"] = $"Case{runId}Audit",
            ["Moderation:Storage:Tables:Deliveries"] = $"Case{runId}Deliveries",
            ["Moderation:Storage:Tables:ReviewRequests"] = $"Case{runId}Reviews",
            ["Moderation:Storage:PayloadContainer"] = $"case-{runId}-payloads",
            ["Moderation:DurableTask:TaskHubName"] = $"Case{runId}",
            ["Moderation:DurableTask:MaxQueuePollingInterval"] = "00:00:00.250",
        });
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddModerationPipeline(builder.Configuration);
        builder.Services.AddDurableTaskHost(builder.Configuration);
        builder.Services.RemoveAll<ILlmClassifier>();
        builder.Services.AddSingleton<ILlmClassifier>(new InstantClassifier(reviewPath));
        using var host = builder.Build();
        var storage = host.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
        await StorageProvisioner.EnsureCreatedAsync(host.Services.GetRequiredService<StorageConnection>(), storage, CancellationToken.None);
        await host.StartAsync();
        try
        {
            var client = host.Services.GetRequiredService<IModerationCaseClient>();
            var delivered = host.Services.GetRequiredService<StorageConnection>().CreateQueueClient(reviewPath ? storage.Queues.Released : storage.Queues.Blocked);
            var policy = ModerationPolicy.Default;
            var score = new PrefilterScore(0.9, 0.35, "benchmark", []);
            var clock = Stopwatch.StartNew();
            using var stop = new CancellationTokenSource();
            var reviewer = reviewPath
                ? ReviewAsync(host.Services.GetRequiredService<StorageConnection>().CreateQueueClient(storage.Queues.ReviewRequests), client, host.Services.GetRequiredService<QueueBodyWriter>(), stop.Token)
                : Task.CompletedTask;
            await Prefill.SendAsync(cases, async i =>
            {
                var id = $"case-{runId}-{i:D5}";
                var message = new ChatMessage(id, "conv-bench", "cust-1", ParticipantRole.Customer, "pro-1", ParticipantRole.Professional, "Send the deposit to my other account instead.", DateTimeOffset.UtcNow, "en-US");
                await client.StartCaseAsync(new ModerationCase(message, score, policy.Screen(score), policy), CancellationToken.None);
            });
            await WaitForAsync(delivered, cases);
            var elapsed = clock.Elapsed;
            await stop.CancelAsync();
            await reviewer;
            return new Throughput(cases, elapsed);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>
    /// A reviewer who decides each case as soon as its review request is published, as the console's users do: a
    /// decision raised before the engine has recorded the case's start can be discarded as addressed to no instance.
    /// </summary>
    private static async Task ReviewAsync(QueueClient requests, IModerationCaseClient client, QueueBodyWriter bodies, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            QueueMessage[] batch = (await requests.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(1), CancellationToken.None)).Value;
            await Task.WhenAll(batch.Select(async request =>
            {
                var envelope = JsonSerializer.Deserialize<ReviewRequestEnvelope>(await bodies.ReadBodyAsync(request.Body.ToString(), CancellationToken.None), QueueBodyWriter.JsonOptions)!;
                await client.RaiseReviewDecisionAsync(envelope.Request.CaseId, new ReviewDecision("bench-reviewer", ReviewAction.Release, PolicyCategory.Clean, null, DateTimeOffset.UtcNow), CancellationToken.None);
                await requests.DeleteMessageAsync(request.MessageId, request.PopReceipt, CancellationToken.None);
            }));
            if (batch.Length == 0)
            {
                try
                {
                    await Task.Delay(50, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private static async Task WaitForAsync(QueueClient queue, int count)
    {
        var deadline = Stopwatch.StartNew();
        while ((await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount < count)
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(10))
            {
                throw new TimeoutException($"only {(await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount} of {count} cases were delivered within 10 minutes.");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>A confident scam verdict (blocked by the LLM alone), or an unsure one that needs a reviewer.</summary>
    private sealed class InstantClassifier(bool unsure) : ILlmClassifier
    {
        public Task<LlmClassification> ClassifyAsync(ChatMessage message, CancellationToken cancellationToken) =>
            Task.FromResult(LlmClassification.Classified(new LlmVerdict(
                unsure ? PolicyCategory.OffPlatformContact : PolicyCategory.ScamPhishing,
                unsure ? 0.5 : 0.97,
                "Benchmark verdict.",
                [],
                "benchmark-model",
                "benchmark-prompt",
                new TokenUsage(100, 10, 0m))));
    }
}
