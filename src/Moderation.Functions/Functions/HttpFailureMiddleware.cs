using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.DependencyInjection;
using Moderation.Hosting.Http.Errors;

namespace Moderation.Functions.Functions;

/// <summary>
/// The Functions app's counterpart of the self-hosted host's exception handler: an HTTP function that fails answers
/// through <see cref="ModerationExceptionHandler"/> (storage failures 503 with <c>Retry-After</c>, anything else a bare
/// 500; nothing echoed). Other triggers rethrow, so the queue and Durable runtimes retry as they should.
/// </summary>
internal sealed class HttpFailureMiddleware : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            await next(context);
        }
        catch (Exception ex) when (context.GetHttpContext() is { Response.HasStarted: false } http)
        {
            var handler = context.InstanceServices.GetRequiredService<ModerationExceptionHandler>();
            await handler.TryHandleAsync(http, ex, context.CancellationToken);
        }
    }
}
