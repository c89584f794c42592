using Microsoft.AspNetCore.Http;

namespace Scenario.Receiver.Entries;

/// <summary>One call of an entry in a job: the job's DI scope, the arguments in parameter order, and the job's HTTP context.</summary>
/// <param name="HttpContext">A stand-in for the request, over the job's DI scope, whose <c>RequestAborted</c> is the work's token.</param>
/// <param name="Arguments">Carried values deserialized, services resolved, the token passed.</param>
internal readonly record struct EntryInvocation(HttpContext HttpContext, object?[] Arguments)
{
    public IServiceProvider Services => HttpContext.RequestServices;
}
