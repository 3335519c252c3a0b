using Microsoft.Extensions.Time.Testing;

namespace Moderation.Testing;

/// <summary>A <see cref="FakeTimeProvider"/> standing still at <paramref name="now"/> until a test advances it.</summary>
public sealed class FixedTimeProvider(DateTimeOffset now) : FakeTimeProvider(now);
