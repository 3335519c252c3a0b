using Moderation.Core.Classification;
using Moderation.Core.Messages;

namespace Moderation.Llm.Evaluation;

/// <summary>The result for one message of a batch: a verdict, or the last error after every attempt.</summary>
public sealed record BatchOutcome(int Index, LlmVerdict? Verdict, string? Error, int Attempts);

/// <summary>
/// Classifies many messages with a bound on concurrent requests, as offline evaluation needs. Transient failures are
/// retried here (this loop is the only retry: the classifier's SDK retries are off), waiting as long as the service's
/// Retry-After asks, capped.
/// </summary>
public sealed class BatchClassification(ILlmClassifier classifier, int concurrency, int maxAttempts, TimeSpan maxRetryWait)
{
    public async Task<IReadOnlyList<BatchOutcome>> RunAsync(IReadOnlyList<string> texts, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        var outcomes = new BatchOutcome[texts.Count];
        var done = 0;
        await Parallel.ForEachAsync(
            Enumerable.Range(0, texts.Count),
            new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (index, token) =>
            {
                outcomes[index] = await ClassifyOneAsync(index, texts[index], token);
                progress?.Report(Interlocked.Increment(ref done));
            });
        return outcomes;
    }

    private async Task<BatchOutcome> ClassifyOneAsync(int index, string text, CancellationToken cancellationToken)
    {
        var message = new ChatMessage($"eval-{index}", "evaluation", "sender", ParticipantRole.Unknown, "recipient", ParticipantRole.Unknown, text, DateTimeOffset.UnixEpoch);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var result = await classifier.ClassifyAsync(message, cancellationToken);
                return result.Verdict is { } verdict
                    ? new BatchOutcome(index, verdict, null, attempt)
                    : new BatchOutcome(index, null, result.Detail ?? result.Status.ToString(), attempt);
            }
            catch (LlmClassificationException ex) when (ex.IsTransient && attempt < maxAttempts)
            {
                var wait = ex.RetryAfter ?? TimeSpan.FromSeconds(Math.Pow(2, attempt - 1));
                await Task.Delay(wait < maxRetryWait ? wait : maxRetryWait, cancellationToken);
            }
            catch (LlmClassificationException ex)
            {
                return new BatchOutcome(index, null, ex.Message, attempt);
            }
        }
    }
}
