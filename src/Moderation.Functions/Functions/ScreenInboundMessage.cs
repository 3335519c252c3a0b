using System.Globalization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using Moderation.Core.Screening;
using Moderation.Storage;
using Moderation.Storage.Queues;

namespace Moderation.Functions.Functions;

/// <summary>
/// Tier one behind the inbound queue: admit (decode, bind the id to its content), then screen (release clean messages, start a case for suspicious ones).
/// The runtime invokes the function once per message, many at a time (host.json <c>batchSize</c>); the
/// <see cref="ScreeningCoalescer"/> gathers those concurrent invocations into batches for the same batched screening
/// the self-hosted listener runs, so they share storage round trips.
/// An exception propagates so the runtime redelivers the message; on the last allowed attempt
/// (<c>Moderation:Storage:MaxDequeueCount</c>, which must equal host.json's <c>maxDequeueCount</c>) the message goes to
/// the poison queue in the same envelope, with the same reason, as the self-hosted host writes.
/// </summary>
public sealed class ScreenInboundMessage(InboundMessageAdmission admission, ScreeningCoalescer screening, PoisonQueue poisonQueue, IOptions<StorageOptions> storageOptions)
{
    /// <summary>
    /// The inbound queue: the setting <c>Moderation:Storage:Queues:Inbound</c> that the storage options and the
    /// self-hosted host read too, so the trigger and the app's own clients cannot disagree.
    /// </summary>
    public const string InboundQueueSetting = "%Moderation:Storage:Queues:Inbound%";

    /// <param name="durableClient">Declares the binding the injected case client uses (see <see cref="Durable.DurableClientAccessor"/>).</param>
    [Function(nameof(ScreenInboundMessage))]
    public async Task RunAsync(
        [QueueTrigger(InboundQueueSetting, Connection = "ModerationStorage")] BinaryData body,
        [DurableClient] DurableTaskClient durableClient,
        FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(context);

        // Decoded from the bytes (invalid UTF-8 is refused, not replaced) and bound to its id's content, as in the self-hosted listener.
        var decoded = await admission.AdmitAsync(body, context.CancellationToken);
        if (!decoded.Succeeded)
        {
            // Retrying cannot fix a malformed or conflicting message: poison it now, with the reason the runtime's own poisoning lacks.
            await poisonQueue.SendAsync(body.ToString(), decoded.Reason, DequeueCount(context), BindingValue(context, "Id"), context.CancellationToken);
            return;
        }

        try
        {
            // A copy whose id was admitted before is known as such for free; the last allowed attempt is never deferred.
            await screening.ScreenAsync(decoded.Message, decoded.ToAdmission(lastAttempt: DequeueCount(context) >= storageOptions.Value.MaxDequeueCount), context.CancellationToken);
        }
        catch (Exception ex) when (DequeueCount(context) >= storageOptions.Value.MaxDequeueCount && !context.CancellationToken.IsCancellationRequested)
        {
            // The runtime would poison the bare body without a reason; completing after this write deletes the message.
            await poisonQueue.SendAsync(body.ToString(), PoisonQueue.ExhaustedReason(storageOptions.Value.MaxDequeueCount, ex), DequeueCount(context), BindingValue(context, "Id"), context.CancellationToken);
        }
    }

    private static long DequeueCount(FunctionContext context) =>
        long.TryParse(BindingValue(context, "DequeueCount"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) ? count : 1;

    /// <summary>Queue trigger metadata (<c>Id</c>, <c>DequeueCount</c>, ...) as text, or null when absent.</summary>
    private static string? BindingValue(FunctionContext context, string name) =>
        context.BindingContext.BindingData.TryGetValue(name, out var value) ? value?.ToString()?.Trim('"') : null;
}
