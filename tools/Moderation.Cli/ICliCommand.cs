namespace Moderation.Cli;

/// <summary>One sub-command of the <c>moderation</c> CLI.</summary>
internal interface ICliCommand
{
    string Name { get; }

    /// <summary>One line for the command list.</summary>
    string Summary { get; }

    /// <summary>Full usage text, printed for <c>--help</c> or bad arguments.</summary>
    string Usage { get; }

    /// <summary>Runs the command; returns the process exit code (0 success, 1 failure, 2 usage error).</summary>
    Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken);
}
