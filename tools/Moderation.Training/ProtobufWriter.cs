using System.Buffers.Binary;
using System.Text;

namespace Moderation.Training;

/// <summary>The protocol buffers wire format (varints, length-delimited fields), just what ONNX's messages need.</summary>
public sealed class ProtobufWriter
{
    private const int VarintWire = 0;
    private const int LengthDelimitedWire = 2;

    private readonly MemoryStream buffer = new();

    public void WriteInt64(int field, long value)
    {
        WriteTag(field, VarintWire);
        WriteVarint((ulong)value);
    }

    public void WriteString(int field, string value) => WriteBytes(field, Encoding.UTF8.GetBytes(value));

    public void WriteBytes(int field, ReadOnlySpan<byte> value)
    {
        WriteTag(field, LengthDelimitedWire);
        WriteVarint((ulong)value.Length);
        buffer.Write(value);
    }

    public void WriteMessage(int field, Action<ProtobufWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var nested = new ProtobufWriter();
        write(nested);
        WriteBytes(field, nested.ToArray());
    }

    /// <summary>A packed repeated int64 field.</summary>
    public void WritePackedInt64(int field, IEnumerable<long> values)
    {
        var nested = new ProtobufWriter();
        foreach (var value in values)
        {
            nested.WriteVarint((ulong)value);
        }

        WriteBytes(field, nested.ToArray());
    }

    public byte[] ToArray() => buffer.ToArray();

    /// <summary>Little-endian IEEE floats, as ONNX's TensorProto.raw_data stores them.</summary>
    public static byte[] RawFloats(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        return bytes;
    }

    public static byte[] RawInt64s(ReadOnlySpan<long> values)
    {
        var bytes = new byte[values.Length * sizeof(long)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * sizeof(long)), values[i]);
        }

        return bytes;
    }

    private void WriteTag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        buffer.WriteByte((byte)value);
    }
}
