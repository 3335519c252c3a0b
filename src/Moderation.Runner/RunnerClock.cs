namespace Moderation.Runner;

internal static class RunnerClock
{
    /// <summary>
    /// The time for history entries, to the millisecond: what the table store keeps, so a replay from memory and one
    /// from storage see the same times.
    /// </summary>
    public static DateTime UtcNowMilliseconds(this TimeProvider time)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
    }
}
