using System.Threading.Channels;

namespace Moderation.Runner;

/// <summary>Tells this process's runner at once that a case has new work (started, event raised), instead of waiting for a poll.</summary>
internal sealed class CaseWorkSignal
{
    private readonly Channel<string> cases = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    public void Notify(string caseId) => cases.Writer.TryWrite(caseId);

    public ChannelReader<string> Reader => cases.Reader;
}
