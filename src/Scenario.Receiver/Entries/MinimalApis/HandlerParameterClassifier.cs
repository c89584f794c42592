using System.IO.Pipelines;
using System.Reflection;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Scenario.Receiver.Entries.MinimalApis;

/// <summary>
/// Decides, by the rules minimal APIs bind by, where a job gets each handler parameter: bound values
/// (route, query, header, body, <c>[AsParameters]</c>) are carried as JSON, services are resolved in the
/// job's scope, a <see cref="CancellationToken"/> is the job's token. A parameter that belongs to the HTTP
/// request (a file, the body stream, the context) stops the host at start-up, naming it.
/// </summary>
internal static class HandlerParameterClassifier
{
    private static readonly Type[] RequestBoundTypes =
    [
        typeof(IFormFile), typeof(IFormFileCollection), typeof(IFormCollection), typeof(Stream), typeof(PipeReader), typeof(HttpResponse),
    ];

    public static EntryParameter[] Classify(MethodInfo method, IServiceProvider applicationServices, string endpoint)
    {
        var isService = applicationServices.GetService<IServiceProviderIsService>();
        return method.GetParameters().Select(parameter => Classify(parameter, isService, endpoint)).ToArray();
    }

    /// <summary>
    /// The parameters minimal APIs bind from the body: <c>[FromBody]</c>, or, without a source attribute, a type
    /// that is neither a service nor parsed from a string (no <c>TryParse</c>, no <c>BindAsync</c>). The filter
    /// needs them to tell a body that did not bind, since filters run even when binding failed.
    /// </summary>
    public static HandlerBodyParameter[] BodyParameters(MethodInfo method, IReadOnlyList<EntryParameter> classified)
    {
        var nullability = new NullabilityInfoContext();
        var parameters = method.GetParameters();
        var body = new List<HandlerBodyParameter>();
        for (var index = 0; index < parameters.Length; index++)
        {
            var parameter = parameters[index];
            if (classified[index].Source != ParameterSource.Carried)
            {
                continue;
            }

            var attributes = parameter.GetCustomAttributes(inherit: true);
            var fromBody = attributes.OfType<IFromBodyMetadata>().FirstOrDefault();
            var otherSource = attributes.Any(a => a is IFromRouteMetadata or IFromQueryMetadata or IFromHeaderMetadata or AsParametersAttribute);
            if (fromBody is null && (otherSource || IsParsedFromString(parameter.ParameterType)))
            {
                continue;
            }

            // As RequestDelegateFactory decides: optional when it has a default or is not known to be non-nullable.
            var optional = parameter.HasDefaultValue
                || fromBody?.AllowEmpty == true
                || Nullable.GetUnderlyingType(parameter.ParameterType) is not null
                || (!parameter.ParameterType.IsValueType && nullability.Create(parameter).ReadState != NullabilityState.NotNull);
            body.Add(new HandlerBodyParameter(index, parameter.Name!, !optional));
        }

        return body.ToArray();
    }

    private static bool IsParsedFromString(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsArray)
        {
            return IsParsedFromString(type.GetElementType()!);
        }

        return type == typeof(string) || type.IsPrimitive || type.IsEnum
            || type.GetMethods(BindingFlags.Public | BindingFlags.Static).Any(m => m.Name is "TryParse" or "BindAsync");
    }

    private static EntryParameter Classify(ParameterInfo parameter, IServiceProviderIsService? isService, string endpoint)
    {
        var name = parameter.Name!;
        var type = parameter.ParameterType;
        if (type == typeof(CancellationToken))
        {
            return new EntryParameter(name, type, ParameterSource.CancellationToken);
        }

        // The job's HttpContext shows the request snapshot: the caller, the headers (never credentials), the route.
        if (type == typeof(HttpContext))
        {
            return new EntryParameter(name, type, ParameterSource.HttpContext);
        }

        if (type == typeof(HttpRequest))
        {
            return new EntryParameter(name, type, ParameterSource.HttpRequest);
        }

        if (type == typeof(ClaimsPrincipal))
        {
            return new EntryParameter(name, type, ParameterSource.User);
        }

        if (parameter.GetCustomAttribute<FromKeyedServicesAttribute>() is { } keyed)
        {
            return new EntryParameter(name, type, ParameterSource.KeyedService, keyed.Key);
        }

        var attributes = parameter.GetCustomAttributes(inherit: true);
        if (attributes.OfType<IFromServiceMetadata>().Any())
        {
            return new EntryParameter(name, type, ParameterSource.Service);
        }

        if (attributes.OfType<IFromFormMetadata>().Any() || RequestBoundTypes.Any(t => t.IsAssignableFrom(type)))
        {
            throw CannotTravel(endpoint, name, type.Name);
        }

        var explicitlyBound = attributes.Any(a => a is IFromBodyMetadata or IFromRouteMetadata or IFromQueryMetadata or IFromHeaderMetadata);
        if (attributes.OfType<AsParametersAttribute>().Any())
        {
            RefuseMembersThatCannotTravel(type, isService, endpoint, name);
        }
        else if (!explicitlyBound && isService?.IsService(type) == true)
        {
            return new EntryParameter(name, type, ParameterSource.Service);
        }

        return EntryParameter.Carried(parameter);
    }

    /// <summary>An <c>[AsParameters]</c> object travels whole, as JSON: a service or a token inside it cannot.</summary>
    private static void RefuseMembersThatCannotTravel(Type type, IServiceProviderIsService? isService, string endpoint, string parameterName)
    {
        var members = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(property => (property.Name, property.PropertyType, Attributes: property.GetCustomAttributes(inherit: true)))
            .Concat(type.GetConstructors().SelectMany(constructor => constructor.GetParameters())
                .Select(parameter => (Name: parameter.Name!, parameter.ParameterType, Attributes: parameter.GetCustomAttributes(inherit: true))));
        foreach (var (memberName, memberType, attributes) in members)
        {
            var explicitlyBound = attributes.Any(a => a is IFromBodyMetadata or IFromRouteMetadata or IFromQueryMetadata or IFromHeaderMetadata);
            if (memberType == typeof(CancellationToken) || memberType == typeof(HttpContext) || memberType == typeof(HttpRequest) || memberType == typeof(ClaimsPrincipal)
                || RequestBoundTypes.Any(t => t.IsAssignableFrom(memberType))
                || attributes.Any(a => a is IFromServiceMetadata or IFromFormMetadata or FromKeyedServicesAttribute)
                || (!explicitlyBound && isService?.IsService(memberType) == true))
            {
                throw new InvalidOperationException(
                    $"The long-running endpoint '{endpoint}' has an [AsParameters] parameter '{parameterName}' whose member '{memberName}' ({memberType.Name}) cannot be carried to a background job: an [AsParameters] object travels to the job as JSON. Take services and the CancellationToken as handler parameters of their own, and bind the data into serializable members.");
            }
        }
    }

    private static InvalidOperationException CannotTravel(string endpoint, string name, string typeName)
        => new($"The long-running endpoint '{endpoint}' has a parameter '{name}' of type {typeName} that cannot be carried to a background job: it belongs to the HTTP request, which is over when the job runs. Bind the data into a serializable model instead (for a file: store it and pass a reference).");
}
