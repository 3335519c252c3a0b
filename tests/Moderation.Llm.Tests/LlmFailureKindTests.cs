using Moderation.Core.Classification;
using Moderation.Core.Telemetry;
using Moderation.Llm.Classification;
using Moderation.Llm.Tests.Fakes;

namespace Moderation.Llm.Tests;

/// <summary>Each way a classification fails is counted under the failure kind the dashboards and alerts group by.</summary>
public sealed class LlmFailureKindTests : IAsyncLifetime
{
    private FakeChatEndpoint endpoint = null!;

    public async Task InitializeAsync() => endpoint = await FakeChatEndpoint.StartAsync();

    public async Task DisposeAsync() => await endpoint.DisposeAsync();

    private async Task<string> KindOfFailureAsync(Action<Configuration.LlmOptions>? configure = null)
    {
        var options = Classifiers.AzureOptions(endpoint);
        configure?.Invoke(options);
        var classifier = Classifiers.Create(options);
        var ex = await Assert.ThrowsAsync<LlmClassificationException>(() => classifier.ClassifyAsync(Messages.From("text"), CancellationToken.None));
        return ChatModelClassifier.FailureKind(ex);
    }

    [Fact]
    public async Task Throttling_is_throttled()
    {
        endpoint.DefaultResponse = FakeChatEndpoint.Status(429, """{"error":{"code":"429","message":"Rate limit reached"}}""");
        Assert.Equal(ModerationTelemetry.LlmFailureKinds.Throttled, await KindOfFailureAsync());
    }

    [Fact]
    public async Task Service_unavailable_is_unavailable()
    {
        endpoint.DefaultResponse = FakeChatEndpoint.Status(503);
        Assert.Equal(ModerationTelemetry.LlmFailureKinds.Unavailable, await KindOfFailureAsync());
    }

    [Fact]
    public async Task A_request_that_outlasts_the_timeout_is_timeout()
    {
        endpoint.DefaultResponse = FakeChatEndpoint.Hang();
        Assert.Equal(ModerationTelemetry.LlmFailureKinds.Timeout, await KindOfFailureAsync(o => o.RequestTimeout = TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task A_content_filter_refusal_outside_the_taxonomy_is_content_filter()
    {
        endpoint.DefaultResponse = FakeChatEndpoint.Status(400, """{"error":{"code":"content_filter","message":"filtered","innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{"self_harm":{"filtered":true,"severity":"high"}}}}}""");
        Assert.Equal(ModerationTelemetry.LlmFailureKinds.ContentFilter, await KindOfFailureAsync());
    }

    [Fact]
    public async Task An_answer_cut_off_by_the_content_filter_is_content_filter()
    {
        endpoint.DefaultResponse = FakeChatEndpoint.Answer(FakeChatEndpoint.Completion("""{"category":"clean","confid""", "content_filter"));
        Assert.Equal(ModerationTelemetry.LlmFailureKinds.ContentFilter, await KindOfFailureAsync());
    }

    [Theory]
    [InlineData("this is not json", "stop")]
    [InlineData("""{"category":"rude","confidence":0.9,"rationale":"r","evidence":[]}""", "stop")]
    [InlineData("""{"category":"clean","confid""", "length")]
    public async Task An_answer_outside_the_contract_is_invalid_output(string content, string finishReason)
    {
        endpoint.DefaultResponse = FakeChatEndpoint.Answer(FakeChatEndpoint.Completion(content, finishReason));
        Assert.Equal(ModerationTelemetry.LlmFailureKinds.InvalidOutput, await KindOfFailureAsync());
    }

    [Fact]
    public async Task A_misconfiguration_is_rejected()
    {
        endpoint.DefaultResponse = FakeChatEndpoint.Status(401);
        Assert.Equal(ModerationTelemetry.LlmFailureKinds.Rejected, await KindOfFailureAsync());
    }
}
