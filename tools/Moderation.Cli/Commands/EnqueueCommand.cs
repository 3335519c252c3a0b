using System.Text.Json;
using Moderation.Core.Messages;
using Moderation.Core.Serialization;
using Moderation.Storage.Queues;

namespace Moderation.Cli.Commands;

/// <summary>
/// <c>moderation enqueue</c>: puts chat messages on the inbound queue exactly as the product must (versioned JSON,
/// Base64), for demos and load tests of either host.
/// </summary>
internal sealed class EnqueueCommand : ICliCommand
{
    public string Name => "enqueue";

    public string Summary => "Put chat messages on the inbound queue (from a JSONL file or --text) as the product does.";

    public string Usage => """
        usage: moderation enqueue (--file MESSAGES.jsonl | --text "message text" [--id MESSAGE_ID])

          --file   one ChatMessage JSON object per line (camelCase; schemaVersion optional, added if missing)
          --text   a single message from a demo professional to a demo customer; --id defaults to a new GUID
          Storage and queue names come from the environment, as for export-labels.
        """;

    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        string? file = null, text = null, id = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--file" when i + 1 < args.Count:
                    file = args[++i];
                    break;
                case "--text" when i + 1 < args.Count:
                    text = args[++i];
                    break;
                case "--id" when i + 1 < args.Count:
                    id = args[++i];
                    break;
                default:
                    await Console.Error.WriteLineAsync($"enqueue: unexpected argument '{args[i]}'.\n{Usage}");
                    return 2;
            }
        }

        if ((file is null) == (text is null))
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        try
        {
            var messages = file is not null
                ? ReadMessages(file)
                : [new ChatMessage(id ?? Guid.NewGuid().ToString("N"), "demo-conversation", "demo-pro", ParticipantRole.Professional, "demo-customer", ParticipantRole.Customer, text!, DateTimeOffset.UtcNow)];
            var (connection, options) = StorageCommandConfiguration.FromEnvironment();
            var queue = connection.CreateQueueClient(options.Queues.Inbound);
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            foreach (var message in messages)
            {
                await queue.SendMessageAsync(InboundMessageCodec.Encode(message), cancellationToken);
            }

            Console.WriteLine($"enqueue: {messages.Count} message(s) on {options.Queues.Inbound}" + (messages.Count == 1 ? $" (id {messages[0].MessageId})." : "."));
            return 0;
        }
        catch (Exception ex) when (ex is InvalidOperationException or JsonException or Azure.RequestFailedException or IOException or Microsoft.Extensions.Options.OptionsValidationException)
        {
            await Console.Error.WriteLineAsync($"enqueue: {(ex is Azure.RequestFailedException storage ? $"Azure Storage answered {storage.Status} {storage.ErrorCode}" : ex.Message)}");
            return 1;
        }
    }

    private static List<ChatMessage> ReadMessages(string path)
    {
        var messages = new List<ChatMessage>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var message = JsonSerializer.Deserialize<ChatMessage>(line, ModerationJson.Options)
                ?? throw new InvalidOperationException($"{path}:{lineNumber}: not a message.");
            var problems = message.Validate();
            if (problems.Count > 0)
            {
                throw new InvalidOperationException($"{path}:{lineNumber}: {string.Join(" ", problems)}");
            }

            messages.Add(message);
        }

        return messages;
    }
}
