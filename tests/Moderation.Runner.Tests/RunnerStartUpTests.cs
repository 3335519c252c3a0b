using Moderation.Core.Cases;
using Moderation.Core.Delivery;
using Moderation.Runner.Storage;

namespace Moderation.Runner.Tests;

/// <summary>Storage that is briefly unreachable when the host starts must not stop the host or lose running cases.</summary>
public sealed class RunnerStartUpTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task The_runner_keeps_trying_until_its_tables_answer_and_then_resumes_work()
    {
        var fakes = new FakeActivities();
        var store = new UnreachableAtFirstStore(new InMemoryCaseStore(), failures: 2);
        using var host = RunnerHost.Build(fakes, store);

        await host.StartAsync(None);
        var moderationCase = TestCases.Create();
        await host.Cases().StartCaseAsync(moderationCase, None);
        var done = await host.Cases().WaitForAsync(moderationCase.CaseId, s => s.State == CaseRuntimeState.Completed);

        Assert.Equal(3, store.EnsureCreatedCalls);
        Assert.Equal(DecidedBy.Llm, done.Outcome?.DecidedBy);
        await host.StopAsync(None);
    }

    private sealed class UnreachableAtFirstStore(ICaseStore inner, int failures) : ICaseStore
    {
        public int EnsureCreatedCalls { get; private set; }

        public Task EnsureCreatedAsync(CancellationToken cancellationToken) =>
            ++EnsureCreatedCalls <= failures ? throw new IOException("storage unreachable") : inner.EnsureCreatedAsync(cancellationToken);

        public Task<bool> TryCreateAsync(CaseHead head, CaseHistoryEvent started, CancellationToken cancellationToken) => inner.TryCreateAsync(head, started, cancellationToken);

        public Task<StoredCaseHead?> ReadHeadAsync(string caseId, CancellationToken cancellationToken) => inner.ReadHeadAsync(caseId, cancellationToken);

        public Task<StoredCase?> LoadAsync(string caseId, CancellationToken cancellationToken) => inner.LoadAsync(caseId, cancellationToken);

        public Task<string> CommitAsync(CaseHead head, IReadOnlyList<CaseHistoryEvent> appended, string expectedVersion, CancellationToken cancellationToken) =>
            inner.CommitAsync(head, appended, expectedVersion, cancellationToken);

        public Task<CaseIndexEntry?> ReadIndexAsync(string caseId, CancellationToken cancellationToken) => inner.ReadIndexAsync(caseId, cancellationToken);

        public Task RequestAttentionAsync(string caseId, DateTime? timerDueAt, CancellationToken cancellationToken) => inner.RequestAttentionAsync(caseId, timerDueAt, cancellationToken);

        public Task<bool> TryUpdateIndexAsync(CaseIndexEntry entry, string? expectedVersion, CancellationToken cancellationToken) => inner.TryUpdateIndexAsync(entry, expectedVersion, cancellationToken);

        public Task<IReadOnlyList<string>> FindRunningCasesAsync(CancellationToken cancellationToken) => inner.FindRunningCasesAsync(cancellationToken);

        public Task<IReadOnlyList<string>> FindCasesNeedingWorkAsync(DateTime now, CancellationToken cancellationToken) => inner.FindCasesNeedingWorkAsync(now, cancellationToken);
    }
}
