namespace Moderation.Training;

/// <summary>
/// Writes the trained CNN as an ONNX model (onnx.proto3 wire format, opset 13, IR version 8), input
/// <c>input_ids</c> int64 [batch, sequence] with 0 as padding, output <c>probability</c> float [batch, 1]:
/// Gather (embedding) -> Transpose to [batch, dim, sequence] -> per kernel width Conv (end padding width-1) -> Relu
/// -> Mul by the token mask (padding positions become 0, which never wins the max because ReLU output is >= 0)
/// -> ReduceMax over time -> Concat -> Gemm -> Relu -> Gemm -> Sigmoid.
/// </summary>
public static class OnnxModelWriter
{
    public const string InputName = "input_ids";
    public const string OutputName = "probability";
    public const long OpsetVersion = 13;
    public const long IrVersion = 8;

    // onnx.proto3 TensorProto.DataType and AttributeProto.AttributeType values.
    private const int FloatType = 1;
    private const int Int64Type = 7;
    private const int AttributeInt = 2;
    private const int AttributeInts = 7;

    public static byte[] Write(CnnArchitecture architecture, float[] parameters, string modelName, string modelVersion)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(parameters);
        var a = architecture;
        var model = new ProtobufWriter();
        model.WriteInt64(1, IrVersion);
        model.WriteString(2, "Moderation.Training");
        model.WriteString(3, "1");
        model.WriteString(4, "moderation.prefilter");
        model.WriteInt64(5, 1);
        model.WriteString(6, $"{modelName}@{modelVersion}: pre-filter text CNN, probability that a message is suspicious.");
        model.WriteMessage(7, graph => WriteGraph(graph, a, parameters, modelName));
        model.WriteMessage(8, opset =>
        {
            opset.WriteString(1, string.Empty);
            opset.WriteInt64(2, OpsetVersion);
        });
        return model.ToArray();
    }

    private static void WriteGraph(ProtobufWriter graph, CnnArchitecture a, float[] p, string name)
    {
        var d = a.EmbeddingDimension;
        var f = a.FiltersPerWidth;
        var pooledNames = new List<string>();

        Node(graph, "Gather", ["embedding", InputName], ["embedded"]);
        Node(graph, "Transpose", ["embedded"], ["embedded_t"], w => IntsAttribute(w, "perm", [0, 2, 1]));
        Node(graph, "Equal", [InputName, "padding_id"], ["is_padding"]);
        Node(graph, "Not", ["is_padding"], ["is_token"]);
        Node(graph, "Cast", ["is_token"], ["token_mask_2d"], w => IntAttribute(w, "to", FloatType));
        Node(graph, "Unsqueeze", ["token_mask_2d", "mask_axes"], ["token_mask"]);
        for (var k = 0; k < a.KernelWidths.Length; k++)
        {
            var width = a.KernelWidths[k];
            var suffix = width.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Node(graph, "Conv", ["embedded_t", "conv" + suffix + "_w", "conv" + suffix + "_b"], ["conv" + suffix], w =>
            {
                IntsAttribute(w, "kernel_shape", [width]);
                IntsAttribute(w, "pads", [0, width - 1]);
            });
            Node(graph, "Relu", ["conv" + suffix], ["relu" + suffix]);
            Node(graph, "Mul", ["relu" + suffix, "token_mask"], ["masked" + suffix]);
            Node(graph, "ReduceMax", ["masked" + suffix], ["pooled" + suffix], w =>
            {
                IntsAttribute(w, "axes", [2]);
                IntAttribute(w, "keepdims", 0);
            });
            pooledNames.Add("pooled" + suffix);
        }

        Node(graph, "Concat", [.. pooledNames], ["features"], w => IntAttribute(w, "axis", 1));
        Node(graph, "Gemm", ["features", "hidden_w", "hidden_b"], ["hidden_linear"], w => IntAttribute(w, "transB", 1));
        Node(graph, "Relu", ["hidden_linear"], ["hidden"]);
        Node(graph, "Gemm", ["hidden", "output_w", "output_b"], ["logit"], w => IntAttribute(w, "transB", 1));
        Node(graph, "Sigmoid", ["logit"], [OutputName]);

        graph.WriteString(2, name);

        FloatTensor(graph, "embedding", [a.VocabularySize, d], p.AsSpan(a.EmbeddingOffset, a.VocabularySize * d));
        for (var k = 0; k < a.KernelWidths.Length; k++)
        {
            var width = a.KernelWidths[k];
            var suffix = width.ToString(System.Globalization.CultureInfo.InvariantCulture);

            // Trainer layout [filter][offset][dim] -> ONNX Conv weight layout [filter][dim][offset].
            var weights = new float[f * d * width];
            for (var j = 0; j < f; j++)
            {
                for (var o = 0; o < width; o++)
                {
                    for (var c = 0; c < d; c++)
                    {
                        weights[(((j * d) + c) * width) + o] = p[a.ConvWeightOffsets[k] + (((j * width) + o) * d) + c];
                    }
                }
            }

            FloatTensor(graph, "conv" + suffix + "_w", [f, d, width], weights);
            FloatTensor(graph, "conv" + suffix + "_b", [f], p.AsSpan(a.ConvBiasOffsets[k], f));
        }

        FloatTensor(graph, "hidden_w", [a.HiddenUnits, a.PooledSize], p.AsSpan(a.HiddenWeightOffset, a.HiddenUnits * a.PooledSize));
        FloatTensor(graph, "hidden_b", [a.HiddenUnits], p.AsSpan(a.HiddenBiasOffset, a.HiddenUnits));
        FloatTensor(graph, "output_w", [1, a.HiddenUnits], p.AsSpan(a.OutputWeightOffset, a.HiddenUnits));
        FloatTensor(graph, "output_b", [1], p.AsSpan(a.OutputBiasOffset, 1));
        Int64Tensor(graph, "padding_id", [], [0]);
        Int64Tensor(graph, "mask_axes", [1], [1]);

        graph.WriteMessage(11, value => ValueInfo(value, InputName, Int64Type, ["batch", "sequence"]));
        graph.WriteMessage(12, value => ValueInfo(value, OutputName, FloatType, ["batch", 1L]));
    }

    private static void Node(ProtobufWriter graph, string opType, string[] inputs, string[] outputs, Action<ProtobufWriter>? attributes = null)
    {
        graph.WriteMessage(1, node =>
        {
            foreach (var input in inputs)
            {
                node.WriteString(1, input);
            }

            foreach (var output in outputs)
            {
                node.WriteString(2, output);
            }

            node.WriteString(3, outputs[0] + "_node");
            node.WriteString(4, opType);
            attributes?.Invoke(node);
        });
    }

    private static void IntAttribute(ProtobufWriter node, string name, long value) => node.WriteMessage(5, attribute =>
    {
        attribute.WriteString(1, name);
        attribute.WriteInt64(3, value);
        attribute.WriteInt64(20, AttributeInt);
    });

    private static void IntsAttribute(ProtobufWriter node, string name, long[] values) => node.WriteMessage(5, attribute =>
    {
        attribute.WriteString(1, name);
        attribute.WritePackedInt64(8, values);
        attribute.WriteInt64(20, AttributeInts);
    });

    private static void FloatTensor(ProtobufWriter graph, string name, long[] dims, ReadOnlySpan<float> values)
    {
        var raw = ProtobufWriter.RawFloats(values);
        graph.WriteMessage(5, tensor =>
        {
            tensor.WritePackedInt64(1, dims);
            tensor.WriteInt64(2, FloatType);
            tensor.WriteString(8, name);
            tensor.WriteBytes(9, raw);
        });
    }

    private static void Int64Tensor(ProtobufWriter graph, string name, long[] dims, long[] values) => graph.WriteMessage(5, tensor =>
    {
        if (dims.Length > 0)
        {
            tensor.WritePackedInt64(1, dims);
        }

        tensor.WriteInt64(2, Int64Type);
        tensor.WriteString(8, name);
        tensor.WriteBytes(9, ProtobufWriter.RawInt64s(values));
    });

    // ValueInfoProto { name = 1, type = 2 { tensor_type = 1 { elem_type = 1, shape = 2 { dim = 1 { dim_value = 1 | dim_param = 2 } } } } }
    private static void ValueInfo(ProtobufWriter value, string name, int elementType, object[] dims)
    {
        value.WriteString(1, name);
        value.WriteMessage(2, type => type.WriteMessage(1, tensorType =>
        {
            tensorType.WriteInt64(1, elementType);
            tensorType.WriteMessage(2, shape =>
            {
                foreach (var dim in dims)
                {
                    shape.WriteMessage(1, dimension =>
                    {
                        if (dim is string symbol)
                        {
                            dimension.WriteString(2, symbol);
                        }
                        else
                        {
                            dimension.WriteInt64(1, (long)dim);
                        }
                    });
                }
            });
        }));
    }
}
