using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace Moderation.Pipeline.Benchmarks;

/// <summary>
/// The ceiling: how fast the storage alone lets messages be received (32 per call) and deleted, with as many loops as
/// the listener runs, each deleting its batch one message at a time as the listener does.
/// </summary>
internal static class RawQueueThroughput
{
    public static async Task<Throughput> MeasureAsync(string connection, BenchmarkSettings settings)
    {
        var queue = new QueueClient(connection, $"bench-raw-{Guid.NewGuid():N}"[..30], new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateAsync();
        try
        {
            var body = """{"schemaVersion":1,"messageId":"raw","text":"a body of about the size of a chat message envelope, padded to be realistic in length"}""";
            await Prefill.SendAsync(settings.Messages, _ => queue.SendMessageAsync(body));
            return await Throughput.TimeAsync(settings.Messages, () => Task.WhenAll(Enumerable.Range(0, settings.ConcurrentBatches).Select(_ => DrainAsync(queue))));
        }
        finally
        {
            await queue.DeleteIfExistsAsync();
        }
    }

    private static async Task DrainAsync(QueueClient queue)
    {
        while (true)
        {
            QueueMessage[] batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(1))).Value;
            if (batch.Length == 0)
            {
                return;
            }

            foreach (var message in batch)
            {
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }
    }
}

/// <summary>Fills a queue quickly (many sends in flight), so filling is not what the measurements wait for.</summary>
internal static class Prefill
{
    private const int Parallelism = 32;

    public static async Task SendAsync(int count, Func<int, Task> send)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Parallelism).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await send(i);
            }
        }));
    }
}
