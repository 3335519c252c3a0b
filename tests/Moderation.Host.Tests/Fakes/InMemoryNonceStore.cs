using System.Collections.Concurrent;
using Moderation.Hosting.Http.Authentication;

namespace Moderation.Host.Tests.Fakes;

/// <summary>An in-memory nonce store with the table's insert-if-absent semantics.</summary>
internal sealed class InMemoryNonceStore : IRequestNonceStore
{
    public ConcurrentDictionary<string, DateTimeOffset> Used { get; } = new(StringComparer.Ordinal);

    public Task<bool> TryUseAsync(string nonce, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        Task.FromResult(Used.TryAdd(nonce, expiresAt));
}
