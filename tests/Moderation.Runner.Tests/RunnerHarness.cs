using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moderation.Core.Cases;
using Moderation.Runner.Storage;

namespace Moderation.Runner.Tests;

/// <summary>The runner's parts wired by hand over one store, advanced step by step by the test.</summary>
internal sealed class RunnerHarness
{
    public RunnerHarness(ICaseStore? store = null, TimeProvider? time = null, FakeActivities? fakes = null, TimeSpan? leaseDuration = null)
    {
        Store = store ?? new InMemoryCaseStore();
        Time = time ?? TimeProvider.System;
        Fakes = fakes ?? new FakeActivities();
        Options = new ModerationRunnerOptions { CaseLeaseDuration = leaseDuration ?? TimeSpan.FromMinutes(5) };
        Client = new RunnerCaseClient(Store, new CaseWorkSignal(), Time, NullLogger<RunnerCaseClient>.Instance);
        Executor = NewExecutor();
    }

    public ICaseStore Store { get; }

    public TimeProvider Time { get; }

    public FakeActivities Fakes { get; }

    public ModerationRunnerOptions Options { get; }

    public RunnerCaseClient Client { get; }

    public ModerationCaseExecutor Executor { get; }

    /// <summary>Another runner instance (its own lease identity) on the same store.</summary>
    public ModerationCaseExecutor NewExecutor() =>
        new(Store, new ModerationActivityDispatcher(Fakes.Create(), Time, NullLogger<ModerationActivityDispatcher>.Instance), Microsoft.Extensions.Options.Options.Create(Options), Time, NullLoggerFactory.Instance);

    public Task<CaseAdvance> AdvanceAsync(string caseId) => Executor.AdvanceAsync(caseId, CancellationToken.None);

    public async Task<CaseSnapshot> SnapshotAsync(string caseId) =>
        await Client.GetCaseAsync(caseId, CancellationToken.None) ?? throw new InvalidOperationException($"No case {caseId}.");

    public async Task<IReadOnlyList<CaseHistoryEvent>> HistoryAsync(string caseId) =>
        (await Store.LoadAsync(caseId, CancellationToken.None))!.History;
}
