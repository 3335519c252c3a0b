using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Moderation.Core.Audit;
using Moderation.Core.Cases;
using Moderation.Core.Review;
using Moderation.Host.Durable;
using Moderation.Host.Tests.Fakes;
using Moderation.Hosting.Http.Authentication;
using Moderation.Prefilter;

namespace Moderation.Host.Tests;

/// <summary>
/// The real host (Program) with its HTTP pipeline, the case client and audit log replaced by fakes, background
/// services (queue listener, Durable Task worker, purge, storage provisioning) removed, and a fixed clock. Decision
/// claims and nonces are in memory unless <paramref name="storageConnection"/> is given: then they are the real tables
/// on that account.
/// </summary>
internal sealed class HostFactory(string? storageConnection = null, string environment = "Testing") : WebApplicationFactory<Program>
{
    public const string SigningSecret = "test-review-signing-secret-0123456789abcdef";
    public const string ApiKey = "test-review-api-key-0123456789abcdefghijkl";

    public static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly StorageNames names = new();

    public FakeCaseClient Cases { get; } = new();

    public FakeAuditLog Audit { get; } = new();

    public InMemoryNonceStore Nonces { get; } = new();

    /// <summary>Table names unique to this factory, when it runs on real storage.</summary>
    public string TableSuffix => names.Suffix;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        if (storageConnection is not null)
        {
            builder.UseSetting("ModerationStorage", storageConnection);
            builder.UseSetting("Moderation:Storage:Tables:ReviewDecisions", names.Table("Decisions"));
            builder.UseSetting("Moderation:Storage:Tables:SignatureNonces", names.Table("Nonces"));
        }

        builder.UseSetting("Moderation:Review:SigningSecret", SigningSecret);
        builder.UseSetting("Moderation:Review:ApiKeys:0", ApiKey);
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<IHostedService>();

            // No engine runs here, so its health check would always fail; the storage check is what these tests probe.
            services.PostConfigure<HealthCheckServiceOptions>(o =>
            {
                foreach (var engine in o.Registrations.Where(r => r.Name == DurableTaskEngineHealthCheck.Name).ToList())
                {
                    o.Registrations.Remove(engine);
                }
            });
            services.RemoveAll<IModerationCaseClient>();
            services.AddSingleton<IModerationCaseClient>(Cases);
            services.RemoveAll<IAuditLog>();
            services.AddSingleton<IAuditLog>(Audit);
            if (storageConnection is null)
            {
                services.RemoveAll<IReviewDecisionClaims>();
                services.AddSingleton<IReviewDecisionClaims>(new InMemoryDecisionClaims());
                services.RemoveAll<IRequestNonceStore>();
                services.AddSingleton<IRequestNonceStore>(Nonces);
            }

            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(new FixedTimeProvider(Now));
            // No ONNX model is needed to answer HTTP requests.
            services.RemoveAll<IValidateOptions<PrefilterOptions>>();
        });
    }
}
