
namespace Moderation.Evaluation.Tests.Data;

/// <summary>A theory over the public labeled data in ../shared/data; reported as skipped where it is absent.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class SharedDataTheoryAttribute : TheoryAttribute
{
    public SharedDataTheoryAttribute()
    {
        if (TestEnvironment.SharedDataDirectory is null)
        {
            Skip = $"Needs the public labeled data in ../shared/data beside the repository (or {TestEnvironment.SharedDataVariable}); a plain clone does not have it.";
        }
    }
}
