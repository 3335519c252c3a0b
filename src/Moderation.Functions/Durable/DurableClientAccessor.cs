using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.DurableTask.Client;

namespace Moderation.Functions.Durable;

/// <summary>
/// The Durable Functions client of the current invocation. Durable Functions hands its client out only as the
/// <c>[DurableClient]</c> binding of a function, so <see cref="DurableClientMiddleware"/> binds it once per invocation
/// and the injected case client reads it from here (as <c>IHttpContextAccessor</c> does for the HTTP context).
/// </summary>
public sealed class DurableClientAccessor
{
    private static readonly AsyncLocal<DurableTaskClient?> CurrentClient = new();

    /// <summary>The client bound for the running invocation; throws when the function declares no <c>[DurableClient]</c> binding.</summary>
    public DurableTaskClient Client
    {
        get => CurrentClient.Value
            ?? throw new InvalidOperationException("No Durable Functions client in this invocation: the function needs a [DurableClient] binding.");
        internal set => CurrentClient.Value = value;
    }
}

/// <summary>Binds the <c>[DurableClient]</c> input of functions that declare one, for <see cref="DurableClientAccessor"/>.</summary>
public sealed class DurableClientMiddleware(DurableClientAccessor accessor) : IFunctionsWorkerMiddleware
{
    internal const string BindingType = "durableClient";

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var binding = context.FunctionDefinition.InputBindings.Values
            .FirstOrDefault(b => string.Equals(b.Type, BindingType, StringComparison.OrdinalIgnoreCase));
        if (binding is not null && (await context.BindInputAsync<DurableTaskClient>(binding)).Value is { } client)
        {
            accessor.Client = client;
        }

        await next(context);
    }
}
