using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Scenario.Receiver.LongRunning;

/// <summary>
/// Carries an action's bound arguments to its job as JSON text: one object, a property per carried
/// parameter, each written and read by the parameter's declared type with the host's MVC JSON settings.
/// No type names travel, so job data cannot choose what gets instantiated.
/// </summary>
internal sealed class ActionArgumentCodec
{
    private readonly JsonSerializerOptions _jsonOptions;

    public ActionArgumentCodec(IOptions<JsonOptions> mvcJsonOptions) => _jsonOptions = mvcJsonOptions.Value.JsonSerializerOptions;

    public string Serialize(LongRunningAction action, IDictionary<string, object?> boundArguments)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var parameter in action.Parameters)
            {
                if (parameter.Source == ParameterSource.Carried && boundArguments.TryGetValue(parameter.Name, out var value))
                {
                    writer.WritePropertyName(parameter.Name);
                    JsonSerializer.Serialize(writer, value, parameter.Type, _jsonOptions);
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The arguments in the method's order: carried ones deserialized, services resolved, the token passed.</summary>
    public object?[] Deserialize(LongRunningAction action, string argumentsJson, IServiceProvider services, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(argumentsJson);
        var root = document.RootElement;
        var arguments = new object?[action.Parameters.Count];
        for (var i = 0; i < arguments.Length; i++)
        {
            var parameter = action.Parameters[i];
            arguments[i] = parameter.Source switch
            {
                ParameterSource.CancellationToken => cancellationToken,
                ParameterSource.Service => services.GetRequiredService(parameter.Type),
                ParameterSource.KeyedService => services.GetRequiredKeyedService(parameter.Type, parameter.ServiceKey),
                _ => root.TryGetProperty(parameter.Name, out var element)
                    ? element.Deserialize(parameter.Type, _jsonOptions)
                    : parameter.DefaultValue,
            };
        }

        return arguments;
    }
}
