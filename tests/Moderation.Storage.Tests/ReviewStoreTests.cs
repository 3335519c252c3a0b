using Microsoft.Extensions.Time.Testing;
using Moderation.Core.Policy;
using Moderation.Core.Review;

namespace Moderation.Storage.Tests;

/// <summary>The tables behind "first decision wins" and replay protection, on real table storage.</summary>
public class ReviewStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [StorageFact]
    public async Task Of_many_concurrent_claims_for_one_case_exactly_one_wins_and_all_see_the_winner()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var claims = account.DecisionClaims();

        var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Task.Run(() =>
            claims.TryClaimAsync("case-1", Decision($"rev-{i}", i % 2 == 0 ? ReviewAction.Release : ReviewAction.Block), Now, CancellationToken.None))));

        var winner = Assert.Single(results, r => r.Won).Claim.Decision;
        Assert.All(results, r => Assert.Equal(winner, r.Claim.Decision));
    }

    [StorageFact]
    public async Task A_released_claim_lets_the_next_decision_win_and_a_raised_claim_is_reported_raised()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var claims = account.DecisionClaims();

        var (_, first) = await claims.TryClaimAsync("case-2", Decision("rev-1", ReviewAction.Block), Now, CancellationToken.None);
        Assert.True(await claims.ReleaseAsync(first, CancellationToken.None));
        var (won, second) = await claims.TryClaimAsync("case-2", Decision("rev-2", ReviewAction.Release), Now, CancellationToken.None);
        await claims.MarkRaisedAsync(second, CancellationToken.None);
        var (lost, seen) = await claims.TryClaimAsync("case-2", Decision("rev-3", ReviewAction.Block), Now, CancellationToken.None);

        Assert.True(won);
        Assert.False(lost);
        Assert.Equal("rev-2", seen.Decision.ReviewerId);
        Assert.True(seen.Raised);
    }

    [StorageFact]
    public async Task Only_one_caller_takes_over_an_outstanding_claim()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var claims = account.DecisionClaims();
        await claims.TryClaimAsync("case-3", Decision("rev-1", ReviewAction.Block), Now, CancellationToken.None);
        var (_, seen) = await claims.TryClaimAsync("case-3", Decision("rev-2", ReviewAction.Release), Now, CancellationToken.None);

        var takers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => claims.TryTakeOverAsync(seen, Now.AddMinutes(1), CancellationToken.None))));

        Assert.Single(takers, t => t is not null);
    }

    [StorageFact]
    public async Task A_nonce_is_accepted_once_and_refused_on_every_replay_until_it_expires()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var clock = new FakeTimeProvider(Now);
        var nonces = account.SignatureNonces(clock);

        var uses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => nonces.TryRecordAsync("nonce-abcdef0123456789", Now.AddMinutes(2), CancellationToken.None))));
        clock.SetUtcNow(Now.AddMinutes(3));
        var afterExpiry = await nonces.TryRecordAsync("nonce-abcdef0123456789", Now.AddMinutes(5), CancellationToken.None);
        var again = await nonces.TryRecordAsync("nonce-abcdef0123456789", Now.AddMinutes(5), CancellationToken.None);

        Assert.Single(uses, u => u);
        Assert.True(afterExpiry);
        Assert.False(again);
    }

    [StorageFact]
    public async Task Expired_nonces_are_purged_and_live_ones_kept()
    {
        await using var account = await StorageTestAccount.CreateAsync();
        var clock = new FakeTimeProvider(Now);
        var nonces = account.SignatureNonces(clock);
        await nonces.TryRecordAsync("nonce-old-0000000000001", Now.AddMinutes(-1), CancellationToken.None);
        await nonces.TryRecordAsync("nonce-live-000000000001", Now.AddMinutes(2), CancellationToken.None);

        Assert.Equal(1, await nonces.PurgeExpiredAsync(CancellationToken.None));
        Assert.False(await nonces.TryRecordAsync("nonce-live-000000000001", Now.AddMinutes(2), CancellationToken.None));
    }

    private static ReviewDecision Decision(string reviewer, ReviewAction action) =>
        new(reviewer, action, action == ReviewAction.Block ? PolicyCategory.Spam : PolicyCategory.Clean, null, Now);

}
