using System.Numerics.Tensors;
using Moderation.Prefilter.Model;

namespace Moderation.Training;

/// <summary>One training or evaluation example: token ids (no padding), the label and its weight in the loss.</summary>
/// <param name="Weight">Loss weight; sources are balanced through it so that no corpus dominates by its size.</param>
/// <param name="TeacherLogit">The distillation teacher's logit for the row, NaN where the teacher did not score it.</param>
public sealed record EncodedExample(int[] Ids, bool Suspicious, float Weight = 1f, float TeacherLogit = float.NaN);

/// <summary>What one epoch achieved.</summary>
public sealed record EpochReport(int Epoch, double TrainingLoss, double ValidationAuc, bool Improved, TimeSpan Elapsed);

/// <summary>The trained weights (of the best epoch on validation) and the per-epoch history.</summary>
public sealed record TrainingOutcome(float[] Parameters, int BestEpoch, double BestValidationAuc, IReadOnlyList<EpochReport> Epochs);

/// <summary>
/// Mini-batch training of the CNN with binary cross-entropy and Adam, early stopping on validation ROC AUC.
/// Reproducible: the seed fixes the initial weights, the shuffles and the dropout masks, and each batch is cut into a
/// fixed number of shards whose gradients are summed in order, so the result does not depend on the core count.
/// </summary>
public sealed class CnnTrainer
{
    /// <summary>Gradient shards per batch (a constant, not the core count, so results are identical on any machine).</summary>
    public const int ShardCount = 4;

    private readonly CnnNetwork network;
    private readonly PrefilterHyperParameters hyperParameters;
    private readonly int seed;
    private readonly int threads;
    private readonly Action<float[]>? initialise;
    private readonly DistillationLoss distillation;

    /// <param name="initialise">Adjusts the seeded initial parameters before training (e.g. pretrained embedding rows).</param>
    /// <param name="distillation">Mix of label and teacher loss on rows with a teacher logit (default: labels only).</param>
    public CnnTrainer(CnnNetwork network, PrefilterHyperParameters hyperParameters, int seed, int threads = 0, Action<float[]>? initialise = null, DistillationLoss? distillation = null)
    {
        this.distillation = distillation ?? DistillationLoss.None;
        this.distillation.Validate();
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(hyperParameters);
        this.network = network;
        this.hyperParameters = hyperParameters;
        this.seed = seed;
        this.threads = threads > 0 ? threads : Environment.ProcessorCount;
        this.initialise = initialise;
    }

    /// <param name="rankingScore">ROC AUC of scores against labels (validation metric for early stopping).</param>
    /// <param name="progress">Called after each epoch.</param>
    public TrainingOutcome Train(
        IReadOnlyList<EncodedExample> training,
        IReadOnlyList<EncodedExample> validation,
        Func<IReadOnlyList<float>, IReadOnlyList<bool>, double> rankingScore,
        Action<EpochReport>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(rankingScore);
        if (training.Count == 0)
        {
            throw new ArgumentException("No training examples.", nameof(training));
        }

        var parameters = network.Architecture.InitialParameters(seed);
        initialise?.Invoke(parameters);
        var optimizer = new AdamOptimizer(parameters.Length, hyperParameters.LearningRate);
        var shuffle = new Random(seed ^ 0x5EED);
        var order = Enumerable.Range(0, training.Count).ToArray();
        var shards = Enumerable.Range(0, ShardCount).Select(_ => new Shard(network, parameters.Length)).ToArray();
        var labels = validation.Select(e => e.Suspicious).ToArray();
        var reports = new List<EpochReport>();
        float[]? best = null;
        var bestAuc = double.NegativeInfinity;
        var bestEpoch = 0;
        var step = 0L;

        for (var epoch = 1; epoch <= hyperParameters.Epochs; epoch++)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            shuffle.Shuffle(order);
            var lossSum = 0.0;
            for (var start = 0; start < order.Length; start += hyperParameters.BatchSize)
            {
                var count = Math.Min(hyperParameters.BatchSize, order.Length - start);
                lossSum += TrainBatch(training, order.AsSpan(start, count).ToArray(), parameters, shards, step++);
                optimizer.Step(parameters, shards[0].Gradient);
            }

            var auc = validation.Count > 0 ? rankingScore(Predict(validation, parameters), labels) : double.NaN;
            var improved = best is null || auc > bestAuc;
            if (improved)
            {
                best = (float[])parameters.Clone();
                bestAuc = auc;
                bestEpoch = epoch;
            }

            var report = new EpochReport(epoch, lossSum / training.Count, auc, improved, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            reports.Add(report);
            progress?.Invoke(report);
            if (epoch - bestEpoch >= hyperParameters.EarlyStoppingPatience)
            {
                break;
            }
        }

        return new TrainingOutcome(best!, bestEpoch, bestAuc, reports);
    }

    /// <summary>Probabilities for many examples, in parallel (each example is independent, so the result is deterministic).</summary>
    public float[] Predict(IReadOnlyList<EncodedExample> examples, float[] parameters)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var result = new float[examples.Count];
        Parallel.For(
            0,
            threads,
            new ParallelOptions { MaxDegreeOfParallelism = threads },
            part =>
            {
                var workspace = network.CreateWorkspace();
                for (var i = part; i < examples.Count; i += threads)
                {
                    result[i] = network.Predict(examples[i].Ids, parameters, workspace);
                }
            });
        return result;
    }

    // Computes the batch's mean gradient into shards[0].Gradient and returns the summed loss.
    private double TrainBatch(IReadOnlyList<EncodedExample> training, int[] batch, float[] parameters, Shard[] shards, long step)
    {
        var rate = hyperParameters.Dropout;
        Parallel.For(
            0,
            shards.Length,
            new ParallelOptions { MaxDegreeOfParallelism = threads },
            s =>
            {
                var shard = shards[s];
                Array.Clear(shard.Gradient);
                shard.Loss = 0;
                for (var i = s; i < batch.Length; i += shards.Length)
                {
                    var example = training[batch[i]];
                    var keep = ReadOnlySpan<float>.Empty;
                    if (rate > 0)
                    {
                        FillDropoutMask(shard.DropoutKeep, rate, step, i);
                        keep = shard.DropoutKeep;
                    }

                    var logit = network.Forward(example.Ids, parameters, shard.Workspace, keep);
                    shard.Loss += example.Weight * distillation.Loss(logit, example.Suspicious, example.TeacherLogit);
                    network.Backward(example.Ids, parameters, shard.Workspace, example.Weight * distillation.LogitGradient(logit, example.Suspicious, example.TeacherLogit) / batch.Length, shard.Gradient, keep);
                }
            });

        var total = shards[0].Gradient;
        var loss = shards[0].Loss;
        for (var s = 1; s < shards.Length; s++)
        {
            TensorPrimitives.Add(total, shards[s].Gradient, total);
            loss += shards[s].Loss;
        }

        return loss;
    }

    // Dropout masks come from a hash of (seed, step, position in batch), not from a shared generator, so they do not
    // depend on which thread runs the example.
    private void FillDropoutMask(float[] keep, double rate, long step, int position)
    {
        var state = (ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)step * 0xBF58476D1CE4E5B9UL ^ (ulong)position * 0x94D049BB133111EBUL;
        var scale = (float)(1 / (1 - rate));
        for (var i = 0; i < keep.Length; i++)
        {
            state += 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            keep[i] = (z >> 11) * (1.0 / (1UL << 53)) < rate ? 0f : scale;
        }
    }

    private sealed class Shard(CnnNetwork network, int parameterCount)
    {
        public float[] Gradient { get; } = new float[parameterCount];

        public CnnWorkspace Workspace { get; } = network.CreateWorkspace();

        public float[] DropoutKeep { get; } = new float[network.Architecture.PooledSize];

        public double Loss { get; set; }
    }
}
