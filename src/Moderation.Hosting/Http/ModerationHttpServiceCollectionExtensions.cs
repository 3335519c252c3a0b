using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Moderation.Hosting.Http.Errors;
using Moderation.Hosting.Http.Health;

namespace Moderation.Hosting.Http;

public static class ModerationHttpServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ModerationExceptionHandler"/> (storage failures as 503 with <c>Retry-After</c>, nothing
    /// echoed) and the <see cref="StorageHealthCheck"/>; returns the health checks builder so a host adds its engine's
    /// check beside it. Pair with <see cref="UseModerationErrors"/>.
    /// </summary>
    public static IHealthChecksBuilder AddModerationHttpErrorsAndHealth(this IServiceCollection services)
    {
        services.AddExceptionHandler<ModerationExceptionHandler>();
        services.AddProblemDetails();
        return services.AddHealthChecks().AddCheck<StorageHealthCheck>(StorageHealthCheck.Name);
    }

    /// <summary>Puts the exception handler in the pipeline; call it first, so it wraps every endpoint.</summary>
    public static IApplicationBuilder UseModerationErrors(this IApplicationBuilder app) => app.UseExceptionHandler();
}
