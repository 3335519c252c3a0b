using System.Text.Json;
using Moderation.Core.Classification;
using Moderation.Core.Policy;
using Moderation.Llm.Configuration;
using Moderation.Llm.Prompting;
using Moderation.Llm.Tests.Fakes;

namespace Moderation.Llm.Tests;

public sealed class ChatModelClassifierTests : IAsyncLifetime
{
    private FakeChatEndpoint endpoint = null!;

    public async Task InitializeAsync() => endpoint = await FakeChatEndpoint.StartAsync();

    public async Task DisposeAsync() => await endpoint.DisposeAsync();

    [Fact]
    public async Task Azure_key_auth_posts_to_the_deployment_chat_completions_path_with_api_version_and_api_key_header()
    {
        var classifier = Classifiers.Create(Classifiers.AzureOptions(endpoint));

        await classifier.ClassifyAsync(Messages.From("See you at 9"), CancellationToken.None);

        var request = Assert.Single(endpoint.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal($"/openai/deployments/{Classifiers.Deployment}/chat/completions", request.Path);
        Assert.Equal("?api-version=2024-10-21", request.Query);
        Assert.Equal(Classifiers.Key, request.Header("api-key"));
        Assert.Null(request.Header("authorization"));
    }

    [Fact]
    public void An_api_version_without_strict_json_schema_outputs_is_refused_at_start_up()
    {
        // 2024-06-01 answers 400 to a json_schema response format: every classification would fail into review.
        var options = Classifiers.AzureOptions(endpoint);
        options.ApiVersion = "2024-06-01";

        var result = new LlmOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("ApiVersion must be one of 2024-10-21", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Azure_without_a_key_authenticates_with_a_bearer_token_from_the_token_credential()
    {
        var credential = new FakeTokenCredential("managed-identity-token");
        var classifier = Classifiers.Create(Classifiers.AzureOptions(endpoint, apiKey: null), credential);

        await classifier.ClassifyAsync(Messages.From("See you at 9"), CancellationToken.None);

        var request = Assert.Single(endpoint.Requests);
        Assert.Equal("Bearer managed-identity-token", request.Header("authorization"));
        Assert.Null(request.Header("api-key"));
        Assert.Contains("https://cognitiveservices.azure.com/.default", credential.RequestedScopes);
    }

    [Fact]
    public async Task Request_carries_the_strict_json_schema_whose_category_enum_is_the_taxonomy()
    {
        var options = Classifiers.AzureOptions(endpoint);
        options.MaxOutputTokens = 250;
        options.Temperature = 0.0f;
        var classifier = Classifiers.Create(options);

        await classifier.ClassifyAsync(Messages.From("See you at 9"), CancellationToken.None);

        using var body = Assert.Single(endpoint.Requests).Json();
        var root = body.RootElement;
        var format = root.GetProperty("response_format");
        Assert.Equal("json_schema", format.GetProperty("type").GetString());
        var schema = format.GetProperty("json_schema");
        Assert.Equal(ClassificationContract.ResponseFormatName, schema.GetProperty("name").GetString());
        Assert.True(schema.GetProperty("strict").GetBoolean());
        var properties = schema.GetProperty("schema").GetProperty("properties");
        var categories = properties.GetProperty("category").GetProperty("enum").EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.Equal(PolicyCategories.All.Select(c => c.WireName()), categories);
        Assert.Equal(["category", "confidence", "rationale", "evidence"], schema.GetProperty("schema").GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.False(schema.GetProperty("schema").GetProperty("additionalProperties").GetBoolean());
        Assert.Equal(250, root.TryGetProperty("max_completion_tokens", out var max) ? max.GetInt32() : root.GetProperty("max_tokens").GetInt32());
        Assert.Equal(0.0, root.GetProperty("temperature").GetDouble());
    }

    [Fact]
    public async Task A_valid_answer_becomes_a_verdict_with_model_prompt_version_tokens_and_cost()
    {
        const string text = "Call me on 07700 900123 and pay cash, skip the fee";
        endpoint.Enqueue(FakeChatEndpoint.Answer(FakeChatEndpoint.Completion(
            """{"category":"off_platform_contact","confidence":0.93,"rationale":"Shares a phone number and offers cash.","evidence":["07700 900123","pay cash"]}""",
            promptTokens: 1000,
            completionTokens: 50)));
        var options = Classifiers.AzureOptions(endpoint);
        var classifier = Classifiers.Create(options);

        var result = await classifier.ClassifyAsync(Messages.From(text), CancellationToken.None);

        Assert.Equal(LlmClassificationStatus.Classified, result.Status);
        var verdict = Assert.IsType<LlmVerdict>(result.Verdict);
        Assert.Equal(PolicyCategory.OffPlatformContact, verdict.Category);
        Assert.Equal(0.93, verdict.Confidence);
        Assert.Equal("Shares a phone number and offers cash.", verdict.Rationale);
        Assert.Equal(["07700 900123", "pay cash"], verdict.Evidence);
        Assert.Equal(Classifiers.Deployment, verdict.Model);
        Assert.Equal(ModerationPrompt.Load(options.ResolvedPromptPath).Version, verdict.PromptVersion);
        Assert.Equal(VerdictSource.Model, verdict.Source);
        Assert.Equal(1000, verdict.Usage.InputTokens);
        Assert.Equal(50, verdict.Usage.OutputTokens);
        // 1000 x 0.15 / 1K + 50 x 0.60 / 1K
        Assert.Equal(0.18m, verdict.Usage.EstimatedCostUsd);
    }

    [Fact]
    public async Task Evidence_spans_that_do_not_occur_in_the_message_are_dropped()
    {
        endpoint.Enqueue(FakeChatEndpoint.Answer(FakeChatEndpoint.Completion(
            """{"category":"harassment","confidence":0.91,"rationale":"Insults the professional.","evidence":["useless idiot","total moron"]}""")));
        var classifier = Classifiers.Create(Classifiers.AzureOptions(endpoint));

        var result = await classifier.ClassifyAsync(Messages.From("You are a useless idiot"), CancellationToken.None);

        Assert.Equal(["useless idiot"], result.Verdict!.Evidence);
    }

    [Theory]
    [InlineData("Retry-After", "7", 7000)]
    [InlineData("retry-after-ms", "1500", 1500)]
    [InlineData("x-ms-retry-after-ms", "250", 250)]
    public async Task Throttling_429_is_transient_carries_retry_after_and_is_not_retried_by_the_sdk(string header, string value, int expectedMs)
    {
        endpoint.DefaultResponse = FakeChatEndpoint.Status(429, """{"error":{"code":"429","message":"Rate limit reached"}}""", new Dictionary<string, string> { [header] = value });
        var classifier = Classifiers.Create(Classifiers.AzureOptions(endpoint));

        var ex = await Assert.ThrowsAsync<LlmClassificationException>(() => classifier.ClassifyAsync(Messages.From("hello"), CancellationToken.None));

        Assert.True(ex.IsTransient);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), ex.RetryAfter);
        Assert.Single(endpoint.Requests);
    }

    [Fact]
    public async Task Service_unavailable_503_is_transient_and_sent_once()
    {
        endpoint.DefaultResponse = FakeChatEndpoint.Status(503, headers: new Dictionary<string, string> { ["Retry-After"] = "2" });
        var classifier = Classifiers.Create(Classifiers.AzureOptions(endpoint));

        var ex = await Assert.ThrowsAsync<LlmClassificationException>(() => classifier.ClassifyAsync(Messages.From("hello"), CancellationToken.None));

        Assert.True(ex.IsTransient);
        Assert.Equal(TimeSpan.FromSeconds(2), ex.RetryAfter);
        Assert.Single(endpoint.Requests);
    }

    [Fact]
    public async Task A_request_that_outlasts_the_timeout_is_a_transient_failure()
    {
        endpoint.DefaultResponse = FakeChatEndpoint.Hang();
        var options = Classifiers.AzureOptions(endpoint);
        options.RequestTimeout = TimeSpan.FromMilliseconds(300);
        var classifier = Classifiers.Create(options);

        var ex = await Assert.ThrowsAsync<LlmClassificationException>(() => classifier.ClassifyAsync(Messages.From("hello"), CancellationToken.None));

        Assert.True(ex.IsTransient);
        Assert.Contains("did not answer", ex.Message, StringComparison.Ordinal);
        Assert.Single(endpoint.Requests);
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_a_transient_failure()
    {
        var options = Classifiers.AzureOptions(endpoint);
        options.Endpoint = "http://127.0.0.1:1/"; // nothing listens on port 1: connection refused
        var classifier = Classifiers.Create(options);

        var ex = await Assert.ThrowsAsync<LlmClassificationException>(() => classifier.ClassifyAsync(Messages.From("hello"), CancellationToken.None));

        Assert.True(ex.IsTransient);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_not_reported_as_a_timeout()
    {
        endpoint.DefaultResponse = FakeChatEndpoint.Hang();
        var classifier = Classifiers.Create(Classifiers.AzureOptions(endpoint));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => classifier.ClassifyAsync(Messages.From("hello"), cancel.Token));
    }

    [Fact]
    public async Task Azure_content_filter_refusing_the_prompt_is_a_content_filter_verdict()
    {
        endpoint.DefaultResponse = FakeChatEndpoint.Status(400, ContentFilterBody(("hate", true, "high"), ("violence", true, "medium"), ("sexual", false, "safe"), ("self_harm", false, "safe")));
        var classifier = Classifiers.Create(Classifiers.AzureOptions(endpoint));

        var result = await classifier.ClassifyAsync(Messages.From("hostile text"), CancellationToken.None);

        var verdict = Assert.IsType<LlmVerdict>(result.Verdict);
        Assert.Equal(VerdictSource.ContentFilter, verdict.Source);
        Assert.Equal(PolicyCategory.Hate, verdict.Category);
        Assert.Equal(0.95, verdict.Confidence);
        Assert.Equal(["hate", "violence"], verdict.ContentFilterCategories);
        Assert.Equal(TokenUsage.None, verdict.Usage);
        Assert.Equal(Classifiers.Deployment, verdict.Model);
    }

    [Fact]
    public async Task Content_filter_violence_alone_maps_to_threat()
    {
        endpoint.DefaultResponse = FakeChatEndpoint.Status(400, ContentFilterBody(("violence", true, "medium")));
        var classifier = Classifiers.Create(Classifiers.AzureOptions(endpoint));

        var result = await classifier.ClassifyAsync(Messages.From("hostile text"), CancellationToken.None);

        Assert.Equal(PolicyCategory.Threat, result.Verdict!.Category);
        Assert.Equal(0.85, result.Verdict.Confidence);
    }

    [Fact]
    public async Task Content_filter_refusal_for_a_category_outside_the_taxonomy_fails_so_a_human_decides()
    {
        endpoint.DefaultResponse = FakeChatEndpoint.Status(400, ContentFilterBody(("self_harm", true, "high"), ("jailbreak", true, null)));
        var classifier = Classifiers.Create(Classifiers.AzureOptions(endpoint));

        var ex = await Assert.ThrowsAsync<LlmClassificationException>(() => classifier.ClassifyAsync(Messages.From("text"), CancellationToken.None));

        Assert.False(ex.IsTransient);
        Assert.Contains("self_harm", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_400_that_is_not_a_content_filter_refusal_is_a_non_transient_failure()
    {
        endpoint.DefaultResponse = FakeChatEndpoint.Status(400, """{"error":{"code":"invalid_request_error","message":"bad schema"}}""");
        var classifier = Classifiers.Create(Classifiers.AzureOptions(endpoint));

        var ex = await Assert.ThrowsAsync<LlmClassificationException>(() => classifier.ClassifyAsync(Messages.From("text"), CancellationToken.None));

        Assert.False(ex.IsTransient);
        Assert.Contains("400", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("length")]
    [InlineData("content_filter")]
    public async Task An_answer_cut_off_by_finish_reason_is_a_failure(string finishReason)
    {
        endpoint.DefaultResponse = FakeChatEndpoint.Answer(FakeChatEndpoint.Completion("""{"category":"clean","confid""", finishReason));
        var classifier = Classifiers.Create(Classifiers.AzureOptions(endpoint));

        var ex = await Assert.ThrowsAsync<LlmClassificationException>(() => classifier.ClassifyAsync(Messages.From("text"), CancellationToken.None));

        Assert.Contains(finishReason, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("this is not json", "not valid JSON")]
    [InlineData("""{"category":"rude","confidence":0.9,"rationale":"r","evidence":[]}""", "not in the taxonomy")]
    [InlineData("""{"category":"Clean","confidence":0.9,"rationale":"r","evidence":[]}""", "not in the taxonomy")]
    [InlineData("""{"category":"spam","confidence":1.5,"rationale":"r","evidence":[]}""", "outside [0, 1]")]
    [InlineData("""{"category":"spam","confidence":-0.1,"rationale":"r","evidence":[]}""", "outside [0, 1]")]
    [InlineData("""{"category":"spam","confidence":"high","rationale":"r","evidence":[]}""", "confidence")]
    [InlineData("""{"category":"spam","confidence":0.9,"evidence":[]}""", "rationale")]
    [InlineData("""{"category":"spam","confidence":0.9,"rationale":"r"}""", "evidence")]
    [InlineData("""["spam"]""", "not a JSON object")]
    public async Task An_answer_outside_the_schema_is_a_transient_failure(string content, string reason)
    {
        endpoint.DefaultResponse = FakeChatEndpoint.Answer(FakeChatEndpoint.Completion(content));
        var classifier = Classifiers.Create(Classifiers.AzureOptions(endpoint));

        var ex = await Assert.ThrowsAsync<LlmClassificationException>(() => classifier.ClassifyAsync(Messages.From("text"), CancellationToken.None));

        Assert.True(ex.IsTransient);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    public async Task Misconfiguration_errors_are_not_transient_and_say_what_to_check(int status)
    {
        endpoint.DefaultResponse = FakeChatEndpoint.Status(status);
        var classifier = Classifiers.Create(Classifiers.AzureOptions(endpoint));

        var ex = await Assert.ThrowsAsync<LlmClassificationException>(() => classifier.ClassifyAsync(Messages.From("text"), CancellationToken.None));

        Assert.False(ex.IsTransient);
        Assert.Contains(status == 404 ? "deployment" : "credentials", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Classifiers.Key, ex.Message, StringComparison.Ordinal);
        Assert.Single(endpoint.Requests);
    }

    [Fact]
    public async Task OpenAI_compatible_mode_posts_to_v1_chat_completions_with_a_bearer_key_and_the_model_name()
    {
        var classifier = Classifiers.Create(Classifiers.OpenAICompatibleOptions(endpoint));

        var result = await classifier.ClassifyAsync(Messages.From("See you at 9"), CancellationToken.None);

        var request = Assert.Single(endpoint.Requests);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal("Bearer " + Classifiers.Key, request.Header("authorization"));
        using var body = request.Json();
        Assert.Equal("llama3.1:8b", body.RootElement.GetProperty("model").GetString());
        Assert.Equal("json_schema", body.RootElement.GetProperty("response_format").GetProperty("type").GetString());
        Assert.Equal("llama3.1:8b", result.Verdict!.Model);
    }

    [Fact]
    public async Task Not_configured_provider_returns_not_configured_without_any_request()
    {
        var classifier = Classifiers.Create(new Configuration.LlmOptions());

        var result = await classifier.ClassifyAsync(Messages.From("text"), CancellationToken.None);

        Assert.Equal(LlmClassificationStatus.NotConfigured, result.Status);
        Assert.Null(result.Verdict);
        Assert.Empty(endpoint.Requests);
    }

    private static string ContentFilterBody(params (string Name, bool Filtered, string? Severity)[] categories)
    {
        var result = categories.ToDictionary(
            c => c.Name,
            c => c.Severity is null
                ? (object)new Dictionary<string, object> { ["filtered"] = c.Filtered, ["detected"] = c.Filtered }
                : new Dictionary<string, object> { ["filtered"] = c.Filtered, ["severity"] = c.Severity });
        return JsonSerializer.Serialize(new
        {
            error = new
            {
                message = "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
                type = (string?)null,
                param = "prompt",
                code = "content_filter",
                status = 400,
                innererror = new { code = "ResponsibleAIPolicyViolation", content_filter_result = result },
            },
        });
    }
}
