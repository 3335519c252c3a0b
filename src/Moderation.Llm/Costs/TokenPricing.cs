using Moderation.Core.Classification;
using Moderation.Llm.Configuration;

namespace Moderation.Llm.Costs;

/// <summary>Turns token counts into an estimated cost with the configured per-1K prices (input and output are priced apart).</summary>
public sealed record TokenPricing(decimal InputCostPer1KTokens, decimal OutputCostPer1KTokens)
{
    public static TokenPricing From(LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(options.InputCostPer1KTokens, options.OutputCostPer1KTokens);
    }

    public TokenUsage Price(int inputTokens, int outputTokens) =>
        new(inputTokens, outputTokens, (inputTokens * InputCostPer1KTokens + outputTokens * OutputCostPer1KTokens) / 1000m);
}

/// <summary>
/// Running totals of LLM usage over many classifications, safe to add to from concurrent requests; reports the cost
/// per 1,000 classified messages, the number capacity planning needs.
/// </summary>
public sealed class LlmUsageTally
{
    private readonly Lock gate = new();
    private long inputTokens;
    private long outputTokens;
    private decimal costUsd;
    private int messages;

    public void Add(TokenUsage usage)
    {
        ArgumentNullException.ThrowIfNull(usage);
        lock (gate)
        {
            inputTokens += usage.InputTokens;
            outputTokens += usage.OutputTokens;
            costUsd += usage.EstimatedCostUsd;
            messages++;
        }
    }

    public LlmUsageSummary Summarize()
    {
        lock (gate)
        {
            return new LlmUsageSummary(messages, inputTokens, outputTokens, costUsd);
        }
    }
}

/// <summary>Totals over <paramref name="Messages"/> classifications.</summary>
public sealed record LlmUsageSummary(int Messages, long InputTokens, long OutputTokens, decimal TotalCostUsd)
{
    public long TotalTokens => InputTokens + OutputTokens;

    /// <summary>Average cost of 1,000 messages; zero when nothing was counted.</summary>
    public decimal CostPer1000MessagesUsd => Messages == 0 ? 0m : TotalCostUsd / Messages * 1000m;

    public double AverageTokensPerMessage => Messages == 0 ? 0 : (double)TotalTokens / Messages;
}
