using Microsoft.Azure.Functions.Worker;

namespace Moderation.Functions.Tests;

/// <summary>A hand-written <see cref="FunctionContext"/> carrying the queue trigger's metadata.</summary>
internal sealed class FakeFunctionContext(IReadOnlyDictionary<string, object?> bindingData) : FunctionContext
{
    public static FakeFunctionContext ForQueueMessage(string id, long dequeueCount) =>
        new(new Dictionary<string, object?> { ["Id"] = id, ["DequeueCount"] = dequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    public override string InvocationId => "invocation-1";

    public override string FunctionId => "function-1";

    public override TraceContext TraceContext => throw new NotSupportedException();

    public override BindingContext BindingContext { get; } = new FakeBindingContext(bindingData);

    public override RetryContext RetryContext => throw new NotSupportedException();

    public override IServiceProvider InstanceServices { get; set; } = EmptyServiceProvider.Instance;

    public override FunctionDefinition FunctionDefinition => throw new NotSupportedException();

    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();

    public override IInvocationFeatures Features => throw new NotSupportedException();

    private sealed class FakeBindingContext(IReadOnlyDictionary<string, object?> bindingData) : BindingContext
    {
        public override IReadOnlyDictionary<string, object?> BindingData { get; } = bindingData;
    }

    private sealed class EmptyServiceProvider : IServiceProvider
    {
        public static EmptyServiceProvider Instance { get; } = new();

        public object? GetService(Type serviceType) => null;
    }
}
