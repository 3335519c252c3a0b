namespace Moderation.Hosting.Http.Authentication;

/// <summary>Port: remembers the nonces of signed requests until their timestamps can no longer pass the skew check.</summary>
public interface IRequestNonceStore
{
    /// <summary>Records a nonce atomically (insert-if-absent); false when it was already used and has not expired.</summary>
    Task<bool> TryUseAsync(string nonce, DateTimeOffset expiresAt, CancellationToken cancellationToken);
}
