using System.Text.Json;
using System.Text.Json.Serialization;

namespace Scenario.Receiver.Plumbing;

/// <summary>
/// Writes a property that holds JSON text as that JSON, not as a string of it: a string would escape every quote, and
/// a pending task holds the request snapshot in its job parameter for as long as it waits (docs/benchmarks.md). Reads
/// both forms, so jobs created before it still run.
/// </summary>
internal sealed class EmbeddedJsonConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.GetRawText();
    }

    /// <summary>Unchecked: the value is the receiver's own serializer output (the request snapshot).</summary>
    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
        => writer.WriteRawValue(value, skipInputValidation: true);
}
