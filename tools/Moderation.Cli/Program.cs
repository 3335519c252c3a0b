using Moderation.Cli;

// Every sub-command is one ICliCommand; add new ones to this list.
ICliCommand[] commands =
[
    new Moderation.Cli.Commands.EvaluateCommand(),
    new Moderation.Cli.Commands.LlmEvaluateCommand(),
    new Moderation.Cli.Commands.FineTuneExportCommand(),
    new Moderation.Cli.Commands.ExportLabelsCommand(),
    new Moderation.Cli.Commands.QualityReportCommand(),
    new Moderation.Cli.Commands.EnqueueCommand(),
    new Moderation.Cli.Commands.EraseCommand(),
];

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine("usage: moderation <command> [options]   (moderation <command> --help for details)");
    Console.WriteLine();
    foreach (var c in commands)
    {
        Console.WriteLine($"  {c.Name,-18} {c.Summary}");
    }

    return args.Length == 0 ? 2 : 0;
}

var command = commands.FirstOrDefault(c => string.Equals(c.Name, args[0], StringComparison.OrdinalIgnoreCase));
if (command is null)
{
    Console.Error.WriteLine($"Unknown command '{args[0]}'. Run 'moderation --help' for the list.");
    return 2;
}

var rest = args.Skip(1).ToArray();
if (rest.Contains("--help") || rest.Contains("-h"))
{
    Console.WriteLine(command.Usage);
    return 0;
}

return await command.RunAsync(rest, cancellation.Token);
