using System.Globalization;

namespace Moderation.Cli.Commands;

/// <summary>"--name value" and "--flag" arguments of the LLM commands; anything unexpected is a usage error.</summary>
internal sealed class LlmCommandArguments
{
    private readonly Dictionary<string, string?> values = new(StringComparer.Ordinal);

    private LlmCommandArguments()
    {
    }

    /// <summary>Parses <paramref name="args"/>; null with <paramref name="error"/> set on a usage error.</summary>
    public static LlmCommandArguments? Parse(IReadOnlyList<string> args, IReadOnlySet<string> options, IReadOnlySet<string> flags, out string? error)
    {
        var parsed = new LlmCommandArguments();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (flags.Contains(name))
            {
                parsed.values[name] = null;
            }
            else if (options.Contains(name))
            {
                if (i + 1 >= args.Count)
                {
                    error = $"{name} needs a value.";
                    return null;
                }

                parsed.values[name] = args[++i];
            }
            else
            {
                error = $"Unknown argument '{name}'.";
                return null;
            }
        }

        error = null;
        return parsed;
    }

    public bool Has(string name) => values.ContainsKey(name);

    public string? Value(string name) => values.GetValueOrDefault(name);

    /// <summary>A positive integer option; <paramref name="fallback"/> when absent, null when malformed.</summary>
    public int? PositiveInt(string name, int? fallback)
    {
        if (!values.TryGetValue(name, out var raw))
        {
            return fallback;
        }

        return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : null;
    }
}
