using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Moderation.Core.Cases;
using Moderation.Runner.Storage;

namespace Moderation.Runner.Tests;

/// <summary>A generic host running the runner as an application would: AddModerationRunner plus fake activities.</summary>
internal static class RunnerHost
{
    public static IHost Build(FakeActivities fakes, Action<IServiceCollection>? configure = null, IDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Moderation:Runner:PollInterval"] = "00:00:00.200",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        configure?.Invoke(builder.Services);
        builder.Services.AddSingleton(fakes.Create());
        builder.Services.AddModerationRunner(builder.Configuration);
        return builder.Build();
    }

    public static IHost Build(FakeActivities fakes, ICaseStore store) => Build(fakes, s => s.AddSingleton(store));

    public static IModerationCaseClient Cases(this IHost host) => host.Services.GetRequiredService<IModerationCaseClient>();

    /// <summary>Waits (bounded) until the case is in the wanted state; fails with what it saw last.</summary>
    public static async Task<CaseSnapshot> WaitForAsync(this IModerationCaseClient cases, string caseId, Func<CaseSnapshot, bool> condition, TimeSpan? within = null)
    {
        using var limit = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(30));
        CaseSnapshot? last = null;
        while (!limit.IsCancellationRequested)
        {
            last = await cases.GetCaseAsync(caseId, CancellationToken.None);
            if (last is not null && condition(last))
            {
                return last;
            }

            await Task.Delay(25, CancellationToken.None);
        }

        throw new TimeoutException($"Case {caseId} never reached the expected state; last seen: {last}");
    }
}
