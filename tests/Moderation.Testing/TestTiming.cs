namespace Moderation.Testing;

/// <summary>
/// Names the tests that wait in real time or run long, as a trait: <c>[Trait(TestTiming.Trait, TestTiming.RealTime)]</c>.
/// Each such test says next to the trait why it cannot run on a <see cref="Microsoft.Extensions.Time.Testing.FakeTimeProvider"/>
/// or on less data. <c>dotnet test --filter "Timing!=real-time&amp;Timing!=long"</c> leaves them out of a quick loop.
/// </summary>
public static class TestTiming
{
    public const string Trait = "Timing";

    /// <summary>Waits for real timers the test cannot replace: the durable engine's timers, leases in storage, a child process.</summary>
    public const string RealTime = "real-time";

    /// <summary>Runs long on purpose: the real model or trainer over the public data.</summary>
    public const string Long = "long";
}
