using Microsoft.Extensions.Options;
using Moderation.Cli.Commands;
using Moderation.Storage;
using Moderation.Storage.Audit;

namespace Moderation.Evaluation.Tests.Quality;

public class QualityReportAuditTableTests
{
    /// <summary>The report reads the real audit table (Azurite): the stored trail gives the same numbers as the records.</summary>
    [StorageFact]
    public async Task Report_from_the_audit_table_in_azurite_matches_the_seeded_trail()
    {
        var connection = StorageConnection.FromConnectionString(TestEnvironment.StorageConnectionString!);
        var options = new StorageOptions();
        options.Tables.Audit = "Audit" + Guid.NewGuid().ToString("N")[..10];
        var table = connection.CreateTableClient(options.Tables.Audit);
        await table.CreateIfNotExistsAsync();
        try
        {
            var log = new TableAuditLog(connection, Options.Create(options));
            foreach (var records in AuditTrailFixture.Cases())
            {
                await log.RecordAllAsync(records, CancellationToken.None);
            }

            var report = await QualityReportCommand.BuildAsync(
                log.ReadAllCasesAsync(CancellationToken.None),
                new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero),
                new DateTimeOffset(2026, 3, 3, 0, 0, 0, TimeSpan.Zero),
                CancellationToken.None);

            Assert.Equal((7, 5), (report.Volumes.Screened, report.Volumes.Routed));
            Assert.Equal(0.004m, report.Cost.TotalCostUsd);
            Assert.Equal(20 * 60, report.Review.WaitSeconds["p50"]);
            Assert.Equal(3, report.Llm.Compared);
            Assert.Equal(["c-false-alarm", "c-llm-wrong"], report.Disagreements.Select(d => d.CaseId).Order(StringComparer.Ordinal));
        }
        finally
        {
            await table.DeleteAsync();
        }
    }
}
