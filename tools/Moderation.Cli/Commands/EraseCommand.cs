using Microsoft.Extensions.Options;
using Moderation.Core.Conversations;
using Moderation.Storage.Audit;
using Moderation.Storage.Conversations;
using Moderation.Storage.ReviewQueue;

namespace Moderation.Cli.Commands;

/// <summary>
/// <c>moderation erase</c>: removes one sender's texts (or one conversation's) from storage and reports what it
/// removed: stored conversation messages, sender history, audit rows rewritten without text, payload blobs.
/// </summary>
internal sealed class EraseCommand : ICliCommand
{
    public string Name => "erase";

    public string Summary => "Erase a sender's or a conversation's texts from the conversation store, audit trail and payload blobs.";

    public string Usage => """
        usage: moderation erase (--sender ID | --conversation ID)

          --sender ID         deletes the sender's stored conversation messages and history, rewrites the audit rows of
                              their cases without any text (stages, scores, categories and outcomes stay countable) and
                              deletes or rewrites the payload blobs that hold their messages
          --conversation ID   the same for every message of one conversation, whoever wrote it

          Messages still waiting in the outbound queues (released, blocked, review requests) belong to their consumers
          and are not touched. Running the command again finds nothing more to remove.
          Storage comes from the environment, as for export-labels.
        """;

    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        string? sender = null;
        string? conversation = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--sender" when i + 1 < args.Count:
                    sender = args[++i];
                    break;
                case "--conversation" when i + 1 < args.Count:
                    conversation = args[++i];
                    break;
                default:
                    await Console.Error.WriteLineAsync($"erase: unexpected argument '{args[i]}'.\n{Usage}");
                    return 2;
            }
        }

        if (string.IsNullOrWhiteSpace(sender) == string.IsNullOrWhiteSpace(conversation))
        {
            await Console.Error.WriteLineAsync($"erase: give exactly one of --sender or --conversation.\n{Usage}");
            return 2;
        }

        try
        {
            var (connection, options) = StorageCommandConfiguration.FromEnvironment();
            var wrapped = Options.Create(options);
            var erasure = new PersonalDataErasure(
                new TableConversationStore(connection, wrapped, new FixedMonitor(new ConversationOptions())),
                new TableSenderHistory(connection, wrapped),
                new TableAuditLog(connection, wrapped),
                new TableReviewQueue(connection, wrapped),
                connection,
                wrapped);
            var report = sender is not null
                ? await erasure.EraseSenderAsync(sender, cancellationToken)
                : await erasure.EraseConversationAsync(conversation!, cancellationToken);
            var who = sender is not null ? $"sender {sender}" : $"conversation {conversation}";
            Console.WriteLine($"erase: {who}: deleted {report.ConversationMessages} stored message(s) and {report.SenderHistoryCases} sender history row(s); "
                + $"rewrote {report.AuditRows} audit row(s) of {report.AuditCases} case(s) without text; "
                + $"rewrote the review queue entries of {report.ReviewQueueCases} case(s) without text; "
                + $"deleted {report.PayloadBlobsDeleted} and rewrote {report.PayloadBlobsRewritten} payload blob(s).");
            return 0;
        }
        catch (Exception ex) when (ex is InvalidOperationException or OptionsValidationException or Azure.RequestFailedException or IOException)
        {
            await Console.Error.WriteLineAsync($"erase: {(ex is Azure.RequestFailedException storage ? $"Azure Storage answered {storage.Status} {storage.ErrorCode}" : ex.Message)}");
            return 1;
        }
    }

    private sealed class FixedMonitor(ConversationOptions value) : IOptionsMonitor<ConversationOptions>
    {
        public ConversationOptions CurrentValue => value;

        public ConversationOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ConversationOptions, string?> listener) => null;
    }
}
