using Azure.Core;

namespace Moderation.Llm.Tests.Fakes;

/// <summary>Stands in for managed identity: hands out a fixed token and remembers the scopes it was asked for.</summary>
internal sealed class FakeTokenCredential(string token) : TokenCredential
{
    public List<string> RequestedScopes { get; } = [];

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        RequestedScopes.AddRange(requestContext.Scopes);
        return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
