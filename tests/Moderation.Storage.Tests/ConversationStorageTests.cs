using System.IO.Compression;
using System.Text;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Moderation.Core.Audit;
using Moderation.Core.Conversations;
using Moderation.Core.Delivery;
using Moderation.Core.Messages;
using Moderation.Core.Review;
using Moderation.Core.Screening;
using Moderation.Core.Workflow;
using Moderation.Storage.Conversations;

namespace Moderation.Storage.Tests;

/// <summary>
/// The conversation store and sender history on real table storage, and erasure: after erasing a sender, none of their
/// text is left in any table, queue or blob of the account, while other people's texts and the case counts remain.
/// </summary>
public sealed class ConversationStorageTests
{
    private static readonly DateTimeOffset T0 = Samples.SentAt;

    [StorageFact]
    public async Task The_store_keeps_the_window_newest_last_and_a_redelivered_message_once()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var store = Store(account, window: 3);
        for (var i = 0; i < 5; i++)
        {
            await store.AppendAsync(Say($"m{i}", "alice", $"text {i}", i), CancellationToken.None);
        }

        await store.AppendAsync(Say("m4", "alice", "text 4", 4), CancellationToken.None);
        var recent = await store.ReadRecentAsync("conv-1", 10, CancellationToken.None);

        Assert.Equal(["m2", "m3", "m4"], recent.Select(t => t.MessageId));
        Assert.Equal(["m3", "m4"], (await store.ReadRecentAsync("conv-1", 2, CancellationToken.None)).Select(t => t.MessageId));
        Assert.Equal("alice", recent[0].SenderId);
        Assert.Equal(T0.AddMinutes(2), recent[0].SentAt);
    }

    [StorageFact]
    public async Task Retention_and_history_queries_use_the_stored_times()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var store = Store(account);
        var history = new TableSenderHistory(account.Connection, account.WrappedOptions);
        await store.AppendAsync(Say("old", "alice", "old", -600), CancellationToken.None);
        await store.AppendAsync(Say("new", "alice", "new", 0), CancellationToken.None);
        await history.RecordAsync("alice", "c1", blocked: true, T0.AddDays(-40), CancellationToken.None);
        await history.RecordAsync("alice", "c2", blocked: true, T0, CancellationToken.None);
        await history.RecordAsync("alice", "c2", blocked: true, T0, CancellationToken.None);
        await history.RecordAsync("alice", "c3", blocked: false, T0, CancellationToken.None);

        Assert.Equal((1, 1), await history.CountSinceAsync("alice", T0.AddDays(-30), CancellationToken.None));
        Assert.Equal(1, await store.PurgeSentBeforeAsync(T0.AddHours(-1), CancellationToken.None));
        Assert.Equal(1, await history.PurgeDecidedBeforeAsync(T0.AddDays(-30), CancellationToken.None));
        Assert.Equal(["new"], (await store.ReadRecentAsync("conv-1", 10, CancellationToken.None)).Select(t => t.MessageId));
    }

    [StorageFact]
    public async Task Erasing_a_sender_leaves_none_of_their_text_in_any_table_queue_or_blob()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var store = Store(account);
        var history = new TableSenderHistory(account.Connection, account.WrappedOptions);
        var audit = account.AuditLog();
        var notifier = account.ReviewNotifier();

        // Each text carries a marker no other data contains, so finding it anywhere means the text is still there.
        var erasedMarker = "zq" + Guid.NewGuid().ToString("N");
        var keptMarker = "kx" + Guid.NewGuid().ToString("N");
        var erasedTexts = new[] { $"my number is 212 {erasedMarker}", $"ok {erasedMarker} later" };
        var alice = erasedTexts.Select((t, i) => Say($"a{i}", "alice", t, i)).ToList();
        var bob = Say("b0", "bob", $"sure thing {keptMarker}", 5);

        // A long message of alice goes to review by claim check (a blob), and bob's case quotes alice as context.
        var longText = erasedMarker + " " + string.Concat(Enumerable.Repeat("lorem ipsum dolor sit amet ", 3000));
        var aliceLong = Say("a-long", "alice", longText, 3);
        foreach (var message in alice.Append(aliceLong).Append(bob))
        {
            await store.AppendAsync(message, CancellationToken.None);
            var score = new PrefilterScore(0.9, 0.5, "cnn@1", [new RuleHit("contact.phone", "Phone number", message.Text[..Math.Min(20, message.Text.Length)], 0, 20)]);
            await audit.RecordAsync(new AuditRecord(message.MessageId, AuditStage.Screened, T0.UtcDateTime, "suspicious: rule contact.phone", Message: message, Prefilter: score), CancellationToken.None);
            await audit.RecordAsync(new AuditRecord(message.MessageId, AuditStage.LlmClassified, T0.UtcDateTime, "llm", Message: message, Verdict: Samples.Verdict() with { Evidence = [message.Text[..10]] }), CancellationToken.None);
            await history.RecordAsync(message.SenderId, message.MessageId, blocked: true, T0, CancellationToken.None);
        }

        var context = new ConversationContext([.. alice.Select(ConversationTurn.From), ConversationTurn.From(aliceLong)], [], new SenderHistory(0, 0, TimeSpan.FromDays(30)));
        await notifier.RequestReviewAsync(new ReviewRequest("a-long", aliceLong, Samples.Score(0.8, Samples.PhoneHit), null, "review", T0.UtcDateTime, T0.UtcDateTime.AddDays(1)), CancellationToken.None);
        await notifier.RequestReviewAsync(new ReviewRequest("b0", bob with { Text = bob.Text + " " + longText.Replace(erasedMarker, keptMarker, StringComparison.Ordinal) }, Samples.Score(0.8, Samples.PhoneHit), null, "review", T0.UtcDateTime, T0.UtcDateTime.AddDays(1)) { Conversation = context }, CancellationToken.None);

        // Alice's long message waits for a reviewer and her first one was decided: both are in the reviewers' index.
        var reviewQueue = account.ReviewQueue();
        await reviewQueue.AddWaitingAsync(new ReviewRequest("a-long", aliceLong, Samples.Score(0.8, Samples.PhoneHit), Samples.Verdict() with { Evidence = [erasedMarker] }, "review", T0.UtcDateTime, T0.UtcDateTime.AddDays(1)), CancellationToken.None);
        await reviewQueue.AddWaitingAsync(new ReviewRequest("a0", alice[0], new PrefilterScore(0.9, 0.5, "cnn@1", [new RuleHit("contact.phone", "Phone number", alice[0].Text, 0, 10)]), null, "review", T0.UtcDateTime, T0.UtcDateTime.AddDays(1)), CancellationToken.None);
        await reviewQueue.FinishAsync(Samples.Outcome(alice[0], Disposition.Blocked), CancellationToken.None);
        await reviewQueue.AddWaitingAsync(new ReviewRequest("b0", bob, Samples.Score(0.8, Samples.PhoneHit), null, "review", T0.UtcDateTime, T0.UtcDateTime.AddDays(1)), CancellationToken.None);

        // Bob's routed case recorded alice's earlier messages as its context.
        await audit.RecordAsync(new AuditRecord("b0", AuditStage.Screened, T0.UtcDateTime, "suspicious", Message: bob) { Conversation = context }, CancellationToken.None);

        Assert.NotEmpty(await FindAsync(account, erasedMarker));

        var erasure = new PersonalDataErasure(store, history, audit, reviewQueue, account.Connection, account.WrappedOptions);
        var report = await erasure.EraseSenderAsync("alice", CancellationToken.None);

        Assert.Empty(await FindAsync(account, erasedMarker));
        Assert.NotEmpty(await FindAsync(account, keptMarker));
        Assert.Equal(new ErasureReport(3, 3, 4, 7, 1, 1, 2), report);
        // Her cases stay listed for reviewers, without her text; bob's keeps his.
        var waiting = await reviewQueue.ListAsync(new ReviewQueueQuery(CaseStage.AwaitingReview), CancellationToken.None);
        Assert.Equal(["a-long", "b0"], waiting.Items.Select(e => e.CaseId).Order());
        Assert.Equal((string.Empty, AuditRedaction.Erased), (waiting.Items.Single(e => e.CaseId == "a-long").Message.Text, waiting.Items.Single(e => e.CaseId == "a-long").Message.SenderId));
        Assert.Equal(bob.Text, waiting.Items.Single(e => e.CaseId == "b0").Message.Text);
        Assert.Equal(string.Empty, Assert.Single((await reviewQueue.ListAsync(new ReviewQueueQuery(CaseStage.Completed), CancellationToken.None)).Items).Message.Text);
        var bobsCase = await audit.ReadCaseAsync("b0", CancellationToken.None);
        Assert.Equal(bob.Text, bobsCase[0].Message!.Text);
        Assert.Empty(bobsCase[0].Conversation!.Preceding);

        // The audit trail still counts alice's cases and their stages, without her text or id.
        var redacted = await audit.ReadCaseAsync("a0", CancellationToken.None);
        Assert.Equal([AuditStage.Screened, AuditStage.LlmClassified], redacted.Select(r => r.Stage));
        Assert.All(redacted, r => Assert.Equal((string.Empty, AuditRedaction.Erased), (r.Message!.Text, r.Message.SenderId)));
        Assert.Equal(["b0"], (await store.ReadRecentAsync("conv-1", 10, CancellationToken.None)).Select(t => t.MessageId));

        Assert.Equal(new ErasureReport(0, 0, 0, 0, 0, 0, 0), await erasure.EraseSenderAsync("alice", CancellationToken.None));
    }

    [StorageFact]
    public async Task Erasing_a_conversation_removes_every_participants_text_of_it()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var store = Store(account);
        var audit = account.AuditLog();
        var marker = "cv" + Guid.NewGuid().ToString("N");
        var other = "ot" + Guid.NewGuid().ToString("N");
        foreach (var message in new[] { Say("c0", "alice", marker, 0), Say("c1", "bob", marker + " too", 1), Say("x0", "bob", other, 2) with { ConversationId = "conv-2" } })
        {
            await store.AppendAsync(message, CancellationToken.None);
            await audit.RecordAsync(new AuditRecord(message.MessageId, AuditStage.Screened, T0.UtcDateTime, "clean", Message: message), CancellationToken.None);
        }

        var erasure = new PersonalDataErasure(store, new TableSenderHistory(account.Connection, account.WrappedOptions), audit, account.ReviewQueue(), account.Connection, account.WrappedOptions);
        var report = await erasure.EraseConversationAsync("conv-1", CancellationToken.None);

        Assert.Equal((2, 2), (report.ConversationMessages, report.AuditCases));
        Assert.Empty(await FindAsync(account, marker));
        Assert.NotEmpty(await FindAsync(account, other));
    }

    private static TableConversationStore Store(StorageTestAccount account, int window = 20) =>
        new(account.Connection, account.WrappedOptions, new StaticMonitor(new ConversationOptions { WindowSize = window }));

    private static ChatMessage Say(string id, string sender, string text, int minute) =>
        new(id, "conv-1", sender, ParticipantRole.Customer, sender == "alice" ? "bob" : "alice", ParticipantRole.Professional, text, T0.AddMinutes(minute));

    /// <summary>Where the text occurs in the account: every table's columns (audit payloads unzipped), every queue message, every blob.</summary>
    private static async Task<List<string>> FindAsync(StorageTestAccount account, string text)
    {
        var found = new List<string>();
        foreach (var name in account.Options.Tables.All)
        {
            await foreach (var entity in account.Connection.CreateTableClient(name).QueryAsync<TableEntity>())
            {
                var strings = entity.Select(p => p.Value).OfType<string>().ToList();
                var chunks = entity.Keys.Where(k => k.StartsWith("Payload", StringComparison.Ordinal) && entity[k] is byte[]).Order(StringComparer.Ordinal).ToList();
                if (chunks.Count > 0)
                {
                    var compressed = chunks.OrderBy(k => int.Parse(k["Payload".Length..], System.Globalization.CultureInfo.InvariantCulture)).SelectMany(k => (byte[])entity[k]).ToArray();
                    using var gzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
                    using var reader = new StreamReader(gzip, Encoding.UTF8);
                    strings.Add(await reader.ReadToEndAsync());
                }

                if (strings.Exists(s => s.Contains(text, StringComparison.Ordinal)))
                {
                    found.Add($"table {name} {entity.PartitionKey}/{entity.RowKey}");
                }
            }
        }

        foreach (var name in account.Options.Queues.All)
        {
            foreach (var message in (await account.Queue(name).PeekMessagesAsync(32)).Value)
            {
                if (message.Body.ToString().Contains(text, StringComparison.Ordinal))
                {
                    found.Add($"queue {name}");
                }
            }
        }

        var container = account.Connection.CreateBlobContainerClient(account.Options.PayloadContainer);
        await foreach (var blob in container.GetBlobsAsync())
        {
            var content = (await container.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString();
            if (content.Contains(text, StringComparison.Ordinal))
            {
                found.Add($"blob {blob.Name}");
            }
        }

        return found;
    }

    internal sealed class StaticMonitor(ConversationOptions value) : IOptionsMonitor<ConversationOptions>
    {
        public ConversationOptions CurrentValue => value;

        public ConversationOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ConversationOptions, string?> listener) => null;
    }
}
