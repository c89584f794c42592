using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Scenario.Receiver.Entries;

/// <summary>
/// Carries an endpoint's bound arguments to its job as JSON text: one object, a property per carried
/// parameter, each written and read by the parameter's declared type with the endpoint's own JSON settings.
/// No type names travel, so job data cannot choose what gets instantiated.
/// </summary>
internal static class ArgumentCodec
{
    public static string Serialize<TArguments>(ILongRunningEntry entry, TArguments boundArguments)
        where TArguments : IBoundArguments
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            var parameters = entry.Parameters;
            for (var i = 0; i < parameters.Count; i++)
            {
                var parameter = parameters[i];
                if (parameter.Source == ParameterSource.Carried && boundArguments.TryGet(i, parameter, out var value))
                {
                    writer.WritePropertyName(parameter.Name);
                    JsonSerializer.Serialize(writer, value, parameter.Type, entry.JsonOptions);
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The arguments in the endpoint's order: carried ones deserialized, services resolved, the token passed.</summary>
    public static object?[] Deserialize(ILongRunningEntry entry, string argumentsJson, Microsoft.AspNetCore.Http.HttpContext httpContext)
    {
        var services = httpContext.RequestServices;
        using var document = JsonDocument.Parse(argumentsJson);
        var root = document.RootElement;
        var parameters = entry.Parameters;
        var arguments = new object?[parameters.Count];
        for (var i = 0; i < arguments.Length; i++)
        {
            var parameter = parameters[i];
            arguments[i] = parameter.Source switch
            {
                ParameterSource.CancellationToken => httpContext.RequestAborted,
                ParameterSource.HttpContext => httpContext,
                ParameterSource.HttpRequest => httpContext.Request,
                ParameterSource.User => httpContext.User,
                ParameterSource.Service => services.GetRequiredService(parameter.Type),
                ParameterSource.KeyedService => services.GetRequiredKeyedService(parameter.Type, parameter.ServiceKey),
                _ => root.TryGetProperty(parameter.Name, out var element)
                    ? element.Deserialize(parameter.Type, entry.JsonOptions)
                    : parameter.DefaultValue,
            };
        }

        return arguments;
    }
}
