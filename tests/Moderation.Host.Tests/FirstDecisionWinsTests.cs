using System.Net;
using Azure.Data.Tables;
using Moderation.Core.Review;
using Moderation.Core.Workflow;

namespace Moderation.Host.Tests;

/// <summary>
/// Exactly one reviewer decision per case is accepted (202); every other one is answered 409 and never raised, however
/// many arrive at once; a signed request cannot be replayed; the reviewer and the time are the server's.
/// </summary>
public class FirstDecisionWinsTests
{
    private const string Release = """{"action":"release"}""";
    private const string Block = """{"action":"block","category":"spam"}""";

    [Fact]
    public async Task A_second_decision_for_a_case_waiting_for_review_gets_409_and_is_not_raised()
    {
        using var factory = new HostFactory();
        ReviewCallbackHttpTests.AddCase(factory, "case-1", CaseStage.AwaitingReview);

        using var first = await ReviewCallbackHttpTests.PostAsync(factory, "case-1", Block, key: HostFactory.ApiKey, reviewer: "rev-1");
        using var second = await ReviewCallbackHttpTests.PostAsync(factory, "case-1", Release, key: HostFactory.ApiKey, reviewer: "rev-2");

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        await ReviewCallbackHttpTests.AssertProblemAsync(second, HttpStatusCode.Conflict, "already decided");
        var raised = Assert.Single(factory.Cases.Raised);
        Assert.Equal(("rev-1", ReviewAction.Block), (raised.Decision.ReviewerId, raised.Decision.Action));
    }

    [Fact]
    public async Task A_replayed_signed_request_is_refused_with_401()
    {
        using var factory = new HostFactory();
        ReviewCallbackHttpTests.AddCase(factory, "case-2", CaseStage.AwaitingReview);
        using var client = factory.CreateClient();

        using var first = await ReviewCallbackHttpTests.PostAsync(factory, "case-2", Block, signFor: "case-2", nonce: "replayed-nonce-0000000001", client: client);
        using var replay = await ReviewCallbackHttpTests.PostAsync(factory, "case-2", Block, signFor: "case-2", nonce: "replayed-nonce-0000000001", client: client);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        await ReviewCallbackHttpTests.AssertProblemAsync(replay, HttpStatusCode.Unauthorized, "already used");
        Assert.Single(factory.Cases.Raised);
    }

    [Fact]
    public async Task A_decision_without_a_reviewer_header_is_refused_even_when_the_body_names_one()
    {
        using var factory = new HostFactory();
        ReviewCallbackHttpTests.AddCase(factory, "case-3", CaseStage.AwaitingReview);

        using var response = await ReviewCallbackHttpTests.PostAsync(factory, "case-3", """{"reviewerId":"rev-1","action":"release"}""", key: HostFactory.ApiKey, reviewer: null);

        await ReviewCallbackHttpTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, null);
        Assert.Empty(factory.Cases.Raised);
    }

    [StorageFact]
    public async Task Fifty_concurrent_decisions_on_real_table_storage_get_exactly_one_202_and_forty_nine_409()
    {
        var connection = TestEnvironment.StorageConnectionString!;
        using var factory = new HostFactory(connection);
        var decisions = new TableClient(connection, "Decisions" + factory.TableSuffix);
        var nonces = new TableClient(connection, "Nonces" + factory.TableSuffix);
        await decisions.CreateIfNotExistsAsync();
        await nonces.CreateIfNotExistsAsync();
        try
        {
            ReviewCallbackHttpTests.AddCase(factory, "case-50", CaseStage.AwaitingReview);
            using var client = factory.CreateClient();

            // Half signed, half with the key; releases and blocks from fifty reviewers, all at once.
            var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
            {
                using var response = i % 2 == 0
                    ? await ReviewCallbackHttpTests.PostAsync(factory, "case-50", i % 4 == 0 ? Release : Block, signFor: "case-50", reviewer: $"rev-{i}", client: client)
                    : await ReviewCallbackHttpTests.PostAsync(factory, "case-50", i % 4 == 1 ? Release : Block, key: HostFactory.ApiKey, reviewer: $"rev-{i}", client: client);
                return response.StatusCode;
            })));

            Assert.Equal(1, responses.Count(s => s == HttpStatusCode.Accepted));
            Assert.Equal(49, responses.Count(s => s == HttpStatusCode.Conflict));
            Assert.Single(factory.Cases.Raised);
        }
        finally
        {
            await decisions.DeleteAsync();
            await nonces.DeleteAsync();
        }
    }

    [StorageFact]
    public async Task A_signed_request_replayed_against_real_table_storage_is_refused()
    {
        var connection = TestEnvironment.StorageConnectionString!;
        using var factory = new HostFactory(connection);
        var decisions = new TableClient(connection, "Decisions" + factory.TableSuffix);
        var nonces = new TableClient(connection, "Nonces" + factory.TableSuffix);
        await decisions.CreateIfNotExistsAsync();
        await nonces.CreateIfNotExistsAsync();
        try
        {
            ReviewCallbackHttpTests.AddCase(factory, "case-r", CaseStage.AwaitingReview);
            using var client = factory.CreateClient();

            // Eight copies of one captured request, sent concurrently: one is authentic, seven are replays.
            var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                using var response = await ReviewCallbackHttpTests.PostAsync(factory, "case-r", Block, signFor: "case-r", nonce: "captured-nonce-000000000001", client: client);
                return response.StatusCode;
            })));

            Assert.Equal(1, responses.Count(s => s == HttpStatusCode.Accepted));
            Assert.Equal(7, responses.Count(s => s == HttpStatusCode.Unauthorized));
        }
        finally
        {
            await decisions.DeleteAsync();
            await nonces.DeleteAsync();
        }
    }
}
