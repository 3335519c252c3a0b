using Moderation.Core.Audit;
using Moderation.Core.Delivery;
using Moderation.Core.Policy;
using Moderation.Core.Review;
using Moderation.Storage.Audit;

namespace Moderation.Storage.Tests;

public class AuditEntityCodecTests
{
    [Fact]
    public void A_100_KB_message_is_split_into_binary_properties_under_the_64_KiB_limit_and_reassembled()
    {
        var message = Samples.Message(Samples.IncompressibleText(100 * 1024), Samples.NewId("msg"));
        var record = new AuditRecord(message.MessageId, AuditStage.Screened, DateTime.UtcNow, "suspicious", Message: message);

        var entity = AuditEntityCodec.ToEntity(record);

        var chunks = entity.Keys.Where(k => k.StartsWith("Payload", StringComparison.Ordinal) && char.IsDigit(k[^1])).ToList();
        Assert.True(chunks.Count >= 2, $"expected the payload split, got {chunks.Count} chunk(s)");
        Assert.All(chunks, k => Assert.True(((byte[])entity[k]).Length <= 64 * 1024));
        Assert.Equal(message.Text, AuditEntityCodec.FromEntity(entity).Message!.Text);
    }

    [Fact]
    public void Row_keys_of_a_case_sort_in_stage_order()
    {
        var keys = Enum.GetValues<AuditStage>().Select(s => AuditEntityCodec.RowKey("case-1", s)).ToList();

        Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
        Assert.Equal("case-1|00-screened", keys[0]);
    }

    [Fact]
    public void A_row_of_a_case_whose_id_extends_another_belongs_only_to_its_own_case()
    {
        // Case ids may contain the separator; a case's range query must not pick up rows of "case-1|x".
        var longer = AuditEntityCodec.RowKey("case-1|x", AuditStage.Screened);

        Assert.False(AuditEntityCodec.IsRowOf(longer, "case-1"));
        Assert.True(AuditEntityCodec.IsRowOf(longer, "case-1|x"));
        Assert.True(AuditEntityCodec.IsRowOf(AuditEntityCodec.RowKey("case-1", AuditStage.Delivered), "case-1"));
    }

    [Fact]
    public void A_message_too_large_for_one_entity_is_cut_and_the_summary_says_so()
    {
        var message = Samples.Message(Samples.IncompressibleText(1_500_000), Samples.NewId("msg"));
        var record = new AuditRecord(message.MessageId, AuditStage.Screened, DateTime.UtcNow, "suspicious", Message: message);

        var stored = AuditEntityCodec.FromEntity(AuditEntityCodec.ToEntity(record));

        Assert.Equal(AuditEntityCodec.FallbackTextLength, stored.Message!.Text.Length);
        Assert.Contains("cut from 1500000", stored.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void The_reviewer_decision_is_the_label_even_when_the_outcome_differs()
    {
        var message = Samples.Message(id: "m-1");
        var records = new[]
        {
            new AuditRecord("m-1", AuditStage.Screened, DateTime.UtcNow, "s", Message: message),
            new AuditRecord("m-1", AuditStage.ReviewDecided, DateTime.UtcNow, "r", ReviewDecision: new ReviewDecision("rev", ReviewAction.Release, PolicyCategory.Clean, null, Samples.SentAt)),
            new AuditRecord("m-1", AuditStage.Delivered, DateTime.UtcNow, "d", Outcome: Samples.Outcome(message, Disposition.Blocked)),
        };

        var example = LabeledExampleExporter.ToExample(records)!;

        Assert.Equal(("clean", "clean", "reviewer"), (example.Label, example.Category, example.Source));
    }

    [Fact]
    public void A_case_blocked_by_timeout_without_a_category_is_labelled_suspicious_without_category()
    {
        var message = Samples.Message(id: "m-2");
        var outcome = Samples.Outcome(message, Disposition.Blocked, decidedBy: DecidedBy.Timeout) with { Category = null };
        var records = new[]
        {
            new AuditRecord("m-2", AuditStage.Screened, DateTime.UtcNow, "s", Message: message),
            new AuditRecord("m-2", AuditStage.Delivered, DateTime.UtcNow, "d", Outcome: outcome),
        };

        var example = LabeledExampleExporter.ToExample(records)!;

        Assert.Equal(("suspicious", null, "timeout"), (example.Label, example.Category, example.Source));
    }
}
