using System.Diagnostics;
using System.Diagnostics.Metrics;
using Moderation.Core.Classification;
using Moderation.Core.Delivery;
using Moderation.Core.Screening;

namespace Moderation.Core.Telemetry;

/// <summary>
/// The pipeline's traces and metrics, on <see cref="System.Diagnostics"/> only: hosts subscribe to <see cref="Name"/>
/// with whatever exporter they use (OpenTelemetry in both hosts). Spans and measurements carry ids, routes, categories
/// and rule ids, never message text: the text is personal data. Names: docs/observability.md.
/// </summary>
public static class ModerationTelemetry
{
    /// <summary>The name of both the activity source and the meter.</summary>
    public const string Name = "Moderation";

    /// <summary>Tag names, shared by spans and metrics.</summary>
    public static class Tags
    {
        public const string MessageId = "moderation.message_id";
        public const string CaseId = "moderation.case_id";
        public const string Route = "moderation.route";
        public const string Suspicious = "moderation.suspicious";
        public const string RuleId = "moderation.rule_id";
        public const string Disposition = "moderation.disposition";
        public const string DecidedBy = "moderation.decided_by";
        public const string Category = "moderation.category";
        public const string Model = "moderation.llm.model";
        public const string Outcome = "moderation.outcome";
        public const string FailureKind = "moderation.llm.failure_kind";
        public const string TokenType = "moderation.llm.token_type";
        public const string Reason = "moderation.reason";
        public const string Delivery = "moderation.delivery.result";
        public const string ReviewStatus = "moderation.review.status";
    }

    /// <summary>LLM failure kinds, the values of <see cref="Tags.FailureKind"/>.</summary>
    public static class LlmFailureKinds
    {
        public const string Throttled = "throttled";
        public const string ContentFilter = "content_filter";
        public const string Timeout = "timeout";
        public const string InvalidOutput = "invalid_output";
        public const string Unavailable = "unavailable";
        public const string Rejected = "rejected";
    }

    public static readonly ActivitySource Source = new(Name, "1.0");

    public static readonly Meter Meter = new(Name, "1.0");

    private static readonly Counter<long> MessagesScreened = Meter.CreateCounter<long>(
        "moderation.messages.screened", "{message}", "Messages screened, by route (released, case_started, already_released, case_already_exists).");

    private static readonly Histogram<double> PrefilterDuration = Meter.CreateHistogram<double>(
        "moderation.prefilter.duration", "s", "Time the rule screen and CNN took to score one batch.");

    private static readonly Counter<long> RuleHits = Meter.CreateCounter<long>(
        "moderation.prefilter.rule_hits", "{hit}", "Rule screen hits, by rule id (a message counts once per rule).");

    private static readonly Counter<long> CasesStarted = Meter.CreateCounter<long>(
        "moderation.cases.started", "{case}", "Moderation cases started for suspicious messages.");

    private static readonly Counter<long> CasesFinished = Meter.CreateCounter<long>(
        "moderation.cases.finished", "{case}", "Moderation cases delivered, by disposition and decider (llm, reviewer, timeout).");

    private static readonly Counter<long> LlmCalls = Meter.CreateCounter<long>(
        "moderation.llm.calls", "{call}", "LLM classification calls, by outcome (classified, content_filter, failed) and failure kind.");

    private static readonly Histogram<double> LlmDuration = Meter.CreateHistogram<double>(
        "moderation.llm.duration", "s", "LLM classification call latency.");

    private static readonly Counter<long> LlmTokens = Meter.CreateCounter<long>(
        "moderation.llm.tokens", "{token}", "LLM tokens used, by token type (input, output).");

    private static readonly Counter<double> LlmCost = Meter.CreateCounter<double>(
        "moderation.llm.cost", "USD", "Estimated LLM cost from the configured per-1K-token prices.");

    private static readonly Counter<long> LlmFailedCases = Meter.CreateCounter<long>(
        "moderation.llm.exhausted", "{case}", "Cases whose LLM classification failed after every retry (a human decides).");

    private static readonly Counter<long> ReviewsRequested = Meter.CreateCounter<long>(
        "moderation.reviews.requested", "{case}", "Cases sent to human review.");

    private static readonly Histogram<double> ReviewWait = Meter.CreateHistogram<double>(
        "moderation.review.wait", "s", "From the review request to the reviewer's decision or the deadline, by status (decided, timed_out).");

    private static readonly Counter<long> ReviewTimeouts = Meter.CreateCounter<long>(
        "moderation.review.timeouts", "{case}", "Reviews whose deadline passed without a decision (the category default applied).");

    private static readonly Counter<long> ReviewCallbacks = Meter.CreateCounter<long>(
        "moderation.review.callbacks", "{request}", "Review callback submissions, by status (accepted, invalid, unknown_case, already_decided).");

    private static readonly Counter<long> Poisoned = Meter.CreateCounter<long>(
        "moderation.poison.messages", "{message}", "Inbound messages moved to the poison queue, by reason kind.");

    private static readonly Counter<long> Deliveries = Meter.CreateCounter<long>(
        "moderation.deliveries", "{message}", "Deliveries to the released and blocked queues, by disposition and result (sent, already_sent, conflict).");

    private static readonly Counter<long> DeliveryRetries = Meter.CreateCounter<long>(
        "moderation.delivery.retries", "{attempt}", "Delivery attempts that failed and are retried (by the workflow's retry policy or the queue's redelivery).");

    /// <summary>The span of one message's screening; the case's Durable Task spans become its children.</summary>
    public static Activity? StartScreening(string messageId, ScreeningDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var activity = Source.StartActivity("moderation.screen");
        activity?.SetTag(Tags.MessageId, messageId);
        activity?.SetTag(Tags.CaseId, messageId);
        activity?.SetTag(Tags.Suspicious, decision.IsSuspicious);
        return activity;
    }

    /// <summary>
    /// Spans of messages screened together (the clean batch), started as siblings under the current context rather
    /// than nested in one another; <see cref="EndScreenings"/> ends them once the batch has settled.
    /// </summary>
    public static IReadOnlyList<Activity?> StartScreenings(IReadOnlyList<(string MessageId, ScreeningDecision Decision)> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var parent = Activity.Current;
        var spans = new Activity?[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            spans[i] = StartScreening(messages[i].MessageId, messages[i].Decision);
            Activity.Current = parent;
        }

        return spans;
    }

    /// <summary>Tags each span of <see cref="StartScreenings"/> with its message's route (or its failure) and ends it.</summary>
    public static void EndScreenings(IReadOnlyList<Activity?> spans, IReadOnlyList<ScreeningAttempt> attempts)
    {
        ArgumentNullException.ThrowIfNull(spans);
        ArgumentNullException.ThrowIfNull(attempts);
        for (var i = 0; i < spans.Count; i++)
        {
            if (spans[i] is not { } span)
            {
                continue;
            }

            if (i < attempts.Count && attempts[i].Result is { } result)
            {
                span.SetTag(Tags.Route, RouteName(result.Route));
            }
            else if (i < attempts.Count && attempts[i].Error is { } error)
            {
                Fail(span, error);
            }

            span.Dispose();
        }
    }

    /// <summary>Spans of one step for several cases handled together, siblings under the current context.</summary>
    public static IReadOnlyList<Activity?> StartCaseSteps(string name, IReadOnlyList<string> caseIds)
    {
        ArgumentNullException.ThrowIfNull(caseIds);
        var parent = Activity.Current;
        var spans = new Activity?[caseIds.Count];
        for (var i = 0; i < caseIds.Count; i++)
        {
            spans[i] = StartCaseStep(name, caseIds[i]);
            Activity.Current = parent;
        }

        return spans;
    }

    /// <summary>The span of one workflow activity's work for a case (the case id is the message id).</summary>
    public static Activity? StartCaseStep(string name, string caseId)
    {
        var activity = Source.StartActivity(name);
        activity?.SetTag(Tags.CaseId, caseId);
        activity?.SetTag(Tags.MessageId, caseId);
        return activity;
    }

    /// <summary>Marks a span failed with the exception's type (not its message, which may quote input).</summary>
    public static void Fail(Activity? activity, Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        activity?.SetStatus(ActivityStatusCode.Error, error.GetType().Name);
    }

    public static void RecordPrefilter(IReadOnlyList<PrefilterScore> scores, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(scores);
        PrefilterDuration.Record(elapsed.TotalSeconds);
        foreach (var score in scores)
        {
            foreach (var ruleId in score.RuleHits.Select(h => h.RuleId).Distinct(StringComparer.Ordinal))
            {
                RuleHits.Add(1, new KeyValuePair<string, object?>(Tags.RuleId, ruleId));
            }
        }
    }

    public static void RecordScreened(IReadOnlyList<ScreeningResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        foreach (var result in results)
        {
            MessagesScreened.Add(1, new KeyValuePair<string, object?>(Tags.Route, RouteName(result.Route)));
            if (result.Route == ScreeningRoute.CaseStarted)
            {
                CasesStarted.Add(1);
            }
        }
    }

    public static void RecordCaseFinished(ModerationOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        CasesFinished.Add(
            1,
            new KeyValuePair<string, object?>(Tags.Disposition, Lower(outcome.Disposition.ToString())),
            new KeyValuePair<string, object?>(Tags.DecidedBy, Lower(outcome.DecidedBy.ToString())));
    }

    /// <summary>A classification the model (or the provider's content filter) answered.</summary>
    public static void RecordLlmAnswer(LlmVerdict verdict, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        var outcome = verdict.Source == VerdictSource.ContentFilter ? "content_filter" : "classified";
        var model = new KeyValuePair<string, object?>(Tags.Model, verdict.Model);
        LlmCalls.Add(1, new KeyValuePair<string, object?>(Tags.Outcome, outcome), model);
        LlmDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(Tags.Outcome, outcome), model);
        if (verdict.Usage.TotalTokens > 0)
        {
            LlmTokens.Add(verdict.Usage.InputTokens, new KeyValuePair<string, object?>(Tags.TokenType, "input"), model);
            LlmTokens.Add(verdict.Usage.OutputTokens, new KeyValuePair<string, object?>(Tags.TokenType, "output"), model);
        }

        if (verdict.Usage.EstimatedCostUsd > 0)
        {
            LlmCost.Add((double)verdict.Usage.EstimatedCostUsd, model);
        }
    }

    /// <summary>A classification call that failed; <paramref name="kind"/> is one of <see cref="LlmFailureKinds"/>.</summary>
    public static void RecordLlmFailure(string model, string kind, TimeSpan elapsed)
    {
        var modelTag = new KeyValuePair<string, object?>(Tags.Model, model);
        LlmCalls.Add(1, new KeyValuePair<string, object?>(Tags.Outcome, "failed"), new KeyValuePair<string, object?>(Tags.FailureKind, kind), modelTag);
        LlmDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(Tags.Outcome, "failed"), modelTag);
    }

    public static void RecordLlmExhausted() => LlmFailedCases.Add(1);

    public static void RecordReviewRequested() => ReviewsRequested.Add(1);

    /// <summary>The end of a review wait: a reviewer's decision or the deadline.</summary>
    public static void RecordReviewEnded(bool timedOut, TimeSpan waited)
    {
        ReviewWait.Record(waited.TotalSeconds, new KeyValuePair<string, object?>(Tags.ReviewStatus, timedOut ? "timed_out" : "decided"));
        if (timedOut)
        {
            ReviewTimeouts.Add(1);
        }
    }

    public static void RecordReviewCallback(string status) =>
        ReviewCallbacks.Add(1, new KeyValuePair<string, object?>(Tags.ReviewStatus, status));

    /// <param name="reasonKind">A short, low-cardinality reason (malformed, exhausted, conflict), never the full reason.</param>
    public static void RecordPoisoned(string reasonKind) =>
        Poisoned.Add(1, new KeyValuePair<string, object?>(Tags.Reason, reasonKind));

    public static void RecordDelivery(Disposition disposition, string result) =>
        Deliveries.Add(
            1,
            new KeyValuePair<string, object?>(Tags.Disposition, Lower(disposition.ToString())),
            new KeyValuePair<string, object?>(Tags.Delivery, result));

    public static void RecordDeliveryRetry(Disposition disposition) =>
        DeliveryRetries.Add(1, new KeyValuePair<string, object?>(Tags.Disposition, Lower(disposition.ToString())));

    /// <summary>snake_case, as the route and status tags are written.</summary>
    public static string RouteName(ScreeningRoute route) => route switch
    {
        ScreeningRoute.Released => "released",
        ScreeningRoute.AlreadyReleased => "already_released",
        ScreeningRoute.CaseStarted => "case_started",
        ScreeningRoute.CaseAlreadyExists => "case_already_exists",
        _ => Lower(route.ToString()),
    };

    private static string Lower(string value) => value.ToLowerInvariant();
}
