using Moderation.Core.Audit;
using Moderation.Core.Delivery;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Storage.Audit;

namespace Moderation.Storage.Tests;

public class AuditLogTests
{
    private static readonly DateTime At = Samples.SentAt.UtcDateTime;

    [StorageFact]
    public async Task Stages_written_out_of_order_read_back_in_stage_order()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var log = account.AuditLog();
        var message = Samples.Message(id: Samples.NewId("msg"));
        var id = message.MessageId;

        await log.RecordAsync(new AuditRecord(id, AuditStage.Delivered, At.AddMinutes(3), "Blocked by Llm", Outcome: Samples.Outcome(message, Disposition.Blocked)), CancellationToken.None);
        await log.RecordAsync(new AuditRecord(id, AuditStage.Screened, At, "suspicious", Message: message, Prefilter: Samples.Score(0.8, Samples.PhoneHit)), CancellationToken.None);
        await log.RecordAsync(new AuditRecord(id, AuditStage.LlmClassified, At.AddMinutes(1), "off_platform_contact", Verdict: Samples.Verdict(), Elapsed: TimeSpan.FromMilliseconds(850)), CancellationToken.None);

        var records = await log.ReadCaseAsync(id, CancellationToken.None);

        Assert.Equal([AuditStage.Screened, AuditStage.LlmClassified, AuditStage.Delivered], records.Select(r => r.Stage));
        Assert.Equal(message.Text, records[0].Message!.Text);
        Assert.Equal(message.Metadata, records[0].Message!.Metadata);
        Assert.Equal("contact.phone", Assert.Single(records[0].Prefilter!.RuleHits).RuleId);
        Assert.Equal(PolicyCategory.OffPlatformContact, records[1].Verdict!.Category);
        Assert.Equal(TimeSpan.FromMilliseconds(850), records[1].Elapsed);
        Assert.Equal(Disposition.Blocked, records[2].Outcome!.Disposition);
    }

    [StorageFact]
    public async Task Writing_a_stage_again_replaces_it_and_leaves_one_record()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var log = account.AuditLog();
        var big = Samples.Message(Samples.IncompressibleText(100 * 1024), Samples.NewId("msg"));

        await log.RecordAsync(new AuditRecord(big.MessageId, AuditStage.Screened, At, "first", Message: big), CancellationToken.None);
        await log.RecordAsync(new AuditRecord(big.MessageId, AuditStage.Screened, At.AddSeconds(5), "second", Message: big with { Text = "short now" }), CancellationToken.None);

        var record = Assert.Single(await log.ReadCaseAsync(big.MessageId, CancellationToken.None));
        Assert.Equal("second", record.Summary);
        Assert.Equal("short now", record.Message!.Text);
    }

    [StorageFact]
    public async Task A_100_KB_message_round_trips_through_the_audit_table()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var log = account.AuditLog();
        var message = Samples.Message(Samples.IncompressibleText(100 * 1024), Samples.NewId("msg"));

        await log.RecordAsync(new AuditRecord(message.MessageId, AuditStage.Screened, At, "suspicious", Message: message), CancellationToken.None);

        var record = Assert.Single(await log.ReadCaseAsync(message.MessageId, CancellationToken.None));
        Assert.Equal(message.Text, record.Message!.Text);
    }

    [StorageFact]
    public async Task Several_stages_of_a_case_are_written_together_even_with_a_100_KB_message_and_replace_earlier_ones()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var log = account.AuditLog();
        var message = Samples.Message(Samples.IncompressibleText(100 * 1024), Samples.NewId("msg"));
        var id = message.MessageId;
        await log.RecordAsync(new AuditRecord(id, AuditStage.Screened, At, "an earlier attempt"), CancellationToken.None);

        await log.RecordAllAsync(
            [
                new AuditRecord(id, AuditStage.Screened, At, "clean", Message: message, Prefilter: Samples.Score(0.8, Samples.PhoneHit)),
                new AuditRecord(id, AuditStage.Delivered, At, "Released by Prefilter", Outcome: Samples.Outcome(message, Disposition.Released)),
            ],
            CancellationToken.None);

        var records = await log.ReadCaseAsync(id, CancellationToken.None);
        Assert.Equal([AuditStage.Screened, AuditStage.Delivered], records.Select(r => r.Stage));
        Assert.Equal("clean", records[0].Summary);
        Assert.Equal(message.Text, records[0].Message!.Text);
        Assert.Equal(Disposition.Released, records[1].Outcome!.Disposition);
    }

    [StorageFact]
    public async Task An_unknown_case_has_an_empty_trail()
    {
        await using var account = await StorageTestAccount.CreateAsync();

        Assert.Empty(await account.AuditLog().ReadCaseAsync("no-such-case", CancellationToken.None));
    }

    [StorageFact]
    public async Task Export_writes_reviewer_labels_and_outcomes_and_skips_undecided_cases()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var log = account.AuditLog();
        var reviewed = Samples.Message("call me on 07700 900123", "a-reviewed");
        var released = Samples.Message("see you tomorrow", "b-released");
        var waiting = Samples.Message("send the deposit by wire", "c-waiting");
        await log.RecordAsync(new AuditRecord(reviewed.MessageId, AuditStage.Screened, At, "suspicious", Message: reviewed), CancellationToken.None);
        await log.RecordAsync(new AuditRecord(reviewed.MessageId, AuditStage.ReviewDecided, At, "block", ReviewDecision: new ReviewDecision("rev-1", ReviewAction.Block, PolicyCategory.OffPlatformContact, null, Samples.SentAt)), CancellationToken.None);
        await log.RecordAsync(new AuditRecord(reviewed.MessageId, AuditStage.Delivered, At, "Blocked by Reviewer", Outcome: Samples.Outcome(reviewed, Disposition.Blocked, PolicyCategory.OffPlatformContact, DecidedBy.Reviewer)), CancellationToken.None);
        await log.RecordAsync(new AuditRecord(released.MessageId, AuditStage.Screened, At, "clean", Message: released), CancellationToken.None);
        await log.RecordAsync(new AuditRecord(released.MessageId, AuditStage.Delivered, At, "Released by Prefilter", Outcome: Samples.Outcome(released, Disposition.Released)), CancellationToken.None);
        await log.RecordAsync(new AuditRecord(waiting.MessageId, AuditStage.Screened, At, "suspicious", Message: waiting), CancellationToken.None);
        var exporter = new LabeledExampleExporter(log);

        using var all = new StringWriter();
        var summary = await exporter.ExportAsync(all, reviewedOnly: false, CancellationToken.None);
        using var reviewedOnly = new StringWriter();
        var reviewedSummary = await exporter.ExportAsync(reviewedOnly, reviewedOnly: true, CancellationToken.None);

        var lines = all.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal("""{"id":"a-reviewed","text":"call me on 07700 900123","label":"suspicious","category":"off_platform_contact","source":"reviewer","decidedAt":"2026-03-14T09:00:00+00:00"}""", lines[0]);
        Assert.Contains("\"id\":\"b-released\",\"text\":\"see you tomorrow\",\"label\":\"clean\",\"category\":\"clean\",\"source\":\"prefilter\"", lines[1], StringComparison.Ordinal);
        Assert.Equal(new LabelExportSummary(2, 1, 1, 0), summary);
        Assert.Single(reviewedOnly.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(new LabelExportSummary(1, 1, 1, 1), reviewedSummary);
    }
}
