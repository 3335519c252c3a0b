using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Moderation.Core.Classification;
using Moderation.Core.Conversations;
using Moderation.Core.Messages;
using Moderation.Core.Telemetry;
using Moderation.Llm.Costs;
using Moderation.Llm.Prompting;
using OpenAI.Chat;
using ChatMessage = Moderation.Core.Messages.ChatMessage;

namespace Moderation.Llm.Classification;

/// <summary>
/// Classifies a message with a chat model (Azure OpenAI or OpenAI-compatible) under a strict JSON schema.
///
/// Retries live in ONE place, the caller's: the SDK pipeline's own retries are switched off where the client is built,
/// and every failure surfaces as <see cref="LlmClassificationException"/> (with <see cref="LlmClassificationException.RetryAfter"/>
/// when the service said how long to wait), so the workflow's activity retry policy alone decides whether to try again.
/// </summary>
public sealed partial class ChatModelClassifier(
    ChatClient chatClient,
    ModerationPrompt prompt,
    string model,
    TokenPricing pricing,
    TimeSpan requestTimeout,
    ChatCompletionOptions completionTemplate,
    ILogger<ChatModelClassifier> logger) : ILlmClassifier
{
    /// <summary>Longest Retry-After we pass on; a service asking for more is treated as asking for this.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(5);

    public string Model => model;

    public ModerationPrompt Prompt => prompt;

    /// <summary>How much conversation context fits the prompt; none unless set.</summary>
    public ContextTokenBudget ContextBudget { get; init; } = ContextTokenBudget.None;

    public Task<LlmClassification> ClassifyAsync(ChatMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return MeasuredAsync(message, ClassificationContract.EncodeUserMessage(message), cancellationToken);
    }

    public Task<LlmClassification> ClassifyAsync(ChatMessage message, IReadOnlyList<ConversationTurn> context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(context);
        var kept = ContextBudget.Trim(context);
        return MeasuredAsync(message, ClassificationContract.EncodeUserMessage(message, kept), cancellationToken);
    }

    /// <summary>One classification call, counted in the LLM metrics by outcome, latency and failure kind.</summary>
    private async Task<LlmClassification> MeasuredAsync(ChatMessage message, string encodedUserMessage, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var classification = await ClassifyEncodedAsync(message, encodedUserMessage, cancellationToken);
            if (classification.Verdict is { } verdict)
            {
                ModerationTelemetry.RecordLlmAnswer(verdict, Stopwatch.GetElapsedTime(started));
            }

            return classification;
        }
        catch (LlmClassificationException ex)
        {
            ModerationTelemetry.RecordLlmFailure(model, FailureKind(ex), Stopwatch.GetElapsedTime(started));
            throw;
        }
    }

    /// <summary>The metric's failure kind of a classification failure (one of <see cref="ModerationTelemetry.LlmFailureKinds"/>).</summary>
    internal static string FailureKind(LlmClassificationException failure) => failure.InnerException switch
    {
        OperationCanceledException => ModerationTelemetry.LlmFailureKinds.Timeout,
        HttpRequestException => ModerationTelemetry.LlmFailureKinds.Unavailable,
        ClientResultException { Status: 429 } => ModerationTelemetry.LlmFailureKinds.Throttled,
        ClientResultException { Status: 400 } http when ContentFilterRefusal.TryParse(http.GetRawResponse()?.Content) is not null => ModerationTelemetry.LlmFailureKinds.ContentFilter,
        ClientResultException { Status: 0 or 408 or 500 or 502 or 503 or 504 } => ModerationTelemetry.LlmFailureKinds.Unavailable,
        ClientResultException => ModerationTelemetry.LlmFailureKinds.Rejected,

        // No transport failure: the model answered, but not with a usable classification.
        _ when failure.Message.Contains("content filter", StringComparison.OrdinalIgnoreCase) => ModerationTelemetry.LlmFailureKinds.ContentFilter,
        _ => ModerationTelemetry.LlmFailureKinds.InvalidOutput,
    };

    private async Task<LlmClassification> ClassifyEncodedAsync(ChatMessage message, string encodedUserMessage, CancellationToken cancellationToken)
    {
        var text = message.Text ?? string.Empty;
        var conversation = ClassificationContract.BuildConversation(prompt, encodedUserMessage);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(requestTimeout);

        ChatCompletion completion;
        try
        {
            completion = (await chatClient.CompleteChatAsync(conversation, CreateCompletionOptions(), timeout.Token)).Value;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailure(logger, message.MessageId, "timeout", 0);
            throw new LlmClassificationException($"The LLM did not answer within {requestTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.", ex) { IsTransient = true };
        }
        catch (ClientResultException ex)
        {
            if (ex.Status == 400 && ContentFilterRefusal.TryParse(ex.GetRawResponse()?.Content) is { } refusal)
            {
                return FromContentFilter(message, refusal, ex);
            }

            LogFailure(logger, message.MessageId, "http", ex.Status);
            throw MapFailure(ex);
        }
        catch (HttpRequestException ex)
        {
            LogFailure(logger, message.MessageId, "connection", 0);
            throw new LlmClassificationException("The LLM endpoint could not be reached.", ex) { IsTransient = true };
        }

        if (completion.FinishReason != ChatFinishReason.Stop)
        {
            LogFailure(logger, message.MessageId, "finish_reason " + completion.FinishReason, 200);
            throw completion.FinishReason switch
            {
                ChatFinishReason.Length => new LlmClassificationException($"The LLM's answer was cut off at {completion.Usage?.OutputTokenCount} output tokens (finish_reason length).") { IsTransient = true },
                ChatFinishReason.ContentFilter => new LlmClassificationException("The content filter cut off the LLM's answer (finish_reason content_filter).") { IsTransient = true },
                _ => new LlmClassificationException($"The LLM stopped with finish_reason {completion.FinishReason} instead of answering.") { IsTransient = true },
            };
        }

        if (!string.IsNullOrEmpty(completion.Refusal))
        {
            LogFailure(logger, message.MessageId, "refusal", 200);
            throw new LlmClassificationException("The LLM refused to classify the message.") { IsTransient = true };
        }

        var content = string.Concat(completion.Content.Where(p => p.Kind == ChatMessageContentPartKind.Text).Select(p => p.Text));
        var answer = ClassificationContract.ParseAnswer(content, text);
        var usage = pricing.Price(completion.Usage?.InputTokenCount ?? 0, completion.Usage?.OutputTokenCount ?? 0);
        LogVerdict(logger, message.MessageId, answer.Category.ToString(), answer.Confidence, model, prompt.Version, usage.InputTokens, usage.OutputTokens);
        return LlmClassification.Classified(new LlmVerdict(answer.Category, answer.Confidence, answer.Rationale, answer.Evidence, model, prompt.Version, usage));
    }

    /// <summary>Fresh options per call: the SDK's options object is mutable and not meant to be shared across requests.</summary>
    private ChatCompletionOptions CreateCompletionOptions() => new()
    {
        ResponseFormat = completionTemplate.ResponseFormat,
        MaxOutputTokenCount = completionTemplate.MaxOutputTokenCount,
        Temperature = completionTemplate.Temperature,
    };

    private LlmClassification FromContentFilter(ChatMessage message, ContentFilterRefusal refusal, ClientResultException ex)
    {
        var names = refusal.Filtered.Select(f => f.Name).ToList();
        if (refusal.ToPolicyCategory() is not { } mapped)
        {
            LogFailure(logger, message.MessageId, "content_filter " + string.Join(",", names), 400);
            throw new LlmClassificationException(
                $"The content filter refused the message for [{string.Join(", ", names)}], which no policy category covers; a human decides.", ex);
        }

        var described = string.Join(", ", refusal.Filtered.Select(f => f.Severity is null ? f.Name : $"{f.Name} ({f.Severity})"));
        LogVerdict(logger, message.MessageId, mapped.Category.ToString(), mapped.Confidence, model, prompt.Version, 0, 0);
        return LlmClassification.Classified(new LlmVerdict(
            mapped.Category,
            mapped.Confidence,
            $"The provider's content filter refused the message: {described}.",
            [],
            model,
            prompt.Version,
            TokenUsage.None,
            VerdictSource.ContentFilter,
            names));
    }

    internal static LlmClassificationException MapFailure(ClientResultException ex)
    {
        var response = ex.GetRawResponse();
        return ex.Status switch
        {
            429 or 503 => new LlmClassificationException(
                $"The LLM service is {(ex.Status == 429 ? "throttling requests (429)" : "unavailable (503)")}.", ex)
            { IsTransient = true, RetryAfter = ReadRetryAfter(response) },
            401 or 403 => new LlmClassificationException(
                $"The LLM endpoint rejected our credentials ({ex.Status}): check the API key, or the managed identity's 'Cognitive Services OpenAI User' role on the resource.", ex),
            404 => new LlmClassificationException(
                "The LLM endpoint returned 404: check the endpoint, the deployment (or model) name and the API version.", ex),
            0 or 408 or 500 or 502 or 504 => new LlmClassificationException($"The LLM service failed ({StatusText(ex.Status)}).", ex) { IsTransient = true, RetryAfter = ReadRetryAfter(response) },
            _ => new LlmClassificationException($"The LLM service rejected the request ({ex.Status}).", ex),
        };
    }

    /// <summary>Azure sends retry-after-ms / x-ms-retry-after-ms; HTTP servers send Retry-After in seconds or as a date.</summary>
    internal static TimeSpan? ReadRetryAfter(PipelineResponse? response)
    {
        if (response is null)
        {
            return null;
        }

        TimeSpan? wait = null;
        foreach (var header in new[] { "retry-after-ms", "x-ms-retry-after-ms" })
        {
            if (response.Headers.TryGetValue(header, out var ms) && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var millis) && millis >= 0)
            {
                wait = TimeSpan.FromMilliseconds(millis);
                break;
            }
        }

        if (wait is null && response.Headers.TryGetValue("Retry-After", out var retryAfter) && retryAfter is not null)
        {
            if (int.TryParse(retryAfter, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                wait = TimeSpan.FromSeconds(seconds);
            }
            else if (DateTimeOffset.TryParse(retryAfter, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                var delta = at - DateTimeOffset.UtcNow;
                wait = delta > TimeSpan.Zero ? delta : TimeSpan.Zero;
            }
        }

        return wait > MaxRetryAfter ? MaxRetryAfter : wait;
    }

    private static string StatusText(int status) => status == 0 ? "no response" : status.ToString(CultureInfo.InvariantCulture);

    // The message text is personal data: logs carry the id, the verdict and the failure, never the text.
    [LoggerMessage(Level = LogLevel.Information, Message = "LLM verdict for {MessageId}: {Category} ({Confidence:0.###}) by {Model}, prompt {PromptVersion}, tokens {InputTokens}+{OutputTokens}")]
    private static partial void LogVerdict(ILogger logger, string messageId, string category, double confidence, string model, string promptVersion, int inputTokens, int outputTokens);

    [LoggerMessage(Level = LogLevel.Warning, Message = "LLM classification of {MessageId} failed: {Failure} (status {Status})")]
    private static partial void LogFailure(ILogger logger, string messageId, string failure, int status);
}
