using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Moderation.Storage;

namespace Moderation.Pipeline.Benchmarks;

/// <summary>
/// The anchor for the clean path: the least any forwarder must do per message on the same storage and concurrency:
/// receive up to 32, send each body to a released queue, delete each, nothing else (no ledger, no audit, no
/// scoring). Within a batch the sends overlap and then the deletes overlap, as the pipeline's do.
/// </summary>
internal static class RawForwarder
{
    public static async Task<(Throughput Throughput, PhaseCost Cost)> MeasureAsync(string connection, BenchmarkSettings settings, string body)
    {
        var counter = new StorageCallCounter();
        var storage = StorageConnection.FromConnectionString(connection).WithClientOptions(counter.Add);
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var source = storage.CreateQueueClient($"bench-fwd-in-{suffix}");
        var target = storage.CreateQueueClient($"bench-fwd-out-{suffix}");
        await source.CreateAsync();
        await target.CreateAsync();
        try
        {
            var fill = StorageConnection.FromConnectionString(connection).CreateQueueClient(source.Name);
            await Prefill.SendAsync(settings.Messages, _ => fill.SendMessageAsync(body));
            var phase = PhaseCost.Start(counter);
            var throughput = await Throughput.TimeAsync(settings.Messages, () => Task.WhenAll(Enumerable.Range(0, settings.ConcurrentBatches).Select(_ => ForwardAsync(source, target))));
            return (throughput, phase(settings.Messages));
        }
        finally
        {
            await source.DeleteIfExistsAsync();
            await target.DeleteIfExistsAsync();
        }
    }

    private static async Task ForwardAsync(QueueClient source, QueueClient target)
    {
        while (true)
        {
            QueueMessage[] batch = (await source.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(1))).Value;
            if (batch.Length == 0)
            {
                return;
            }

            await Task.WhenAll(batch.Select(m => target.SendMessageAsync(m.Body)));
            await Task.WhenAll(batch.Select(m => DeleteAsync(source, m)));
        }
    }

    // A message received again by another loop (its visibility timeout ran out, e.g. after a stall or a jump of the
    // clock) was forwarded by both: the later receiver's delete is the one that counts, as for the pipeline's listener.
    private static async Task DeleteAsync(QueueClient source, QueueMessage message)
    {
        try
        {
            await source.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        }
        catch (RequestFailedException ex) when (ex.Status == 404 || ex.ErrorCode == QueueErrorCode.PopReceiptMismatch)
        {
            Console.Error.WriteLine($"forwarder: message {message.MessageId} was received again by another loop before its delete ({ex.ErrorCode}).");
        }
    }
}
