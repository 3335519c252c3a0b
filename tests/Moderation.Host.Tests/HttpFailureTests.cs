using System.Net;
using Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Moderation.Core.Workflow;
using Moderation.Hosting.Http.Authentication;

namespace Moderation.Host.Tests;

/// <summary>
/// When storage fails, callers get 503 problem details with Retry-After and nothing of their request echoed back (in
/// Development too, where the developer exception page would list every header, the API key included); /healthz says
/// whether storage answers.
/// </summary>
public class HttpFailureTests
{
    private const string Body = """{"action":"block","category":"spam"}""";

    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task A_storage_failure_is_a_503_problem_with_retry_after_and_no_header_echoed(string environment)
    {
        using var factory = new HostFactory(environment: environment);
        factory.Cases.FailReadsWith = new RequestFailedException(503, "Service Unavailable", "ServerBusy", null);
        var key = factory.Services.GetRequiredService<IOptions<ReviewCallbackOptions>>().Value.ApiKeys[0];

        using var response = await ReviewCallbackHttpTests.PostAsync(factory, "case-1", Body, key: key);

        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.DoesNotContain(key, text, StringComparison.Ordinal);
        Assert.DoesNotContain(ReviewCallbackHeaders.Key, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("ServerBusy", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_storage_timeout_on_the_case_api_is_a_503_problem()
    {
        using var factory = new HostFactory(environment: "Development");
        factory.Cases.FailReadsWith = new AggregateException(new TimeoutException("The operation was canceled."));
        var key = factory.Services.GetRequiredService<IOptions<ReviewCallbackOptions>>().Value.ApiKeys[0];
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/cases/case-1");
        request.Headers.Add(ReviewCallbackHeaders.Key, key);

        using var response = await client.SendAsync(request);

        await ReviewCallbackHttpTests.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "retry after");
        Assert.NotNull(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task Any_other_failure_is_a_bare_500_problem_without_the_exception_or_the_request()
    {
        using var factory = new HostFactory(environment: "Development");
        factory.Cases.FailReadsWith = new InvalidOperationException("secret-internal-detail");
        var key = factory.Services.GetRequiredService<IOptions<ReviewCallbackOptions>>().Value.ApiKeys[0];
        ReviewCallbackHttpTests.AddCase(factory, "case-1", CaseStage.AwaitingReview);

        using var response = await ReviewCallbackHttpTests.PostAsync(factory, "case-1", Body, key: key);

        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("secret-internal-detail", text, StringComparison.Ordinal);
        Assert.DoesNotContain(key, text, StringComparison.Ordinal);
    }

    [StorageFact]
    public async Task Health_is_healthy_when_storage_answers()
    {
        using var factory = new HostFactory(TestEnvironment.StorageConnectionString);
        await new Azure.Storage.Queues.QueueClient(TestEnvironment.StorageConnectionString, "moderation-inbound").CreateIfNotExistsAsync();
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Health_is_unhealthy_with_503_when_storage_does_not_answer()
    {
        // Nothing listens on port 1: every storage call fails fast.
        const string down = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:1/devstoreaccount1;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;";
        using var factory = new HostFactory(down);
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("Unhealthy", await response.Content.ReadAsStringAsync());
    }
}
